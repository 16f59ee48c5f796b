package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// deskRoutes are the committee's desk and the street's view (docs/desk.md): the dashboard of a
// community and of a street, the records behind each figure, and the streets with their observers.
func (a *App) deskRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/dashboard", a.communityDashboard, auth)
	g.GET("/communities/:cid/dashboard/records", a.dashboardRecords, auth)
	g.GET("/streets", a.listStreets, auth)
	g.POST("/streets", a.createStreet, auth)
	g.GET("/streets/:sid/observers", a.listStreetObservers, auth)
	g.POST("/streets/:sid/observers", a.addStreetObserver, auth)
	g.DELETE("/streets/:sid/observers/:uid", a.removeStreetObserver, auth)
	g.PUT("/streets/:sid/communities/:cid", a.addStreetCommunity, auth)
	g.GET("/streets/:sid/dashboard", a.streetDashboard, auth)
}

type dashboardQuery struct {
	From       string `query:"from" json:"from" validate:"max=10"`
	To         string `query:"to" json:"to" validate:"max=10"`
	CompoundID string `query:"compound_id" json:"compound_id" validate:"max=20"`
	Kind       string `query:"kind" json:"kind" validate:"omitempty,oneof=cycles topics cards meetings resolutions items survey claims escalations"`
	Status     string `query:"status" json:"status" validate:"max=20"`
}

// dashboardFilter reads and checks the range and the compound of a dashboard request.
func (a *App) dashboardFilter(c echo.Context) (models.DashboardFilter, dashboardQuery, error) {
	q := dashboardQuery{From: c.QueryParam("from"), To: c.QueryParam("to"), CompoundID: c.QueryParam("compound_id"),
		Kind: c.QueryParam("kind"), Status: c.QueryParam("status")}
	if err := check(&q); err != nil {
		return models.DashboardFilter{}, q, err
	}
	var compound uint64
	if q.CompoundID != "" {
		v, err := strconv.ParseUint(q.CompoundID, 10, idBits)
		if err != nil || v == 0 {
			return models.DashboardFilter{}, q, models.FieldError("compound_id", "invalid")
		}
		compound = v
	}
	f, err := models.NormalizeDashboardFilter(q.From, q.To, compound, a.store.Now())
	return f, q, err
}

func (a *App) communityDashboard(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	f, _, err := a.dashboardFilter(c)
	if err != nil {
		return err
	}
	d, err := a.store.CommunityDashboard(c.Request().Context(), actor(c), cid, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (a *App) dashboardRecords(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	f, q, err := a.dashboardFilter(c)
	if err != nil {
		return err
	}
	if q.Kind == "" {
		q.Kind = "cycles"
	}
	recs, err := a.store.DashboardRecords(c.Request().Context(), actor(c), cid, f, q.Kind, q.Status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": recs, "truncated": len(recs) == models.MaxDashRecords})
}

func (a *App) streetDashboard(c echo.Context) error {
	sid, err := pathID(c, "sid")
	if err != nil {
		return err
	}
	f, _, err := a.dashboardFilter(c)
	if err != nil {
		return err
	}
	d, err := a.store.StreetDashboard(c.Request().Context(), actor(c), sid, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (a *App) listStreets(c echo.Context) error {
	sts, err := a.store.ListStreets(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": sts})
}

type streetRequest struct {
	Name     string `json:"name" validate:"required,notblank,max=100"`
	District string `json:"district" validate:"required,notblank,max=100"`
	City     string `json:"city" validate:"required,notblank,max=100"`
}

func (a *App) createStreet(c echo.Context) error {
	var req streetRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	st, err := a.store.CreateStreet(c.Request().Context(), actor(c), models.StreetInput{Name: req.Name, District: req.District, City: req.City})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

// streetObserverRequest names the observer by user id or by the phone of an account.
type streetObserverRequest struct {
	UserID uint64 `json:"user_id" validate:"omitempty,id"`
	Phone  string `json:"phone" validate:"omitempty,cnphone"`
}

func (a *App) addStreetObserver(c echo.Context) error {
	sid, err := pathID(c, "sid")
	if err != nil {
		return err
	}
	var req streetObserverRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.UserID == 0 && req.Phone == "" {
		return models.FieldError("phone", "required")
	}
	in := models.StreetObserverInput{UserID: req.UserID, Phone: req.Phone}
	if err := a.store.AddStreetObserver(c.Request().Context(), actor(c), sid, in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *App) listStreetObservers(c echo.Context) error {
	sid, err := pathID(c, "sid")
	if err != nil {
		return err
	}
	obs, err := a.store.ListStreetObservers(c.Request().Context(), actor(c), sid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": obs})
}

func (a *App) removeStreetObserver(c echo.Context) error {
	sid, err := pathID(c, "sid")
	if err != nil {
		return err
	}
	uid, err := pathID(c, "uid")
	if err != nil {
		return err
	}
	if err := a.store.RemoveStreetObserver(c.Request().Context(), actor(c), sid, uid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *App) addStreetCommunity(c echo.Context) error {
	sid, err := pathID(c, "sid")
	if err != nil {
		return err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	st, err := a.store.AddStreetCommunity(c.Request().Context(), actor(c), sid, cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
