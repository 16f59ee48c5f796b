package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// auditTrailRoutes are the audit trail's (docs/audit-trail.md): the chain check run and recorded
// on demand with the last run shown as a badge, and a resolution's whole story. The searchable
// log is GET /communities/:cid/events (audit.go).
func (a *App) auditTrailRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/communities/:cid/audit/checks", a.runAuditCheck, auth)
	g.GET("/communities/:cid/audit/checks/latest", a.lastAuditCheck, auth)
	g.GET("/resolutions/:id/story", a.resolutionStory, auth)
}

func (a *App) runAuditCheck(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req struct{}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := a.store.RunAuditCheck(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

// lastCheck is the latest recorded chain check, null before the first.
type lastCheck struct {
	Last *models.AuditCheck `json:"last"`
}

func (a *App) lastAuditCheck(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	res, err := a.store.LastAuditCheck(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lastCheck{Last: res})
}

func (a *App) resolutionStory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	st, err := a.store.ResolutionStory(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	out := struct {
		*models.ResolutionStory
		Resolution resolutionResponse `json:"resolution"`
	}{ResolutionStory: st, Resolution: labelled(localeOf(c), st.Resolution)}
	return c.JSON(http.StatusOK, out)
}
