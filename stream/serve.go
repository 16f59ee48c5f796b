package stream

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// Event is what a client receives for one event, as the data of its message.
type Event struct {
	ID          uint64           `json:"id"`
	Seq         uint64           `json:"seq"`
	Type        models.EventType `json:"type"`
	SubjectType string           `json:"subject_type"`
	SubjectID   uint64           `json:"subject_id"`
	At          time.Time        `json:"at"`
	Payload     json.RawMessage  `json:"payload"`
}

// Serve answers the request with a stream of a community's events from sequence number next,
// those accept keeps (nil keeps all), each passed through shape (when not nil) before it is
// written: shape may rewrite the event, and its false ends the stream after that event. The
// caller has authorized the request. A plain HTTP/1.x stream is handed to the broker (conn.go)
// and Serve returns at once; any other is served by this goroutine until it ends. When the
// broker has closed (shutdown), Serve writes nothing and returns ErrShuttingDown.
func (b *Broker) Serve(c echo.Context, communityID, next uint64, accept func(*models.Event) bool, shape *Shaper) error {
	if r := c.Request(); r.ProtoMajor == 1 && r.TLS == nil {
		return b.serveConn(c, communityID, next, accept, shape)
	}
	return b.serve(c, communityID, next, accept, shape)
}

// ErrShuttingDown is Serve's answer once the broker has closed.
var ErrShuttingDown = errors.New("stream: the broker is closed")

// serve is Serve in the request's goroutine, through net/http: for HTTP/2, where a
// connection carries many streams and cannot be taken over, and for writers that cannot be
// hijacked.
func (b *Broker) serve(c echo.Context, communityID, next uint64, accept func(*models.Event) bool,
	shape *Shaper) error {
	ctx := c.Request().Context()
	sub := &subscriber{community: communityID, next: next, accept: accept,
		ch: make(chan *models.Event, streamBuffer), gone: make(chan struct{})}
	if !b.subscribe(sub) {
		return ErrShuttingDown
	}
	defer b.unsubscribe(sub)

	w := c.Response()
	h := w.Header()
	setStreamHeaders(h)
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w.Writer)
	// A stream reads nothing more from the client: lift the read deadline too, so no read
	// timeout can end it.
	_ = rc.SetReadDeadline(time.Time{})
	write := func(p []byte) error {
		// The server's write timeout must not cut a stream, but a client that stops reading must
		// not hold it forever either: each write gets its own deadline.
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
		if _, err := w.Write(p); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte(streamConnected)); err != nil {
		return nil
	}
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.gone:
			_ = write(reconnectFrame) // ops: shutdown (reconnect.go)
			return nil
		case <-beat.C:
			if err := write(pingFrame); err != nil {
				return nil
			}
		case ep := <-sub.ch:
			// Subscribers share the broker's copy of each event: read it, never change it.
			e, more := *ep, true
			if shape != nil {
				e, more = shape.Fn(e)
			}
			if err := write(eventFrame(&e)); err != nil || !more {
				return nil
			}
		}
	}
}

// streamConnected opens every stream: the client's reconnection delay and a first event, so
// that a client knows the stream is live before anything happens.
const streamConnected = "retry: 3000\nevent: connected\ndata: {}\n\n"

// Connected is the frame that opens every stream, for tests that read a stream's start.
const Connected = streamConnected

// pingFrame is the heartbeat, a comment line that clients ignore and proxies see as traffic.
var pingFrame = []byte(": ping\n\n")

// setStreamHeaders sets the headers of an event stream: no caching, and no buffering by a
// reverse proxy (X-Accel-Buffering is nginx's switch).
func setStreamHeaders(h http.Header) {
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no")
}

// eventFrame is one event as a stream writes it: the event id as the SSE id (what Last-Event-ID
// returns), its type as the SSE event name, and the event as JSON data.
func eventFrame(e *models.Event) []byte {
	data, _ := json.Marshal(Event{ID: e.ID, Seq: e.Seq, Type: e.Type, SubjectType: e.SubjectType,
		SubjectID: e.SubjectID, At: e.CreatedAt, Payload: e.Data})
	f := make([]byte, 0, len(data)+len(e.Type)+40)
	f = append(f, "id: "...)
	f = strconv.AppendUint(f, e.ID, 10)
	f = append(f, "\nevent: "...)
	f = append(f, e.Type...)
	f = append(f, "\ndata: "...)
	f = append(f, data...)
	return append(f, "\n\n"...)
}
