// Package notify sends notifications out of the inbox — over SMS, WeChat subscription messages
// and the like — after their transactions committed, and runs the periodic jobs of
// follow-through (the reminder job) on exactly one instance at a time, by a lease in the
// database (docs/notifications.md).
package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// Message is one notification rendered for one person and channel.
type Message struct {
	Phone  string
	UserID uint64
	Kind   string
	Title  string
	Body   string
	// Attempt counts from 1.
	Attempt int
}

// Channel is one outbound way of reaching a person. Send returns once the provider accepted the
// message, or with why not; the worker records either and retries failures.
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) error
}

// LogChannel writes each message to the log instead of sending it: the stand-in until an SMS or
// WeChat provider is configured, and what tests count.
type LogChannel struct {
	ChannelName string
	Log         *slog.Logger

	mu   sync.Mutex
	sent []Message
}

// Name is the channel's name in the deliveries table ("log" unless set).
func (l *LogChannel) Name() string {
	if l.ChannelName == "" {
		return "log"
	}
	return l.ChannelName
}

// Send logs the message (the phone masked) and keeps it for Sent.
func (l *LogChannel) Send(_ context.Context, m Message) error {
	if l.Log != nil {
		l.Log.Info("notify: outbound message", "channel", l.Name(), "to", models.MaskPhone(m.Phone), "kind", m.Kind,
			"title", m.Title)
	}
	l.mu.Lock()
	l.sent = append(l.sent, m)
	l.mu.Unlock()
	return nil
}

// Sent returns what the channel was given so far.
func (l *LogChannel) Sent() []Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Message(nil), l.sent...)
}

// Renderer turns a notification into the words of a language: handlers.RenderNotification.
type Renderer func(locale, kind string, params map[string]any) (title, body string)

// Lease names and length.
const (
	OutboundLease  = "notify.outbound"
	RemindersLease = "notify.reminders"
	leaseTTL       = 2 * time.Minute
)

// Worker sends due deliveries over the channels, on the instance holding the outbound lease.
type Worker struct {
	Store    *models.Store
	Channels []Channel
	Render   Renderer
	Holder   string
	Log      *slog.Logger
}

// RunOnce sends what is due, if this instance holds (or can take) the lease; it returns how
// many deliveries it attempted. Each attempt is claimed first (Store.ClaimDelivery), so it is
// made once even by two senders at once.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	ok, err := w.Store.AcquireLease(ctx, OutboundLease, w.Holder, leaseTTL)
	if err != nil || !ok {
		return 0, err
	}
	byName := map[string]Channel{}
	for _, c := range w.Channels {
		byName[c.Name()] = c
	}
	due, err := w.Store.DueDeliveries(ctx, 0)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		ok, err := w.Store.ClaimDelivery(ctx, d)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // another sender has it
		}
		sent++
		ch := byName[d.Channel]
		var sendErr error
		if ch == nil {
			sendErr = errNoChannel(d.Channel)
		} else {
			title, body := w.Render(d.Locale, d.Note.Type, d.Note.Data)
			sendErr = ch.Send(ctx, Message{Phone: d.Phone, UserID: d.UserID, Kind: d.Note.Type, Title: title, Body: body,
				Attempt: d.Attempt})
		}
		if err := w.Store.RecordDelivery(ctx, d.DeliveryID, sendErr); err != nil && w.Log != nil {
			w.Log.Warn("notify: record delivery", "delivery", d.DeliveryID, "err", err)
		}
	}
	return sent, nil
}

type errNoChannel string

func (e errNoChannel) Error() string { return "no channel named " + string(e) + " is configured" }

// Reminders runs the reminder job (models.Store.RunReminders, then the escalations' overdue
// responses, models.Store.RunEscalationChecks), after ending the publicity periods that are over
// (models.Store.SettleDuePublicity), on the instance holding its lease.
type Reminders struct {
	Store  *models.Store
	Holder string
}

// RunOnce runs the job if this instance holds (or can take) the lease; ran says whether it did.
func (r *Reminders) RunOnce(ctx context.Context) (sent int, ran bool, err error) {
	ok, err := r.Store.AcquireLease(ctx, RemindersLease, r.Holder, leaseTTL)
	if err != nil || !ok {
		return 0, false, err
	}
	// A publicity period that ended moves its resolution on even if no one reads it, so its
	// items start and their reminders follow.
	if _, err := r.Store.SettleDuePublicity(ctx); err != nil {
		return 0, true, err
	}
	n, err := r.Store.RunReminders(ctx)
	if err != nil {
		return n, true, err
	}
	// Escalations whose response is overdue are announced by the same job (docs/follow-through.md
	// "Escalation").
	m, err := r.Store.RunEscalationChecks(ctx)
	return n + m, true, err
}

// Loop runs fn every interval until ctx ends, logging its errors.
func Loop(ctx context.Context, log *slog.Logger, name string, interval time.Duration, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("notify: job failed", "job", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
