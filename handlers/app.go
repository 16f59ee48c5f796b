package handlers

import (
	"context"
	"crypto/subtle"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/sms"
	"github.com/yueyuetan/yueyuetan/stream"
)

// Config wires the HTTP layer.
type Config struct {
	Store *models.Store
	// JWTSecret signs access tokens (HS256, at least 32 bytes).
	JWTSecret []byte
	// SecureCookies marks the refresh cookie Secure; on when the base URL is https.
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For set by a proxy on a private or
	// loopback address; otherwise the socket's peer address counts.
	TrustProxy bool
	// UI is the built single-page app (or the placeholder page); UIBuilt says which.
	UI      fs.FS
	UIBuilt bool
	Logger  *slog.Logger
	// Ready reports whether the database is reachable and migrated, for /readyz.
	Ready func(context.Context) error
	// Registry receives the HTTP and database metrics; a fresh one is made when nil.
	Registry *prometheus.Registry
	// Now is the clock for token expiry.
	Now func() time.Time
	// Broker delivers events to streams. The caller wires the store's commits to it
	// (server/serve.go) and closes it on shutdown. When nil, one is made that hears of commits
	// only by polling the log.
	Broker *stream.Broker
	// SMS texts password reset codes; nil when no SMS provider is configured (the SMS way of
	// resetting a password is then off).
	SMS sms.Sender
	// BaseURL is the public address of the site (YYT_BASE_URL), for links such as the wall's join QR
	// code; an https address also turns on Strict-Transport-Security.
	BaseURL string
	// MetricsToken, when set, lets /metrics answer anyone presenting it as a bearer token; without
	// it (or the token) only a loopback client that came through no proxy is answered.
	MetricsToken string
	// Backups is the scheduled backups' setting, shown on the admin screen.
	Backups BackupSchedule
}

// App holds what the handlers share.
type App struct {
	cfg    Config
	store  *models.Store
	tokens *tokens
	log    *slog.Logger
	broker *stream.Broker
	// started is when the app was built, for the age of "no backup yet".
	started time.Time
	notes   *noteHub // the live inbox (notify_stream.go)
}

// API is the base path of the JSON API.
const API = "/api/v1"

// New builds the Echo application with every route.
func New(cfg Config) *echo.Echo {
	_, e := build(cfg)
	return e
}

// build makes the App and its Echo application.
func build(cfg Config) (*App, *echo.Echo) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Broker == nil && cfg.Store != nil {
		cfg.Broker = stream.New(cfg.Store, cfg.Logger, stream.Options{})
	}
	a := &App{cfg: cfg, store: cfg.Store, log: cfg.Logger, broker: cfg.Broker, started: cfg.Now(),
		tokens: &tokens{secret: cfg.JWTSecret, ttl: AccessTTL, now: cfg.Now}}
	if cfg.Store != nil {
		a.notes = newNoteHub(cfg.Store, cfg.Logger, cfg.Broker.Closing())
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(cfg.Logger, cfg.Store)
	e.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(middleware.RequestID())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			cfg.Logger.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err,
				"stack", string(stack))
			return err
		}}))
	e.Use(newMetrics(cfg.Registry, cfg.Store).middleware)
	e.Use(securityHeaders(strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://")))

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", echoHandler(cfg.Registry), metricsGuard(cfg.MetricsToken))
	e.GET("/api/openapi.yaml", serveOpenAPI, compressResponses)

	g := e.Group(API, noStore, compressResponses)
	auth := a.requireUser
	a.authRoutes(g, auth)
	a.passwordRoutes(g, auth)
	a.placeRoutes(g, auth)
	a.memberRoutes(g, auth)
	a.auditRoutes(g, auth)
	a.cycleRoutes(g, auth)
	a.cardRoutes(g, auth)
	a.meetingRoutes(g, auth)
	a.displayRoutes(g, auth)
	a.clusterRoutes(g, auth)
	a.speakerRoutes(g, auth)
	a.seatRoutes(g, auth)
	a.pollRoutes(g, auth)
	a.ownerRoutes(g, auth)
	a.paperBallotRoutes(g, auth)
	a.resolutionRoutes(g, auth)
	a.opsRoutes(g, auth)
	a.notifyRoutes(g, auth)
	a.followRoutes(g, auth)

	// ---- desk ----
	a.deskRoutes(g, auth)
	// (end desk)

	// ---- ledger ----
	a.ledgerRoutes(g, auth)
	// (end ledger)

	// ---- follow ----
	a.escalationRoutes(g, auth)
	a.auditTrailRoutes(g, auth)
	// (end follow)

	// ---- paper ----
	a.reviewRoutes(g, auth)
	// (end paper)

	// ---- wall ----
	// (end wall)

	// ---- phone ----
	// (end phone)

	// ---- notice ----
	a.noticeRoutes(g)
	// (end notice)

	g.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
	e.Any("/api/*", func(c echo.Context) error { return echo.ErrNotFound })

	a.spaRoutes(e)
	return a, e
}

// securityHeaders sets the headers every answer carries; hsts adds Strict-Transport-Security, for
// a site served over https.
func securityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "+
				"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// noStore keeps every API answer out of caches: nearly all of them carry personal data. A
// handler that caches deliberately (a card's photo) sets its own Cache-Control afterwards.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// metricsGuard answers /metrics only to a client presenting the configured token, or to a
// loopback client that came through no proxy (a proxy on the same host would otherwise make
// every visitor loopback). Others get 401 when a token is configured, else 404.
func metricsGuard(token string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if token != "" {
				scheme, got, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
				if ok && strings.EqualFold(scheme, "Bearer") &&
					subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1 {
					return next(c)
				}
			}
			if loopbackDirect(r) {
				return next(c)
			}
			if token != "" {
				return models.Errorf(models.EUNAUTHORIZED, "login_required")
			}
			return echo.ErrNotFound
		}
	}
}

// loopbackDirect reports a request whose peer is a loopback address and that names no
// forwarded client.
func loopbackDirect(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// itemsPage is the list envelope of docs/architecture.md "The HTTP API".
type itemsPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func page[T any](items []T, next uint64) itemsPage[T] {
	if items == nil {
		items = []T{}
	}
	p := itemsPage[T]{Items: items}
	if next != 0 {
		p.NextCursor = encodeCursor(next)
	}
	return p
}

func (a *App) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (a *App) readyz(c echo.Context) error {
	// Within a second either way (docs/operations.md "Database outages"): an outage the store
	// has seen (SQLite's disk full answers pings but takes no writes) or a ping that fails.
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
	defer cancel()
	if a.store.Down() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
	}
	if err := a.store.Ping(ctx); err != nil {
		_ = a.store.NoteOutage(err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	if a.cfg.Ready != nil {
		if err := a.cfg.Ready(ctx); err != nil {
			a.log.Warn("not ready", "err", err)
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
