package handlers

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// spaRoutes serves the single-page app: hashed assets with a year's cache, everything else that
// is not a file falls back to index.html, which is never cached. /api is never swallowed.
func (a *App) spaRoutes(e *echo.Echo) {
	if a.cfg.UI == nil {
		return
	}
	ui := a.cfg.UI
	serve := func(c echo.Context) error {
		p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if strings.HasPrefix(p, "api/") || p == "api" {
			return echo.ErrNotFound
		}
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(ui, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					c.Response().Header().Set("Cache-Control", "public, max-age=3600")
				}
				http.ServeFileFS(c.Response(), c.Request(), ui, p)
				return nil
			}
			if path.Ext(p) != "" {
				return echo.ErrNotFound
			}
		}
		b, err := fs.ReadFile(ui, "index.html")
		if errors.Is(err, fs.ErrNotExist) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, b)
	}
	e.GET("/*", serve)
	e.HEAD("/*", serve)
}
