package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// AccessTTL is the life of an access token.
const AccessTTL = 15 * time.Minute

// refreshCookie carries the refresh token; it is httpOnly, SameSite=Strict and sent only to the
// auth routes.
const (
	refreshCookie     = "yyt_refresh"
	refreshCookiePath = API + "/auth"
	jwtIssuer         = "yueyuetan"
	jwtAudience       = "yueyuetan-api"
)

type tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// accessClaims are an access token's claims: the registered ones and the session it belongs to.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// issue signs an access token of the user's session.
func (t *tokens) issue(userID uint64, sessionID string) (string, error) {
	now := t.now()
	claims := accessClaims{RegisteredClaims: jwt.RegisteredClaims{
		Subject:   strconv.FormatUint(userID, 10),
		Issuer:    jwtIssuer,
		Audience:  jwt.ClaimStrings{jwtAudience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}, SessionID: sessionID}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
}

// parse checks an access token — HS256 only, typ JWT, our issuer and audience, an expiry not yet
// passed, a user id that fits the database's ids and a session id — and returns the user and
// session ids. Anything unusable is the same 401. A token without a session id (issued before
// sessions had ids) is unusable: the client renews it with its refresh token.
func (t *tokens) parse(raw string) (uint64, string, error) {
	ended := models.Errorf(models.EUNAUTHORIZED, "session_ended")
	var claims accessClaims
	tok, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(jwtIssuer),
		jwt.WithAudience(jwtAudience), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	if err != nil {
		return 0, "", ended
	}
	if typ, ok := tok.Header["typ"].(string); !ok || typ != "JWT" {
		return 0, "", ended
	}
	id, err := strconv.ParseUint(claims.Subject, 10, 63)
	if err != nil || id == 0 || !validSessionID(claims.SessionID) {
		return 0, "", ended
	}
	return id, claims.SessionID, nil
}

// validSessionID accepts what models.Session ids look like: base64url, of a sane length.
func validSessionID(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// requireUser authenticates the bearer token and loads the user together with the token's
// session, so a closed account, an ended session or a withdrawn superadmin flag takes effect at
// once, on every instance.
func (a *App) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, raw, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
			return models.Errorf(models.EUNAUTHORIZED, "login_required")
		}
		id, sid, err := a.tokens.parse(strings.TrimSpace(raw))
		if err != nil {
			return err
		}
		u, err := a.store.SessionUser(c.Request().Context(), id, sid)
		if err != nil {
			return err
		}
		c.Set("user", u)
		c.Set("session", sid)
		return next(c)
	}
}

func currentUser(c echo.Context) *models.User {
	u, _ := c.Get("user").(*models.User)
	return u
}

func actor(c echo.Context) models.Actor {
	if u := currentUser(c); u != nil {
		return u.Actor()
	}
	return models.Actor{}
}

func (a *App) authRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/auth/register", a.register)
	g.POST("/auth/login", a.login)
	g.POST("/auth/refresh", a.refresh)
	g.POST("/auth/logout", a.logout)
	g.GET("/register/communities", a.registerCommunities)
	g.GET("/register/communities/:cid/places", a.registerPlaces)
	g.GET("/me", a.me, auth)
	g.PATCH("/me", a.updateMe, auth)
	g.GET("/me/export", a.exportMe, auth)
	g.POST("/me/close", a.closeMe, auth)
}

type session struct {
	AccessToken string       `json:"access_token"`
	TokenType   string       `json:"token_type"`
	ExpiresIn   int          `json:"expires_in"`
	User        *models.User `json:"user"`
	// Memberships as GET /me has them, on a refresh that asked for them (include=memberships):
	// a phone restoring its session gets who it is in one round trip instead of two
	// (docs/phone.md). Nil, and left out, otherwise.
	Memberships *[]models.MemberView `json:"memberships,omitempty"`
}

// startSession answers with an access token and sets the refresh cookie.
func (a *App) startSession(c echo.Context, status int, u *models.User, sess models.Session) error {
	return a.startSessionWith(c, status, u, sess, nil)
}

// startSessionWith is startSession with the caller's memberships in the answer (when not nil).
func (a *App) startSessionWith(c echo.Context, status int, u *models.User, sess models.Session, ms *[]models.MemberView) error {
	access, err := a.tokens.issue(u.ID, sess.ID)
	if err != nil {
		return err
	}
	a.setRefreshCookie(c, sess.Refresh, int(models.RefreshTTL.Seconds()))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, session{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTTL.Seconds()), User: u,
		Memberships: ms})
}

func (a *App) setRefreshCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: refreshCookie, Value: value, Path: refreshCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

type registerRequest struct {
	Phone          string  `json:"phone" validate:"required,cnphone"`
	Name           string  `json:"name" validate:"required,notblank,max=50"`
	Password       string  `json:"password" validate:"required,max=128" text:"raw"`
	CommunityID    uint64  `json:"community_id" validate:"required,id"`
	CompoundID     *uint64 `json:"compound_id" validate:"omitnil,id"`
	HouseholdID    *uint64 `json:"household_id" validate:"omitnil,id"`
	PrivacyConsent bool    `json:"privacy_consent"`
}

func (a *App) register(c echo.Context) error {
	var req registerRequest
	if err := withPasswordRules(bindJSON(c, &req), "password", req.Password, req.Phone); err != nil {
		return err
	}
	u, refresh, err := a.store.RegisterSession(c.Request().Context(), models.RegisterInput{Phone: req.Phone,
		Name: req.Name, Password: req.Password, CommunityID: req.CommunityID, CompoundID: req.CompoundID,
		HouseholdID: req.HouseholdID, PrivacyConsent: req.PrivacyConsent, Locale: localeOf(c), ClientAddr: c.RealIP()})
	if err != nil {
		return err
	}
	return a.startSession(c, http.StatusCreated, u, refresh)
}

type loginRequest struct {
	Phone    string `json:"phone" validate:"required,max=32"`
	Password string `json:"password" validate:"required,max=128" text:"raw"`
}

func (a *App) login(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, refresh, err := a.store.Login(c.Request().Context(), req.Phone, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	return a.startSession(c, http.StatusOK, u, refresh)
}

func (a *App) refresh(c echo.Context) error {
	include := c.QueryParam("include")
	if include != "" && include != "memberships" {
		return models.FieldError("include", "include_unknown")
	}
	ck, err := c.Cookie(refreshCookie)
	if err != nil {
		return models.Errorf(models.EUNAUTHORIZED, "session_ended")
	}
	u, next, err := a.store.Refresh(c.Request().Context(), ck.Value)
	if err != nil {
		var de *models.Error
		if errors.As(err, &de) && de.Code == models.EUNAUTHORIZED {
			a.setRefreshCookie(c, "", -1)
		}
		return err
	}
	if include == "" {
		return a.startSession(c, http.StatusOK, u, next)
	}
	// The refresh has rotated the token: from here on the answer must carry it, so a failed
	// read of the memberships still answers the session (the UI then asks GET /me).
	me, err := a.store.MeOf(c.Request().Context(), u)
	if err != nil {
		return a.startSession(c, http.StatusOK, u, next)
	}
	return a.startSessionWith(c, http.StatusOK, u, next, &me.Memberships)
}

func (a *App) logout(c echo.Context) error {
	if ck, err := c.Cookie(refreshCookie); err == nil {
		if err := a.store.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	a.setRefreshCookie(c, "", -1)
	return c.NoContent(http.StatusNoContent)
}

func (a *App) registerCommunities(c echo.Context) error {
	cs, err := a.store.PublicCommunities(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cs, 0))
}

func (a *App) registerPlaces(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	tree, err := a.store.PublicPlaces(c.Request().Context(), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tree)
}

func (a *App) me(c echo.Context) error {
	// The middleware loaded the user a moment ago; only the memberships are read again.
	me, err := a.store.MeOf(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

type updateMeRequest struct {
	Name      *string `json:"name" validate:"omitnil,notblank,max=50"`
	Locale    *string `json:"locale" validate:"omitnil,oneof=zh-CN en"`
	LargeText *bool   `json:"large_text"`
}

func (a *App) updateMe(c echo.Context) error {
	var req updateMeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := a.store.UpdateProfile(c.Request().Context(), actor(c),
		models.ProfilePatch{Name: req.Name, Locale: req.Locale, LargeText: req.LargeText})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (a *App) exportMe(c echo.Context) error {
	data, err := a.store.ExportMyData(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		`attachment; filename="yueyuetan-my-data-`+data.ExportedAt.Format("20060102")+`.json"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, data)
}

type closeMeRequest struct {
	Password string `json:"password" validate:"required,max=128" text:"raw"`
}

func (a *App) closeMe(c echo.Context) error {
	var req closeMeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := a.store.CloseAccount(c.Request().Context(), actor(c), req.Password); err != nil {
		return err
	}
	a.setRefreshCookie(c, "", -1)
	return c.NoContent(http.StatusNoContent)
}
