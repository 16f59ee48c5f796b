package main

import (
	"context"
	"errors"
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

	"github.com/yueyuetan/yueyuetan/frontend"
	"github.com/yueyuetan/yueyuetan/handlers"
)

func cmdServe(args []string, stdout, stderr io.Writer) error {
	cfg, fs, _ := parseFlags("serve", args, stderr)
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	store, err := cfg.openStore(true)
	if err != nil {
		return err
	}
	defer store.Close()
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
	broker := handlers.NewBroker(store, log)
	e := handlers.New(handlers.Config{Store: store, JWTSecret: secret, Logger: log, UI: ui, UIBuilt: built,
		SecureCookies: strings.HasPrefix(cfg.BaseURL, "https://"), TrustProxy: cfg.TrustProxy,
		Ready: readyCheck(store), Broker: broker, BaseURL: cfg.BaseURL, MetricsToken: cfg.MetricsToken, SMS: texter})

	ln, err := net.Listen("tcp", cfg.listenAddr())
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	// Shutdown first ends the event streams, so their connections can close.
	srv.RegisterOnShutdown(broker.Close)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("yueyuetan listening", "addr", ln.Addr().String(), "db", store.Dialect(), "base_url", cfg.BaseURL)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Shutdown does not wait for its hooks, and the streams' connections are the broker's, not
	// net/http's: wait for the broker to finish before the store closes.
	broker.Close()
	log.Info("stopped")
	return nil
}
