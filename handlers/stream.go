package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// Real-time delivery (DESIGN.md §4): the event log is the only source. A broker per process
// reads each watched community's log from the lowest sequence number any of its subscribers
// still needs, woken at once after a local commit and by a short poll for commits of other
// instances, and fans the events out to subscribers' buffers. A subscriber whose buffer is full
// is dropped rather than slowing the others; its client reconnects with Last-Event-ID and the
// log gives it what it missed.
const (
	streamBuffer    = 64
	streamBatch     = 500
	streamPoll      = 500 * time.Millisecond
	streamHeartbeat = 15 * time.Second
	streamWriteWait = 10 * time.Second
)

// subscriber is one open stream.
type subscriber struct {
	community uint64
	next      uint64 // the next sequence number it needs; only the broker changes it
	accept    func(*models.Event) bool
	ch        chan *models.Event
	gone      chan struct{} // closed when the broker drops it
	once      sync.Once
}

func (s *subscriber) drop() { s.once.Do(func() { close(s.gone) }) }

// Broker fans a store's events out to streams.
type Broker struct {
	store *models.Store
	log   *slog.Logger
	poll  time.Duration

	mu     sync.Mutex
	subs   map[uint64]map[*subscriber]struct{}
	closed bool

	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started sync.Once
}

// NewBroker makes a broker on the store and hooks it to the store's commits. Its delivery loop
// starts with the first subscriber.
func NewBroker(store *models.Store, log *slog.Logger) *Broker {
	b := &Broker{store: store, log: log, poll: streamPoll, subs: map[uint64]map[*subscriber]struct{}{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	prev := store.AfterCommit
	store.AfterCommit = func(evs []models.Event) {
		if prev != nil {
			prev(evs)
		}
		b.Notify()
	}
	return b
}

// Notify wakes the broker; it never blocks.
func (b *Broker) Notify() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Close drops every subscriber and stops the broker; streams end cleanly.
func (b *Broker) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	for _, set := range b.subs {
		for s := range set {
			s.drop()
		}
	}
	b.subs = map[uint64]map[*subscriber]struct{}{}
	b.mu.Unlock()
	close(b.stop)
	b.started.Do(func() { close(b.done) }) // never started: nothing to wait for
	<-b.done
}

// Subscribers counts open streams, for metrics and tests.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, set := range b.subs {
		n += len(set)
	}
	return n
}

func (b *Broker) subscribe(s *subscriber) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	if b.subs[s.community] == nil {
		b.subs[s.community] = map[*subscriber]struct{}{}
	}
	b.subs[s.community][s] = struct{}{}
	b.started.Do(func() { go b.run() })
	b.Notify()
	return true
}

func (b *Broker) unsubscribe(s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if set := b.subs[s.community]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.subs, s.community)
		}
	}
}

func (b *Broker) run() {
	defer close(b.done)
	t := time.NewTicker(b.poll)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-b.wake:
		case <-t.C:
		}
		b.deliver()
	}
}

// deliver reads what each watched community's subscribers still need and hands it out.
func (b *Broker) deliver() {
	b.mu.Lock()
	need := map[uint64]uint64{}
	for cid, set := range b.subs {
		for s := range set {
			if n, ok := need[cid]; !ok || s.next < n {
				need[cid] = s.next
			}
		}
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for cid, from := range need {
		for {
			evs, err := b.store.EventsFrom(ctx, cid, from, streamBatch)
			if err != nil {
				b.log.Warn("stream: read events", "community", cid, "err", err)
				break
			}
			if len(evs) == 0 {
				break
			}
			b.fanOut(cid, evs)
			from = evs[len(evs)-1].Seq + 1
			if len(evs) < streamBatch {
				break
			}
		}
	}
}

func (b *Broker) fanOut(cid uint64, evs []models.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	behind := false
	for s := range b.subs[cid] {
		for i := range evs {
			e := &evs[i]
			if e.Seq != s.next {
				// Older events were already delivered to it; a subscriber that joined during
				// this round needs older ones first, which the next round reads for it.
				behind = behind || e.Seq > s.next
				continue
			}
			s.next = e.Seq + 1
			if s.accept != nil && !s.accept(e) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				// Too slow: drop it; it reconnects with Last-Event-ID and catches up.
				s.drop()
				delete(b.subs[cid], s)
			}
		}
	}
	if behind {
		b.Notify()
	}
}

// streamEvent is what a client receives for one event.
type streamEvent struct {
	ID          uint64          `json:"id"`
	Seq         uint64          `json:"seq"`
	Type        string          `json:"type"`
	SubjectType string          `json:"subject_type"`
	SubjectID   uint64          `json:"subject_id"`
	At          time.Time       `json:"at"`
	Payload     json.RawMessage `json:"payload"`
}

// serveStream answers a Server-Sent Events stream of a community's events that accept keeps,
// starting after Last-Event-ID (or from now). It returns when the client goes, the broker drops
// it, or the server shuts down.
func (a *App) serveStream(c echo.Context, communityID uint64, accept func(*models.Event) bool) error {
	next, err := a.resumePoint(c.Request().Context(), c, communityID)
	if err != nil {
		return err
	}
	return a.streamFrom(c, communityID, next, accept, nil)
}

// streamFrom is serveStream from a known sequence number, with each accepted event passed
// through shape (when not nil) before it is written: shape may rewrite the event, and its false
// ends the stream after that event.
func (a *App) streamFrom(c echo.Context, communityID, next uint64, accept func(*models.Event) bool,
	shape func(models.Event) (models.Event, bool)) error {
	ctx := c.Request().Context()
	sub := &subscriber{community: communityID, next: next, accept: accept,
		ch: make(chan *models.Event, streamBuffer), gone: make(chan struct{})}
	if !a.broker.subscribe(sub) {
		return echo.NewHTTPError(http.StatusServiceUnavailable)
	}
	defer a.broker.unsubscribe(sub)

	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w.Writer)
	// A stream reads nothing more from the client: lift the read deadline too, so no read
	// timeout can end it.
	_ = rc.SetReadDeadline(time.Time{})
	write := func(s string) error {
		// The server's write timeout must not cut a stream, but a client that stops reading must
		// not hold it forever either: each write gets its own deadline.
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
		if _, err := fmt.Fprint(w, s); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write("retry: 3000\nevent: connected\ndata: {}\n\n"); err != nil {
		return nil
	}
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.gone:
			return nil
		case <-beat.C:
			if err := write(": ping\n\n"); err != nil {
				return nil
			}
		case ep := <-sub.ch:
			// Subscribers share the broker's copy of each event: read it, never change it.
			e, more := *ep, true
			if shape != nil {
				e, more = shape(e)
			}
			data, _ := json.Marshal(streamEvent{ID: e.ID, Seq: e.Seq, Type: e.Type, SubjectType: e.SubjectType,
				SubjectID: e.SubjectID, At: e.CreatedAt, Payload: e.Data})
			if err := write("id: " + strconv.FormatUint(e.ID, 10) + "\nevent: " + e.Type + "\ndata: " + string(data) + "\n\n"); err != nil || !more {
				return nil
			}
		}
	}
}

// resumePoint is the first sequence number a new stream needs: after the event named by
// Last-Event-ID (header, or the last_event_id query parameter for clients that cannot set
// headers), else after the community's newest event.
func (a *App) resumePoint(ctx context.Context, c echo.Context, communityID uint64) (uint64, error) {
	last := c.Request().Header.Get("Last-Event-ID")
	if last == "" {
		last = c.QueryParam("last_event_id")
	}
	if last != "" {
		id, err := strconv.ParseUint(last, 10, idBits)
		if err == nil {
			cid, seq, err := a.store.EventSeq(ctx, id)
			if err != nil {
				return 0, err
			}
			if cid == communityID && seq > 0 {
				return seq + 1, nil
			}
		}
	}
	head, err := a.store.HeadSeq(ctx, communityID)
	if err != nil {
		return 0, err
	}
	return head + 1, nil
}
