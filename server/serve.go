package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/yueyuetan/yueyuetan/backup"
	"github.com/yueyuetan/yueyuetan/frontend"
	"github.com/yueyuetan/yueyuetan/handlers"
	"github.com/yueyuetan/yueyuetan/models"
)

func cmdServe(args []string, stdout, stderr io.Writer) error {
	cfg, fs, _ := parseFlags("serve", args, stderr)
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	backups, err := cfg.backupSchedule()
	if err != nil {
		return err
	}
	store, err := cfg.openStore(true)
	if err != nil {
		return err
	}
	store.Log = log
	defer closeStore(store, log)
	ctx := context.Background()
	if cfg.Demo {
		if err := seedDemo(ctx, store, stdout, true); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
	} else if n, err := store.CountSuperadmins(ctx); err == nil && n == 0 {
		log.Warn("no super-admin yet: create one first with " +
			"`yueyuetan user add --phone <mobile> --name <name> --password <password> --role superadmin`")
	}
	secret, err := cfg.jwtSecret(log)
	if err != nil {
		return err
	}
	texter, err := cfg.smsSender()
	if err != nil {
		return err
	}
	ui, built := frontend.Dist()
	if !built {
		log.Warn("this binary was built without the UI; build it with `make run` or `go build -tags embedui`")
	}
	stopJobs, err := startNotify(store, cfg.NotifyChannels, log)
	if err != nil {
		return err
	}
	defer stopJobs()
	broker := newBroker(store, log)
	e := handlers.New(handlers.Config{Store: store, JWTSecret: secret, Logger: log, UI: ui, UIBuilt: built,
		SecureCookies: strings.HasPrefix(cfg.BaseURL, "https://"), TrustProxy: cfg.TrustProxy,
		Ready: readyCheck(store), Broker: broker, BaseURL: cfg.BaseURL, MetricsToken: cfg.MetricsToken, SMS: texter,
		Backups: handlers.BackupSchedule{Every: backups.Every, Keep: backups.Keep, On: backups.Dir != ""}})

	// Signals are taken from before the port opens, so none is missed once it serves.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	ln, err := net.Listen("tcp", cfg.listenAddr())
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("yueyuetan listening", "addr", ln.Addr().String(), "db", store.Dialect(), "base_url", cfg.BaseURL)

	// Scheduled backups run on the one instance holding the lease (docs/operations.md).
	schedCtx, stopSched := context.WithCancel(context.Background())
	schedDone := make(chan struct{})
	if backups.Dir != "" {
		sched := &backup.Scheduler{Store: store, FilesDir: cfg.filesDir(), Dir: backups.Dir, Every: backups.Every,
			Keep: backups.Keep, Holder: backup.HolderName(), Log: log}
		log.Info("scheduled backups on", "dir", backups.Dir, "every", backups.Every.String(), "keep", backups.Keep)
		go func() { defer close(schedDone); sched.Run(schedCtx) }()
	} else {
		close(schedDone)
	}

	select {
	case err := <-errc:
		stopSched()
		<-schedDone
		return err
	case s := <-sig:
		log.Info("shutting down: no new connections, streams told to reconnect, requests in flight get up to 10 s", "signal", s.String())
	}
	err = handlers.Shutdown(srv, broker, handlers.ShutdownGrace)
	stopSched()
	<-schedDone
	if err != nil {
		log.Error("shutdown", "err", err)
	}
	log.Info("stopped")
	return nil
}

// closeStore closes the database cleanly: on SQLite the write-ahead log is folded into the
// database file first, so the file alone is the whole database.
func closeStore(store *models.Store, log *slog.Logger) {
	if store.Dialect() == models.DialectSQLite {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := store.Gorm().WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			log.Warn("checkpoint the write-ahead log at shutdown", "err", err)
		}
		cancel()
	}
	if err := store.Close(); err != nil {
		log.Warn("close the database", "err", err)
	}
}
