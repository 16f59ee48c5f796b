package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// reviewRoutes are a draft's review (docs/paper.md "Draft, then adopt"): the facilitator reads
// the draft out on the wall, then adopts it, or records it rejected when its vote failed.
// Corrections and the minority's view go through PATCH /resolutions/:id (amendResolution).
func (a *App) reviewRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/resolutions/:id/adopt", a.adoptResolution, auth)
	g.POST("/resolutions/:id/reject", a.rejectResolution, auth)
	g.GET("/meetings/:id/minutes", a.getMinutes, auth)
}

func (a *App) adoptResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.AdoptResolution(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

func (a *App) rejectResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.RejectResolution(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

// amendResolution is PATCH /resolutions/:id with a draft's title or text, or the minority's
// view. Mixed with the budget it is refused whole, so a 4xx never leaves half of it applied.
func (a *App) amendResolution(c echo.Context, id uint64, req *budgetRequest) error {
	if req.BudgetFen != nil || req.FundingSource != nil {
		field := "budget_fen"
		if req.BudgetFen == nil {
			field = "funding_source"
		}
		return models.FieldError(field, "budget_with_amendment")
	}
	r, err := a.store.UpdateResolution(c.Request().Context(), actor(c), id,
		models.ResolutionPatch{Title: req.Title, Text: req.Text, MinorityOpinion: req.MinorityOpinion})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}
