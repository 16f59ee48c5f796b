package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// escalationRoutes are the escalations of action items beyond the community's remit (吹哨 /
// 12345, docs/follow-through.md "Escalation"): raised by a facilitator, corrected while they
// wait, their response recorded, and listed with the overdue ones marked.
func (a *App) escalationRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/items/:id/escalations", a.raiseEscalation, auth)
	g.GET("/escalations/:id", a.getEscalation, auth)
	g.PATCH("/escalations/:id", a.updateEscalation, auth)
	g.POST("/escalations/:id/response", a.respondEscalation, auth)
	g.GET("/communities/:cid/escalations", a.listEscalations, auth)
}

// The channels in the validate tag are models.EscalationChannels, in order.
type raiseEscalationRequest struct {
	Channel     string `json:"channel" validate:"required,oneof=whistle hotline"`
	Department  string `json:"department" validate:"required,notblank,max=100"`
	TicketNo    string `json:"ticket_no" validate:"max=40"`
	Reason      string `json:"reason" validate:"required,notblank,max=2000" text:"multiline"`
	ResponseDue string `json:"response_due" validate:"omitempty,len=10"`
}

func (a *App) raiseEscalation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req raiseEscalationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := a.store.RaiseEscalation(c.Request().Context(), actor(c), id, models.EscalationInput{Channel: req.Channel,
		Department: req.Department, TicketNo: req.TicketNo, Reason: req.Reason, ResponseDue: req.ResponseDue})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (a *App) getEscalation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.store.GetEscalation(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

type updateEscalationRequest struct {
	Department  *string `json:"department" validate:"omitnil,notblank,max=100"`
	TicketNo    *string `json:"ticket_no" validate:"omitnil,max=40"`
	ResponseDue *string `json:"response_due" validate:"omitnil,len=10"`
}

func (a *App) updateEscalation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateEscalationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := a.store.UpdateEscalation(c.Request().Context(), actor(c), id, models.EscalationPatch{Department: req.Department,
		TicketNo: req.TicketNo, ResponseDue: req.ResponseDue})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

type respondEscalationRequest struct {
	Response    string  `json:"response" validate:"required,notblank,max=2000" text:"multiline"`
	RespondedOn string  `json:"responded_on" validate:"omitempty,len=10"`
	TicketNo    *string `json:"ticket_no" validate:"omitnil,max=40"`
}

func (a *App) respondEscalation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req respondEscalationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := a.store.RespondEscalation(c.Request().Context(), actor(c), id, models.EscalationResponse{Response: req.Response,
		RespondedOn: req.RespondedOn, TicketNo: req.TicketNo})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

func (a *App) listEscalations(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var f models.EscalationFilter
	switch st := c.QueryParam("status"); st {
	case "", models.EscalationAwaiting, models.EscalationResponded:
		f.Status = st
	default:
		return models.FieldError("status", "unknown_escalation_status")
	}
	if v := c.QueryParam("overdue"); v != "" {
		if f.Overdue, err = strconv.ParseBool(v); err != nil {
			return models.FieldError("overdue", "invalid")
		}
	}
	if v := c.QueryParam("resolution_id"); v != "" {
		if f.ResolutionID, err = strconv.ParseUint(v, 10, idBits); err != nil {
			return models.FieldError("resolution_id", "invalid")
		}
	}
	es, err := a.store.ListEscalations(c.Request().Context(), actor(c), cid, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(es, 0))
}
