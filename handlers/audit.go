package handlers

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) auditRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/events", a.listEvents, auth)
	g.GET("/communities/:cid/audit/verify", a.verifyAudit, auth)
}

var subjectTypePattern = regexp.MustCompile(`^[a-z_]{1,20}$`)

// eventFilter reads the audit trail's search (docs/audit-trail.md "Searching the log"): type (or
// a family, "item."), subject_type, subject_id, actor_id, from and to (days in China Standard
// Time, both included, or RFC 3339 instants), after/before cursors, order=desc, limit.
func eventFilter(c echo.Context) (models.EventFilter, error) {
	var f models.EventFilter
	var err error
	id := func(name string) (uint64, error) {
		v := c.QueryParam(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(v, 10, idBits)
		if err != nil {
			return 0, models.FieldError(name, "invalid")
		}
		return n, nil
	}
	if f.Type = c.QueryParam("type"); f.Type != "" {
		family := strings.HasSuffix(f.Type, ".") && subjectTypePattern.MatchString(strings.TrimSuffix(f.Type, "."))
		if !family && !models.EventType(f.Type).Declared() {
			return f, models.FieldError("type", "unknown_event_type")
		}
	}
	if f.SubjectType = c.QueryParam("subject_type"); f.SubjectType != "" && !subjectTypePattern.MatchString(f.SubjectType) {
		return f, models.FieldError("subject_type", "invalid")
	}
	for name, dst := range map[string]*uint64{"subject_id": &f.SubjectID, "actor_id": &f.ActorID, "after": &f.After, "before": &f.Before} {
		if *dst, err = id(name); err != nil {
			return f, err
		}
	}
	day := func(name string, end bool) (time.Time, error) {
		v := c.QueryParam(name)
		if v == "" {
			return time.Time{}, nil
		}
		if t, err := time.ParseInLocation(time.DateOnly, v, shanghaiZone); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		return time.Time{}, models.FieldError(name, "date_format")
	}
	if f.From, err = day("from", false); err != nil {
		return f, err
	}
	if f.To, err = day("to", true); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, models.FieldError("to", "range_reversed")
	}
	switch c.QueryParam("order") {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return f, models.FieldError("order", "invalid")
	}
	if v := c.QueryParam("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 0 || f.Limit > 200 {
			return f, models.FieldError("limit", "invalid")
		}
	}
	return f, nil
}

func (a *App) listEvents(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	evs, err := a.store.SearchEvents(c.Request().Context(), actor(c), cid, f)
	if err != nil {
		return err
	}
	p := page(evs, 0)
	if len(evs) > 0 && len(evs) == limitOr(f.Limit) {
		last := evs[len(evs)-1].ID
		p.NextCursor = strconv.FormatUint(last, 10)
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
