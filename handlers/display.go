package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
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
	Mode      string  `json:"mode" validate:"required,oneof=join topic cards cluster speaker poll resolution message blank"`
	ClusterID *uint64 `json:"cluster_id" validate:"omitempty,id"`
	PollID    *uint64 `json:"poll_id" validate:"omitempty,id"`
	// ResolutionID goes with the resolution mode only: a resolution of this meeting.
	ResolutionID *uint64 `json:"resolution_id" validate:"omitempty,id"`
	Message      string  `json:"message" validate:"max=200"`
	// Page goes with the cards and cluster modes only (the store's wall_page_mode_only).
	Page int `json:"page" validate:"min=0,max=99"`
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
	w, err := a.store.SetProjector(c.Request().Context(), actor(c), id,
		models.ProjectorInput{Mode: req.Mode, ClusterID: req.ClusterID, PollID: req.PollID, Message: req.Message,
			ResolutionID: req.ResolutionID, Page: req.Page})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.withJoinURL(w))
}

// projectorPreviewQuery asks the console's preview for the wall as a mode would show it.
type projectorPreviewQuery struct {
	Mode         string  `query:"mode" json:"mode" validate:"omitempty,oneof=join topic cards cluster speaker poll resolution message blank"`
	ClusterID    *uint64 `query:"cluster_id" json:"cluster_id" validate:"omitempty,id"`
	PollID       *uint64 `query:"poll_id" json:"poll_id" validate:"omitempty,id"`
	ResolutionID *uint64 `query:"resolution_id" json:"resolution_id" validate:"omitempty,id"`
	Message      string  `query:"message" json:"message" validate:"max=200"`
}

// getProjector answers the wall as it shows now, or with ?mode= as it would show that mode.
func (a *App) getProjector(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q := projectorPreviewQuery{Mode: c.QueryParam("mode"), Message: c.QueryParam("message")}
	for name, to := range map[string]**uint64{"cluster_id": &q.ClusterID, "poll_id": &q.PollID,
		"resolution_id": &q.ResolutionID} {
		if v := c.QueryParam(name); v != "" {
			n, err := strconv.ParseUint(v, 10, idBits)
			if err != nil {
				return models.FieldError(name, "invalid")
			}
			*to = &n
		}
	}
	if err := check(&q); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var w *models.Wall
	if q.Mode == "" && q.ClusterID == nil && q.PollID == nil && q.ResolutionID == nil && q.Message == "" {
		w, err = a.store.Projector(ctx, actor(c), id)
	} else {
		w, err = a.store.PreviewProjector(ctx, actor(c), id,
			models.ProjectorInput{Mode: q.Mode, ClusterID: q.ClusterID, PollID: q.PollID, Message: q.Message,
				ResolutionID: q.ResolutionID})
	}
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
// projector.changed), so no user id, name, stance, group label, choice or count reaches it; a
// sign-in arrives as attendance.changed, without the attendance or the person; a ballot as
// poll.ballot_cast of the poll, without the voter or the choice. A renewed display token ends the stream; reconnecting with the old token is 404.
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
	mode, shown, err := a.store.ProjectorShows(ctx, m)
	if err != nil {
		return err
	}
	return a.streamFrom(c, m.CommunityID, next, wallFilter(m.ID, m.CycleID, mode, shown),
		&stream.Shaper{Key: wallKey{m.ID}, Fn: wallShape(m.ID)})
}

// wallPayload is the payload of every event the wall's stream carries: the meeting and, for
// projector.changed, the mode.
type wallPayload struct {
	MeetingID uint64 `json:"meeting_id"`
	Mode      string `json:"mode,omitempty"`
}

// wallFilter keeps what changes the wall of one meeting: its projector, status, display token
// and sign-ins; the cycle's cards and the meeting's grouping while the wall shows the card wall
// or one group; the speaker queue and the agenda item while it shows the speaker; the poll's
// opening, ballots, offline counts and close while it shows that poll; every change of the
// resolution it shows in the resolution mode. shown is the poll or the resolution the mode shows
// (0 for the others). It follows the mode (and what it shows) through the projector.changed
// events it sees; the broker calls it from one goroutine, in log order.
func wallFilter(meetingID, cycleID uint64, mode string, shown uint64) func(*models.Event) bool {
	return func(e *models.Event) bool {
		ref := e.Refs
		own := e.SubjectType == "meeting" && e.SubjectID == meetingID
		grouping := mode == models.ProjectorCards || mode == models.ProjectorCluster
		switch e.Type {
		case models.EvProjectorChanged:
			if own {
				mode, shown = ref.Mode, ref.PollID
				if mode == models.ProjectorResolution {
					shown = ref.ResolutionID
				}
			}
			return own
		case models.EvMeetingStarted, models.EvMeetingEnded, models.EvMeetingDisplayTokenRenewed:
			return own
		case models.EvAttendanceCheckedIn:
			return ref.MeetingID == meetingID
		case models.EvCardCreated:
			return mode == models.ProjectorCards && ref.CycleID == cycleID
		case models.EvCardCorrected:
			return (mode == models.ProjectorCards || grouping) && ref.CycleID == cycleID
		case models.EvCardHidden, models.EvCardRestored, models.EvCardWithdrawn:
			return grouping && ref.CycleID == cycleID
		case models.EvClusterCreated, models.EvClusterRenamed, models.EvClusterReordered, models.EvClusterDissolved,
			models.EvCardGrouped, models.EvCardUngrouped:
			return grouping && ref.MeetingID == meetingID
		case models.EvSpeakerAsked, models.EvSpeakerStarted, models.EvSpeakerFinished, models.EvSpeakerWithdrawn:
			return mode == models.ProjectorSpeaker && ref.MeetingID == meetingID
		case models.EvMeetingItemChanged:
			return mode == models.ProjectorSpeaker && own
		case models.EvPollOpened, models.EvPollBallotCast, models.EvPollBallotChanged, models.EvPollOfflineTallySet,
			models.EvPollClosed:
			return mode == models.ProjectorPoll && e.SubjectType == "poll" && e.SubjectID == shown && shown != 0
		}
		return mode == models.ProjectorResolution && e.SubjectType == "resolution" && e.SubjectID == shown && shown != 0
	}
}

// wallKey is the shaper key of a meeting's walls: they all see each event alike.
type wallKey struct{ meetingID uint64 }

// wallShape rewrites an event for the wall: the payload keeps only the meeting id and a
// projector mode; a sign-in becomes attendance.changed of the meeting. A renewed display token
// is the stream's last event.
func wallShape(meetingID uint64) func(models.Event) (models.Event, bool) {
	return func(e models.Event) (models.Event, bool) {
		out := models.Event{ID: e.ID, Seq: e.Seq, Type: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
			CreatedAt: e.CreatedAt}
		payload := wallPayload{MeetingID: meetingID}
		switch e.Type {
		case models.EvAttendanceCheckedIn:
			out.Type, out.SubjectType, out.SubjectID = models.EvAttendanceChanged, "meeting", meetingID
		case models.EvProjectorChanged:
			var p models.ProjectorChangedPayload
			_ = json.Unmarshal(e.Data, &p)
			payload.Mode = p.Mode
		}
		out.Data, _ = json.Marshal(payload)
		return out, e.Type != models.EvMeetingDisplayTokenRenewed
	}
}
