package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// displayRoutes: the facilitator's projector controls, and the wall itself, which needs no
// login — its display token (a capability URL, renewable) is in the path, so a projector's
// browser and EventSource open both without cookies or headers.
func (a *App) displayRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/meetings/:id/projector", a.getProjector, auth)
	g.PUT("/meetings/:id/projector", a.setProjector, auth)
	g.GET("/display/:token", a.getDisplay)
	g.GET("/display/:token/stream", a.streamDisplay)
}

type setProjectorRequest struct {
	Mode    string `json:"mode" validate:"required,oneof=join topic cards message blank"`
	Message string `json:"message" validate:"max=200"`
}

func (a *App) setProjector(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req setProjectorRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	w, err := a.store.SetProjector(c.Request().Context(), actor(c), id, models.ProjectorInput{Mode: req.Mode, Message: req.Message})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.withJoinURL(w))
}

func (a *App) getProjector(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := a.store.Projector(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.withJoinURL(w))
}

func (a *App) getDisplay(c echo.Context) error {
	w, err := a.store.WallByDisplayToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	// The path is a capability: no cache may keep the answer.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, a.withJoinURL(w))
}

// withJoinURL adds the address the wall's QR code encodes: the join page with the code filled in.
func (a *App) withJoinURL(w *models.Wall) *models.Wall {
	if w.JoinCode != "" {
		w.JoinURL = strings.TrimRight(a.cfg.BaseURL, "/") + "/join?code=" + url.QueryEscape(w.JoinCode)
	}
	return w
}

// streamDisplay streams to the wall the signals it needs to fetch GET /display/:token again —
// never content: each event's payload is cut down to the meeting id (and the mode, for
// projector.changed), and a sign-in arrives as attendance.changed, without the attendance or
// the person. A renewed display token ends the stream; reconnecting with the old token is 404.
func (a *App) streamDisplay(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := a.store.MeetingByDisplayToken(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	next, err := a.resumePoint(ctx, c, m.CommunityID)
	if err != nil {
		return err
	}
	// The mode is read after the resume point: a change committed in between is both in what is
	// read here and among the events the stream delivers.
	mode, err := a.store.ProjectorMode(ctx, m)
	if err != nil {
		return err
	}
	return a.streamFrom(c, m.CommunityID, next, wallFilter(m.ID, m.CycleID, mode), wallShape(m.ID))
}

// wallRef is what the wall's filter reads of a payload.
type wallRef struct {
	MeetingID uint64 `json:"meeting_id"`
	CycleID   uint64 `json:"cycle_id"`
	Mode      string `json:"mode"`
}

// wallFilter keeps what changes the wall of one meeting: its projector, status, display token
// and sign-ins, and the cycle's cards while the wall shows cards. It follows the mode through
// the projector.changed events it sees; the broker calls it from one goroutine, in log order.
func wallFilter(meetingID, cycleID uint64, mode string) func(*models.Event) bool {
	return func(e *models.Event) bool {
		ref := e.Refs
		own := e.SubjectType == "meeting" && e.SubjectID == meetingID
		switch e.Type {
		case "projector.changed":
			if own {
				mode = ref.Mode
			}
			return own
		case "meeting.started", "meeting.ended", "meeting.display_token_renewed":
			return own
		case "attendance.checked_in":
			return ref.MeetingID == meetingID
		case "card.created", "card.hidden", "card.restored", "card.withdrawn":
			return mode == models.ProjectorCards && ref.CycleID == cycleID
		}
		return false
	}
}

// wallShape rewrites an event for the wall: the payload keeps only the meeting id and a
// projector mode; a sign-in becomes attendance.changed of the meeting. A renewed display token
// is the stream's last event.
func wallShape(meetingID uint64) func(models.Event) (models.Event, bool) {
	return func(e models.Event) (models.Event, bool) {
		var ref wallRef
		_ = json.Unmarshal(e.Data, &ref)
		out := models.Event{ID: e.ID, Seq: e.Seq, Type: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
			CreatedAt: e.CreatedAt}
		payload := map[string]any{"meeting_id": meetingID}
		switch e.Type {
		case "attendance.checked_in":
			out.Type, out.SubjectType, out.SubjectID = "attendance.changed", "meeting", meetingID
		case "projector.changed":
			payload["mode"] = ref.Mode
		}
		out.Data, _ = json.Marshal(payload)
		return out, e.Type != "meeting.display_token_renewed"
	}
}
