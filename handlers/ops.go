package handlers

import (
	"net/http"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// BackupSchedule is the scheduled backups' setting, for the admin screen.
type BackupSchedule struct {
	On    bool
	Every time.Duration
	Keep  int
}

func (a *App) opsRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/ops/backups", a.backupStatus, auth)
}

type backupRunView struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	File       string    `json:"file"`
	Size       int64     `json:"size"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
}

type backupStatusView struct {
	Scheduled    bool           `json:"scheduled"`
	EverySeconds int64          `json:"every_seconds"`
	Keep         int            `json:"keep"`
	Last         *backupRunView `json:"last"`
	LastAttempt  *backupRunView `json:"last_attempt"`
	// Stale: backups are scheduled and the newest that worked is older than two periods (or
	// there is none after two periods of running).
	Stale bool `json:"stale"`
}

func runView(r *models.BackupRun) *backupRunView {
	if r == nil {
		return nil
	}
	return &backupRunView{StartedAt: r.StartedAt.UTC(), FinishedAt: r.FinishedAt.UTC(), File: filepath.Base(r.File),
		Size: r.Size, OK: r.OK, Error: r.Error}
}

// backupStatus answers the superadmin and community admins with the newest backup, for the
// "last backup" line of the admin screen (docs/operations.md "Scheduled backups").
func (a *App) backupStatus(c echo.Context) error {
	ctx := c.Request().Context()
	if err := a.store.CanSeeOperations(ctx, actor(c)); err != nil {
		return err
	}
	ok, last, err := a.store.LastBackups(ctx)
	if err != nil {
		return err
	}
	s := a.cfg.Backups
	v := backupStatusView{Scheduled: s.On, EverySeconds: int64(s.Every / time.Second), Keep: s.Keep,
		Last: runView(ok), LastAttempt: runView(last)}
	if s.On && s.Every > 0 {
		now := a.cfg.Now()
		if ok != nil {
			v.Stale = now.Sub(ok.FinishedAt) > 2*s.Every
		} else {
			v.Stale = now.Sub(a.started) > 2*s.Every
		}
	}
	return c.JSON(http.StatusOK, v)
}
