package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) auditRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/events", a.listEvents, auth)
	g.GET("/communities/:cid/audit/verify", a.verifyAudit, auth)
}

func (a *App) listEvents(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var after uint64
	if v := c.QueryParam("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, idBits); err != nil {
			return models.FieldError("after", "invalid")
		}
	}
	limit := 0
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 || limit > 200 {
			return models.FieldError("limit", "invalid")
		}
	}
	evs, err := a.store.ListEvents(c.Request().Context(), actor(c), cid, after, limit)
	if err != nil {
		return err
	}
	var next uint64
	if len(evs) > 0 && len(evs) == limitOr(limit) {
		next = evs[len(evs)-1].ID
	}
	p := page(evs, 0)
	if next != 0 {
		p.NextCursor = strconv.FormatUint(next, 10)
	}
	return c.JSON(http.StatusOK, p)
}

func limitOr(n int) int {
	if n <= 0 {
		return 50
	}
	return n
}

func (a *App) verifyAudit(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	res, err := a.store.VerifyCommunity(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
