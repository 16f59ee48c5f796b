package backup

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// LeaseName is the lease row (table job_leases) whose holder runs the scheduled backups.
const LeaseName = "backup"

// Scheduler takes a backup into Dir every Every and keeps the newest Keep, on exactly one of the
// server instances sharing a database: the one holding the lease row, which it renews while it
// lives (docs/operations.md "Scheduled backups").
type Scheduler struct {
	Store    *models.Store
	FilesDir string
	Dir      string
	Every    time.Duration
	Keep     int
	// Holder names this instance in the lease (host and process id).
	Holder string
	Log    *slog.Logger
	// Tick is how often the lease is renewed and the schedule looked at (30 s when 0); the
	// lease lasts three ticks.
	Tick time.Duration
}

// archivePrefix and archiveSuffix frame the scheduled archives' names, by which old ones are
// found and pruned.
const (
	archivePrefix = "yueyuetan-"
	archiveSuffix = ".tar.gz"
)

// Run works until ctx ends, then gives up the lease.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	if s.Keep <= 0 {
		s.Keep = 7
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.Store.ReleaseLease(c, LeaseName, s.Holder)
	}()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.Once(ctx, 3*tick)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once takes the lease (or renews it) and, holding it, takes a backup when the newest is older
// than Every. It reports whether it took one.
func (s *Scheduler) Once(ctx context.Context, ttl time.Duration) bool {
	held, err := s.Store.AcquireLease(ctx, LeaseName, s.Holder, ttl)
	if err != nil || !held {
		return false
	}
	ok, last, err := s.Store.LastBackups(ctx)
	if err != nil {
		return false
	}
	now := time.Now()
	if ok != nil && now.Sub(ok.StartedAt) < s.Every {
		return false
	}
	// After a failure, wait a little (up to five minutes) before trying again.
	if last != nil && !last.OK && now.Sub(last.StartedAt) < min(s.Every, 5*time.Minute) {
		return false
	}
	// Keep the lease while the backup runs.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				_, _ = s.Store.AcquireLease(runCtx, LeaseName, s.Holder, ttl)
			}
		}
	}()
	s.take(runCtx, now)
	return true
}

func (s *Scheduler) take(ctx context.Context, started time.Time) {
	run := &models.BackupRun{StartedAt: started.UTC(), Holder: s.Holder}
	name := archivePrefix + started.UTC().Format("20060102-150405") + archiveSuffix
	path := filepath.Join(s.Dir, name)
	err := os.MkdirAll(s.Dir, 0o750)
	var size int64
	if err == nil {
		_, size, err = TakeFile(ctx, s.Store, s.FilesDir, path)
	}
	run.FinishedAt, run.File, run.Size, run.OK = time.Now().UTC(), path, size, err == nil
	if err != nil {
		run.Error = err.Error()
		s.Log.Error("scheduled backup failed", "file", path, "err", err)
	} else {
		s.Log.Info("scheduled backup taken", "file", path, "bytes", size, "took", run.FinishedAt.Sub(started).Round(time.Millisecond).String())
		s.prune()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := s.Store.RecordBackup(rctx, run); rerr != nil {
		s.Log.Error("record the backup", "err", rerr)
	}
}

// prune removes the scheduled archives beyond the newest Keep (their names sort by time).
func (s *Scheduler) prune() {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, archivePrefix) && strings.HasSuffix(n, archiveSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for len(names) > s.Keep {
		if err := os.Remove(filepath.Join(s.Dir, names[0])); err != nil {
			s.Log.Warn("remove an old backup", "file", names[0], "err", err)
		}
		names = names[1:]
	}
}

// HolderName names this process in a lease.
func HolderName() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", h, os.Getpid())
}
