package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/yueyuetan/yueyuetan/models"
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
	// Broker delivers events to streams; one is made when nil. Close it on shutdown.
	Broker *Broker
	// BaseURL is the public address of the site (YYT_BASE_URL), for links such as the wall's join QR code.
	BaseURL string
}

// App holds what the handlers share.
type App struct {
	cfg    Config
	store  *models.Store
	tokens *tokens
	log    *slog.Logger
	broker *Broker
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
		cfg.Broker = NewBroker(cfg.Store, cfg.Logger)
	}
	a := &App{cfg: cfg, store: cfg.Store, log: cfg.Logger, broker: cfg.Broker,
		tokens: &tokens{secret: cfg.JWTSecret, ttl: AccessTTL, now: cfg.Now}}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
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
	e.Use(securityHeaders)

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", echoHandler(cfg.Registry))
	e.GET("/api/openapi.yaml", serveOpenAPI)

	g := e.Group(API)
	auth := a.requireUser
	a.authRoutes(g, auth)
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
	a.resolutionRoutes(g, auth)
	g.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
	e.Any("/api/*", func(c echo.Context) error { return echo.ErrNotFound })

	a.spaRoutes(e)
	return a, e
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "+
			"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		return next(c)
	}
}

// itemsPage is the list envelope of DESIGN.md §6.
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
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
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
