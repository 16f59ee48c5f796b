package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// The live inbox (docs/notifications.md "Live arrival"). Notifications are per person, not
// part of a community's event log, so they have a small hub of their own beside the event
// broker: it is woken after every local commit (the store's AfterCommit, chained) and polls
// briefly for other instances' commits, reads the notifications written since it last looked —
// one query for all its subscribers — and hands each to its recipient's open streams. It knows
// nothing of the broker, so the broker can move to a package of its own without touching it.
const (
	notePoll = 2 * time.Second
	// noteLookback re-reads this many ids below the newest one seen: on MySQL a transaction
	// that took a lower id can commit after a higher one.
	noteLookback = 64
	noteBuffer   = 16
)

type noteSub struct {
	user uint64
	from uint64 // the newest notification when it opened: it gets only later ones
	ch   chan models.Notification
}

type noteHub struct {
	store *models.Store
	log   *slog.Logger
	poll  time.Duration

	mu      sync.Mutex
	subs    map[uint64]map[*noteSub]struct{}
	last    uint64
	sent    map[uint64]struct{} // ids handed out at or above last-noteLookback
	started bool
	wake    chan struct{}
	// stop is closed when the server shuts down (the broker's Closing): the hub's loop ends and
	// every inbox stream says reconnect and ends, as the event streams do.
	stop <-chan struct{}
}

// newNoteHub makes the hub, chains it to the store's commits and stops it when stop closes.
func newNoteHub(store *models.Store, log *slog.Logger, stop <-chan struct{}) *noteHub {
	h := &noteHub{store: store, log: log, poll: notePoll, subs: map[uint64]map[*noteSub]struct{}{},
		sent: map[uint64]struct{}{}, wake: make(chan struct{}, 1), stop: stop}
	prev := store.AfterCommit
	store.AfterCommit = func(evs []models.Event) {
		if prev != nil {
			prev(evs)
		}
		h.Wake()
	}
	return h
}

// Wake asks the hub to look for new notifications; it never blocks.
func (h *noteHub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *noteHub) subscribe(ctx context.Context, user uint64) (*noteSub, error) {
	last, err := h.store.LastNotificationID(ctx)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.started {
		h.last, h.started = last, true
		go h.run()
	}
	s := &noteSub{user: user, from: last, ch: make(chan models.Notification, noteBuffer)}
	if h.subs[user] == nil {
		h.subs[user] = map[*noteSub]struct{}{}
	}
	h.subs[user][s] = struct{}{}
	return s, nil
}

func (h *noteHub) unsubscribe(s *noteSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.subs[s.user]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, s.user)
		}
	}
}

func (h *noteHub) run() {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-h.wake:
		case <-t.C:
		}
		h.deliver()
	}
}

func (h *noteHub) deliver() {
	h.mu.Lock()
	users := make([]uint64, 0, len(h.subs))
	for u := range h.subs {
		users = append(users, u)
	}
	from := h.last
	h.mu.Unlock()
	if len(users) == 0 {
		return
	}
	if from > noteLookback {
		from -= noteLookback
	} else {
		from = 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ns, err := h.store.NotificationsAfter(ctx, from, users, 500)
	if err != nil {
		h.log.Warn("notifications stream: read", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range ns {
		if _, done := h.sent[n.ID]; done {
			continue
		}
		h.sent[n.ID] = struct{}{}
		h.last = max(h.last, n.ID)
		for s := range h.subs[n.UserID] {
			if n.ID <= s.from {
				continue
			}
			select {
			case s.ch <- n:
			default: // a stream that cannot keep up misses it; its unread count catches up
			}
		}
	}
	for id := range h.sent {
		if id+noteLookback < h.last {
			delete(h.sent, id)
		}
	}
}

// streamNotifications streams the caller's new notifications as they arrive, rendered in their
// language, each with the unread count after it; it opens with the unread count.
func (a *App) streamNotifications(c echo.Context) error {
	u := currentUser(c)
	if u == nil {
		return models.Errorf(models.EUNAUTHORIZED, "login_required")
	}
	ctx := c.Request().Context()
	sub, err := a.notes.subscribe(ctx, u.ID)
	if err != nil {
		return err
	}
	defer a.notes.unsubscribe(sub)
	unread, err := a.store.UnreadNotifications(ctx, u.ID)
	if err != nil {
		return err
	}
	w := c.Response()
	stream.SetHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w.Writer)
	_ = rc.SetReadDeadline(time.Time{})
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(stream.WriteWait))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	hello, _ := json.Marshal(map[string]int64{"unread": unread})
	if err := write([]byte("retry: 3000\nevent: connected\ndata: " + string(hello) + "\n\n")); err != nil {
		return nil
	}
	loc := userLocale(u)
	beat := time.NewTicker(stream.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-a.notes.stop:
			// The server is shutting down: the client comes back in a second (docs/operations.md
			// "Graceful shutdown"), and the shutdown need not wait for this stream.
			_ = write(stream.Reconnect())
			return nil
		case <-beat.C:
			if err := write(stream.Ping()); err != nil {
				return nil
			}
		case n := <-sub.ch:
			unread, err := a.store.UnreadNotifications(ctx, u.ID)
			if err != nil {
				return nil
			}
			if err := write(notificationFrame(renderNotification(loc, &n), unread)); err != nil {
				return nil
			}
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
