package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) cycleRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/cycles", a.listCycles, auth)
	g.POST("/communities/:cid/cycles", a.createCycle, auth)
	g.GET("/cycles/:id", a.getCycle, auth)
	g.POST("/cycles/:id/advance", a.advanceCycle, auth)
	g.GET("/cycles/:id/topics", a.listTopics, auth)
	g.POST("/cycles/:id/topics", a.proposeTopic, auth)
	g.POST("/cycles/:id/select-topic", a.selectTopic, auth)
	g.PATCH("/topics/:id", a.updateTopic, auth)
	g.POST("/topics/:id/merge", a.mergeTopic, auth)
	g.PUT("/topics/:id/endorsement", a.endorse, auth)
	g.DELETE("/topics/:id/endorsement", a.withdrawEndorsement, auth)
}

func (a *App) listCycles(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	cs, err := a.store.ListCycles(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cs, 0))
}

type createCycleRequest struct {
	Month         string  `json:"month" validate:"required,len=7"`
	CompoundID    uint64  `json:"compound_id" validate:"required,id"`
	Reason        string  `json:"reason" validate:"required,notblank,max=500" text:"multiline"`
	FacilitatorID *uint64 `json:"facilitator_id" validate:"omitnil,id"`
}

func (a *App) createCycle(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req createCycleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cy, err := a.store.CreateCycle(c.Request().Context(), actor(c), cid, models.CycleInput{Month: req.Month,
		CompoundID: req.CompoundID, Reason: req.Reason, FacilitatorID: req.FacilitatorID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cy)
}

func (a *App) getCycle(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cy, err := a.store.GetCycle(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cy)
}

type advanceCycleRequest struct {
	To     string `json:"to" validate:"required,oneof=planning topic_collection topic_selection card_collection round_table resolved closed cancelled"`
	Reason string `json:"reason" validate:"max=500" text:"multiline"`
}

func (a *App) advanceCycle(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req advanceCycleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cy, err := a.store.AdvanceCycle(c.Request().Context(), actor(c), id, req.To, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cy)
}

func (a *App) listTopics(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ts, err := a.store.ListTopics(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(ts, 0))
}

type proposeTopicRequest struct {
	Title       string  `json:"title" validate:"required,notblank,max=60"`
	Description string  `json:"description" validate:"max=1000" text:"multiline"`
	Source      string  `json:"source" validate:"omitempty,oneof=online home_visit hotline property_log party_branch"`
	ProposerID  *uint64 `json:"proposer_id" validate:"omitnil,id"`
}

func (a *App) proposeTopic(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req proposeTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.store.ProposeTopic(c.Request().Context(), actor(c), id, models.TopicInput{Title: req.Title,
		Description: req.Description, Source: req.Source, ProposerID: req.ProposerID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

type selectTopicRequest struct {
	TopicID uint64 `json:"topic_id" validate:"required,id"`
	Reason  string `json:"reason" validate:"required,notblank,max=500" text:"multiline"`
}

func (a *App) selectTopic(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req selectTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cy, err := a.store.SelectTopic(c.Request().Context(), actor(c), id, req.TopicID, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cy)
}

type updateTopicRequest struct {
	Status string `json:"status" validate:"required,oneof=open shortlisted rejected"`
	Reason string `json:"reason" validate:"max=500" text:"multiline"`
}

func (a *App) updateTopic(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.store.SetTopicStatus(c.Request().Context(), actor(c), id, req.Status, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

type mergeTopicRequest struct {
	IntoTopicID uint64 `json:"into_topic_id" validate:"required,id"`
}

func (a *App) mergeTopic(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req mergeTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.store.MergeTopic(c.Request().Context(), actor(c), id, req.IntoTopicID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (a *App) endorse(c echo.Context) error { return a.setEndorsement(c, true) }

func (a *App) withdrawEndorsement(c echo.Context) error { return a.setEndorsement(c, false) }

func (a *App) setEndorsement(c echo.Context, on bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	t, err := a.store.Endorse(c.Request().Context(), actor(c), id, on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
