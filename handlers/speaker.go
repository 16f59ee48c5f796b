package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) speakerRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/meetings/:id/speakers", a.speakerBoard, auth)
	g.POST("/meetings/:id/speakers", a.askToSpeak, auth)
	g.PUT("/meetings/:id/agenda-item", a.setAgendaItem, auth)
	g.POST("/speakers/:id/start", a.startSpeaker, auth)
	g.POST("/speakers/:id/finish", a.finishSpeaker, auth)
	g.DELETE("/speakers/:id", a.withdrawSpeaker, auth)
}

func (a *App) speakerBoard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := a.store.SpeakerBoard(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

type askToSpeakRequest struct {
	Stance string  `json:"stance" validate:"required,oneof=pro con neutral"`
	UserID *uint64 `json:"user_id" validate:"omitnil,id"`
	Name   string  `json:"name" validate:"max=50"`
}

func (a *App) askToSpeak(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req askToSpeakRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sl, created, err := a.store.AskToSpeak(c.Request().Context(), actor(c), id,
		models.AskInput{Stance: req.Stance, UserID: req.UserID, Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(created), sl)
}

type agendaItemPositionRequest struct {
	Position int `json:"position" validate:"min=1,max=20"`
}

func (a *App) setAgendaItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req agendaItemPositionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := a.store.SetAgendaItem(c.Request().Context(), actor(c), id, req.Position)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// slotAction answers one of the calls that move a slot along.
func (a *App) slotAction(c echo.Context, fn func(context.Context, models.Actor, uint64) (*models.SpeakerSlot, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sl, err := fn(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sl)
}

func (a *App) startSpeaker(c echo.Context) error { return a.slotAction(c, a.store.StartSpeaker) }

func (a *App) finishSpeaker(c echo.Context) error { return a.slotAction(c, a.store.FinishSpeaker) }

func (a *App) withdrawSpeaker(c echo.Context) error { return a.slotAction(c, a.store.WithdrawSpeaker) }
