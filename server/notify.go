package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/yueyuetan/yueyuetan/handlers"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/notify"
)

// How often the notification jobs look for work (docs/notifications.md "Jobs on one instance").
const (
	outboundEvery  = 10 * time.Second
	remindersEvery = 10 * time.Minute
)

// startNotify configures the outbound channels and starts the outbound worker and the reminder
// job; each runs on one instance at a time by its lease. stop ends them.
func startNotify(store *models.Store, channels string, log *slog.Logger) (stop func(), err error) {
	var chs []notify.Channel
	for _, name := range strings.Split(channels, ",") {
		switch name = strings.TrimSpace(strings.ToLower(name)); name {
		case "":
		case "log":
			chs = append(chs, &notify.LogChannel{Log: log})
		default:
			return nil, fmt.Errorf("unknown notification channel %q (known: log)", name)
		}
	}
	for _, c := range chs {
		store.OutboundChannels = append(store.OutboundChannels, c.Name())
	}
	holder := instanceName()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if len(chs) > 0 {
		w := &notify.Worker{Store: store, Channels: chs, Render: handlers.RenderNotification, Holder: holder, Log: log}
		wg.Add(1)
		go func() {
			defer wg.Done()
			notify.Loop(ctx, log, "outbound", outboundEvery, func(ctx context.Context) error {
				_, err := w.RunOnce(ctx)
				return err
			})
		}()
	}
	r := &notify.Reminders{Store: store, Holder: holder}
	wg.Add(1)
	go func() {
		defer wg.Done()
		notify.Loop(ctx, log, "reminders", remindersEvery, func(ctx context.Context) error {
			_, _, err := r.RunOnce(ctx)
			return err
		})
	}()
	return func() { cancel(); wg.Wait() }, nil
}

// instanceName names this process in the job leases: host, process id and a random suffix.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}
