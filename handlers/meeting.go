package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) meetingRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/cycles/:id/meetings", a.listMeetings, auth)
	g.POST("/cycles/:id/meetings", a.scheduleMeeting, auth)
	g.POST("/meetings/join", a.joinMeeting, auth)
	g.GET("/meetings/:id", a.getMeeting, auth)
	g.POST("/meetings/:id/start", a.startMeeting, auth)
	g.POST("/meetings/:id/end", a.endMeeting, auth)
	g.POST("/meetings/:id/display-token", a.renewDisplayToken, auth)
	g.GET("/meetings/:id/wall-link", a.wallLink, auth)
	g.GET("/meetings/:id/attendance", a.listAttendance, auth)
	g.POST("/meetings/:id/attendance", a.checkIn, auth)
	g.GET("/meetings/:id/stream", a.streamMeeting, auth)
	g.GET("/meetings/:id/cluster-suggestions", a.clusterSuggestions, auth)
}

func (a *App) clusterSuggestions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := a.store.ClusterSuggestions(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, 0))
}

func (a *App) listMeetings(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ms, err := a.store.ListMeetings(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(ms, 0))
}

type agendaItemRequest struct {
	Title   string `json:"title" validate:"required,notblank,max=100"`
	Minutes int    `json:"minutes" validate:"min=1,max=240"`
}

type scheduleMeetingRequest struct {
	Title           string              `json:"title" validate:"required,notblank,max=100"`
	StartsAt        string              `json:"starts_at" validate:"required"`
	Location        string              `json:"location" validate:"required,notblank,max=200"`
	Agenda          []agendaItemRequest `json:"agenda" validate:"max=20,dive"`
	Quorum          *int                `json:"quorum" validate:"omitnil,min=0,max=10000"`
	SpeechSeconds   *int                `json:"speech_seconds" validate:"omitnil,min=30,max=600"`
	SpeechesPerItem *int                `json:"speeches_per_item" validate:"omitnil,min=1,max=10"`
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (a *App) scheduleMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req scheduleMeetingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, req.StartsAt)
	if err != nil {
		return models.FieldError("starts_at", "datetime")
	}
	in := models.MeetingInput{Title: req.Title, StartsAt: at, Location: req.Location, Quorum: deref(req.Quorum),
		SpeechSeconds: deref(req.SpeechSeconds), SpeechesPerItem: deref(req.SpeechesPerItem)}
	for _, it := range req.Agenda {
		in.Agenda = append(in.Agenda, models.AgendaItem{Title: it.Title, Minutes: it.Minutes})
	}
	m, err := a.store.ScheduleMeeting(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

func (a *App) getMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := a.store.GetMeeting(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (a *App) startMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := a.store.StartMeeting(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type minutesRequest struct {
	Summary string   `json:"summary" validate:"required,notblank,max=5000" text:"multiline"`
	CardIDs []uint64 `json:"card_ids" validate:"max=100,dive,id"`
}

type endMeetingRequest struct {
	Minutes minutesRequest `json:"minutes" validate:"required"`
}

func (a *App) endMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req endMeetingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := a.store.EndMeeting(c.Request().Context(), actor(c), id,
		models.MinutesInput{Summary: req.Minutes.Summary, CardIDs: req.Minutes.CardIDs})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type displayTokenResponse struct {
	DisplayToken string `json:"display_token"`
}

func (a *App) renewDisplayToken(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tok, err := a.store.RenewDisplayToken(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, displayTokenResponse{DisplayToken: tok})
}

type wallLinkResponse struct {
	URL          string `json:"url"`
	DisplayToken string `json:"display_token"`
}

// wallLink answers the wall's current address to the meeting's facilitators and admins, on any
// computer, without retiring the wall on the projector.
func (a *App) wallLink(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tok, err := a.store.WallToken(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wallLinkResponse{URL: strings.TrimRight(a.cfg.BaseURL, "/") + "/display/" + tok, DisplayToken: tok})
}

type joinMeetingRequest struct {
	Code   string `json:"code" validate:"required,len=6"`
	Method string `json:"method" validate:"omitempty,oneof=code qr"`
}

type joinResponse struct {
	Meeting    *models.Meeting    `json:"meeting"`
	Attendance *models.Attendance `json:"attendance"`
}

func (a *App) joinMeeting(c echo.Context) error {
	var req joinMeetingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, att, created, err := a.store.JoinMeeting(c.Request().Context(), actor(c), req.Code, req.Method)
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(created), joinResponse{Meeting: m, Attendance: att})
}

// createdOrOK is 201 for a new row and 200 for the one an earlier request made.
func createdOrOK(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (a *App) listAttendance(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	l, err := a.store.ListAttendance(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

type checkInRequest struct {
	UserID *uint64 `json:"user_id" validate:"omitnil,id"`
	Name   string  `json:"name" validate:"max=50"`
}

func (a *App) checkIn(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req checkInRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	att, created, err := a.store.CheckIn(c.Request().Context(), actor(c), id,
		models.CheckInInput{UserID: req.UserID, Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(created), att)
}

// streamMeeting streams what happens in a meeting and its cycle to a member of the community:
// the meeting's own events and those of the cycle's topics, cards and phases. Events meant for
// the committee reach only facilitators, admins and the committee.
func (a *App) streamMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := a.store.GetMeeting(ctx, actor(c), id)
	if err != nil {
		return err
	}
	acc, err := a.store.Access(ctx, actor(c), m.CommunityID)
	if err != nil {
		return err
	}
	privileged := acc.Has(models.RoleFacilitator, models.RoleAdmin, models.RoleCommittee)
	return a.serveStream(c, m.CommunityID, meetingFilter(m.ID, m.CycleID, privileged))
}

// meetingFilter keeps the events of one meeting and its cycle.
func meetingFilter(meetingID, cycleID uint64, privileged bool) func(*models.Event) bool {
	return func(e *models.Event) bool {
		if e.Visibility == models.VisCommittee && !privileged {
			return false
		}
		switch {
		case e.SubjectType == "meeting" && e.SubjectID == meetingID,
			e.SubjectType == "cycle" && e.SubjectID == cycleID:
			return true
		}
		ref := e.Refs
		return ref.MeetingID == meetingID || (ref.MeetingID == 0 && ref.CycleID == cycleID)
	}
}
