package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// The inbox, its live stream and preferences, the satisfaction survey and the committee's
// sign-off (docs/notifications.md).
func (a *App) notifyRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/me/notifications", a.listNotifications, auth)
	g.POST("/me/notifications/read", a.markNotificationsRead, auth)
	g.GET("/me/notifications/stream", a.streamNotifications, auth)
	g.GET("/me/notification-preferences", a.notificationPrefs, auth)
	g.PUT("/me/notification-preferences", a.setNotificationPrefs, auth)
	g.GET("/resolutions/:id/survey", a.getSurvey, auth)
	g.POST("/resolutions/:id/survey-answers", a.answerSurvey, auth)
	g.POST("/resolutions/:id/acceptance", a.signOff, auth)
	g.POST("/resolutions/:id/reopen", a.reopenResolution, auth)
}

// notificationView is a notification rendered in its reader's language.
type notificationView struct {
	ID          uint64         `json:"id"`
	Type        string         `json:"type"`
	SubjectType string         `json:"subject_type"`
	SubjectID   uint64         `json:"subject_id"`
	CommunityID uint64         `json:"community_id"`
	Title       string         `json:"title"`
	Body        string         `json:"body"`
	Params      map[string]any `json:"params"`
	ReadAt      *time.Time     `json:"read_at"`
	CreatedAt   time.Time      `json:"created_at"`
}

// userLocale is the language a user chose (zh-CN unless English).
func userLocale(u *models.User) string {
	if u != nil && strings.HasPrefix(strings.ToLower(u.Locale), "en") {
		return LocaleEN
	}
	return LocaleZH
}

// RenderNotification puts a notification of a kind into words of a language, from the
// catalog's notify.<kind>.title and .body with the notification's parameters. A string
// parameter p with a value v also offers {p_name}, the catalog's notify.<p>.<v> when there is
// one (a phase, a status), so codes are never shown raw.
func RenderNotification(locale, kind string, params map[string]any) (title, body string) {
	p := make(map[string]any, len(params)*2)
	for k, v := range params {
		p[k] = v
		if s, ok := v.(string); ok {
			if name, ok := catalog[locale]["notify."+k+"."+s]; ok {
				p[k+"_name"] = name
			} else if name, ok := catalog[LocaleZH]["notify."+k+"."+s]; ok {
				p[k+"_name"] = name
			}
		}
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			p[k] = strconv.FormatInt(int64(f), 10)
		}
	}
	return T(locale, "notify."+kind+".title", p), T(locale, "notify."+kind+".body", p)
}

func renderNotification(locale string, n *models.Notification) notificationView {
	title, body := RenderNotification(locale, n.Type, n.Data)
	params := n.Data
	if params == nil {
		params = map[string]any{}
	}
	return notificationView{ID: n.ID, Type: n.Type, SubjectType: n.SubjectType, SubjectID: n.SubjectID,
		CommunityID: n.CommunityID, Title: title, Body: body, Params: params, ReadAt: n.ReadAt, CreatedAt: n.CreatedAt}
}

type listNotificationsQuery struct {
	Limit  int    `validate:"min=0,max=200"`
	Cursor string `validate:"max=100"`
}

// notificationsPage is an inbox page: the list envelope with the unread count.
type notificationsPage struct {
	Items      []notificationView `json:"items"`
	NextCursor string             `json:"next_cursor"`
	Unread     int64              `json:"unread"`
}

func (a *App) listNotifications(c echo.Context) error {
	q := listNotificationsQuery{Cursor: c.QueryParam("cursor")}
	var err error
	if v := c.QueryParam("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil {
			return models.FieldError("limit", "invalid")
		}
	}
	if err := check(&q); err != nil {
		return err
	}
	before, err := decodeCursor(q.Cursor)
	if err != nil {
		return err
	}
	unreadOnly := c.QueryParam("unread") == "true"
	pg, err := a.store.ListNotifications(c.Request().Context(), actor(c), before, q.Limit, unreadOnly)
	if err != nil {
		return err
	}
	loc := userLocale(currentUser(c))
	out := notificationsPage{Items: make([]notificationView, 0, len(pg.Items)), Unread: pg.Unread}
	for i := range pg.Items {
		out.Items = append(out.Items, renderNotification(loc, &pg.Items[i]))
	}
	if pg.Next != 0 {
		out.NextCursor = encodeCursor(pg.Next)
	}
	return c.JSON(http.StatusOK, out)
}

type markReadRequest struct {
	IDs []uint64 `json:"ids" validate:"max=200,dive,id"`
	All bool     `json:"all"`
}

func (a *App) markNotificationsRead(c echo.Context) error {
	var req markReadRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	n, err := a.store.MarkNotificationsRead(c.Request().Context(), actor(c), req.IDs, req.All)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"unread": n})
}

func (a *App) notificationPrefs(c echo.Context) error {
	ps, err := a.store.NotificationPrefs(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ps})
}

type setPrefsRequest struct {
	Off []string `json:"off" validate:"max=50,dive,max=40"`
}

func (a *App) setNotificationPrefs(c echo.Context) error {
	var req setPrefsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ps, err := a.store.SetNotificationPrefs(c.Request().Context(), actor(c), req.Off)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ps})
}

func (a *App) getSurvey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	st, err := a.store.Survey(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

type surveyAnswerRequest struct {
	Level       string  `json:"level" validate:"required,oneof=satisfied basically_satisfied dissatisfied very_dissatisfied"`
	HouseholdID *uint64 `json:"household_id" validate:"omitnil,id"`
	Via         string  `json:"via" validate:"omitempty,oneof=visit"`
}

func (a *App) answerSurvey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req surveyAnswerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ans, err := a.store.AnswerSurvey(c.Request().Context(), actor(c), id,
		models.SurveyInput{Level: req.Level, HouseholdID: req.HouseholdID, Via: req.Via})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ans)
}

type acceptanceRequest struct {
	Decision string `json:"decision" validate:"required,oneof=accept refuse"`
	Remarks  string `json:"remarks" text:"multiline" validate:"max=2000"`
}

func (a *App) signOff(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req acceptanceRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := a.store.SignOff(c.Request().Context(), actor(c), id, models.AcceptanceInput{Decision: req.Decision, Remarks: req.Remarks})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

type reopenRequest struct {
	Reason string `json:"reason" text:"multiline" validate:"required,notblank,max=500"`
}

func (a *App) reopenResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reopenRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := a.store.ReopenResolution(c.Request().Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// notificationFrame is one notification as the live stream writes it, with the unread count.
func notificationFrame(v notificationView, unread int64) []byte {
	data, _ := jsonMarshal(map[string]any{"notification": v, "unread": unread})
	return []byte(fmt.Sprintf("id: %d\nevent: notification\ndata: %s\n\n", v.ID, data))
}
