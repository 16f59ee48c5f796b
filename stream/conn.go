package stream

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// Hijacked streams. Once a stream's request is authorized and its resume point known, the
// handler takes the connection out of net/http, writes the response head itself and hands the
// connection to the broker, and returns. What is left of an open stream is then its subscriber,
// its filter and the socket: no goroutine (net/http keeps two per streaming request, the
// handler's and a background read), no bufio reader and writer. The broker writes events and
// heartbeats from a small pool of writer goroutines.
//
// The body is delimited by the connection's close (HTTP/1.1 without chunking, Connection:
// close), so a stream that the server ends — a renewed display token, a client cut for being
// slow, shutdown — ends cleanly for the client, which reconnects with Last-Event-ID.
//
// A writer never waits long on one connection: when a socket's buffer is full (a client that
// stopped reading, a phone that left the network), the write moves on after tryWait to a
// goroutine of its own that waits at most writeWait and drops the client if it is still stuck;
// the writers go on with the others. A client whose queue passes maxPending while it is stuck is
// cut too. Nothing reads from a hijacked connection, so a client that closes its end is noticed
// at the next write to it (an event, or a heartbeat within two heartbeat intervals).
const (
	streamTryWait    = 20 * time.Millisecond
	streamMaxPending = 256 << 10
	streamWriters    = 4
)

// connState is the broker's side of a hijacked stream. Guarded by Broker.wmu.
type connState struct {
	out     [][]byte  // frames not yet written; shared between streams, never changed
	size    int       // bytes in out
	queued  bool      // in the ready queue or being written; one writer at a time
	closing bool      // takes no more frames: write what is queued, then close
	closed  bool      // the connection is closed
	last    time.Time // the last write, for heartbeats
}

// serveConn hijacks the connection and hands it to the broker; it falls back to serve when the
// response writer cannot be hijacked.
func (b *Broker) serveConn(c echo.Context, communityID, next uint64, accept func(*models.Event) bool,
	shape *Shaper) error {
	if b.isClosed() {
		return ErrShuttingDown
	}
	res := c.Response()
	conn, _, err := res.Hijack()
	if errors.Is(err, http.ErrNotSupported) {
		return b.serve(c, communityID, next, accept, shape)
	}
	if err != nil {
		return err
	}
	// The head is the one net/http would have written for these headers (those the middleware
	// set included), without chunking: the body ends when the connection closes.
	h := res.Header()
	setStreamHeaders(h)
	h.Set("Connection", "close")
	h.Del(echo.HeaderContentLength)
	h.Del("Transfer-Encoding")
	if h.Get("Date") == "" {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	head.WriteString(streamConnected)
	// The response is this handler's now: nothing may write to it, and the metrics see a 200.
	res.Status, res.Committed = http.StatusOK, true
	// Bytes the client sent after the request (there should be none) stay unread; the
	// hijacked reader that holds them is dropped with its buffer.
	// Subscribed before the head is written, so the stream counts as soon as the client sees
	// it; the writers leave it alone (queued) until the head is out.
	sub := &subscriber{community: communityID, next: next, accept: accept, conn: conn, shape: shape}
	sub.w.queued = true
	if !b.subscribe(sub) {
		conn.Close()
		return nil
	}
	_ = conn.SetWriteDeadline(time.Now().Add(b.writeWait))
	if _, err := conn.Write(head.Bytes()); err != nil {
		b.unsubscribe(sub)
		b.closeConn(sub)
		return nil
	}
	b.written(sub)
	return nil
}

// Connections counts the hijacked connections open, for metrics and tests.
func (b *Broker) Connections() int {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	return len(b.conns)
}

func (b *Broker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// addConn registers a hijacked stream; the caller holds b.mu and has checked b.closed, so
// closeConns, which runs after b.closed is set, sees it.
func (b *Broker) addConn(s *subscriber) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	s.w.last = time.Now()
	b.conns[s] = struct{}{}
}

// enqueue adds a frame to what s has to write, last ending the stream after it. It returns
// false when s takes no more frames: it is ending, or its queue would pass maxPending — a client
// that does not keep up, cut once what it has is written.
func (b *Broker) enqueue(s *subscriber, frame []byte, last bool) bool {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if s.w.closing {
		return false
	}
	if s.w.size > 0 && s.w.size+len(frame) > b.maxPending {
		s.w.closing = true
		b.readyLocked(s)
		return false
	}
	s.w.out = append(s.w.out, frame)
	s.w.size += len(frame)
	s.w.closing = last
	b.readyLocked(s)
	return !last
}

// readyLocked puts s on the writers' queue unless it is there or being written.
func (b *Broker) readyLocked(s *subscriber) {
	if s.w.queued || s.w.closed || b.wclosed {
		return
	}
	s.w.queued = true
	b.readyq = append(b.readyq, s)
	b.wcond.Signal()
}

// beat queues a heartbeat for each hijacked stream that has written nothing for half an
// interval, so none stays silent for more than one and a half.
func (b *Broker) beat() {
	now := time.Now()
	b.wmu.Lock()
	defer b.wmu.Unlock()
	for s := range b.conns {
		if !s.w.closing && s.w.size == 0 && now.Sub(s.w.last) >= b.heartbeat/2 {
			s.w.out = append(s.w.out, pingFrame)
			s.w.size += len(pingFrame)
			b.readyLocked(s)
		}
	}
}

// writeLoop is one pool writer: it writes the queued streams in turn until the broker closes.
func (b *Broker) writeLoop() {
	defer b.wg.Done()
	for {
		b.wmu.Lock()
		for len(b.readyq) == 0 && !b.wclosed {
			b.wcond.Wait()
		}
		if b.wclosed {
			b.wmu.Unlock()
			return
		}
		s := b.readyq[0]
		b.readyq[0] = nil
		b.readyq = b.readyq[1:]
		b.wmu.Unlock()
		b.flush(s, b.tryWait)
	}
}

// flush writes what s has queued, with wait as the deadline. If a pool writer's short wait runs
// out with bytes left, the rest goes on in a goroutine of its own with the full writeWait; a
// write that fails or times out there drops the client.
func (b *Broker) flush(s *subscriber, wait time.Duration) {
	b.wmu.Lock()
	out := s.w.out
	s.w.out, s.w.size = nil, 0
	b.wmu.Unlock()
	if len(out) > 0 {
		buf := out[0]
		if len(out) > 1 {
			buf = bytes.Join(out, nil)
		}
		_ = s.conn.SetWriteDeadline(time.Now().Add(wait))
		n, err := s.conn.Write(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && wait < b.writeWait {
				b.wmu.Lock()
				s.w.out = append([][]byte{buf[n:]}, s.w.out...)
				s.w.size += len(buf) - n
				b.wmu.Unlock()
				b.wg.Add(1)
				go func() {
					defer b.wg.Done()
					b.flush(s, b.writeWait)
				}()
				return
			}
			b.unsubscribe(s)
			b.closeConn(s)
			return
		}
	}
	b.written(s)
}

// written follows a write to s: s goes to the back of the queue if more arrived meanwhile, so
// every stream gets its turn, or closes if it was ending.
func (b *Broker) written(s *subscriber) {
	b.wmu.Lock()
	s.w.last = time.Now()
	switch {
	case len(s.w.out) > 0 && !s.w.closed && !b.wclosed:
		b.readyq = append(b.readyq, s)
		b.wcond.Signal()
		b.wmu.Unlock()
	case s.w.closing:
		b.wmu.Unlock()
		b.closeConn(s)
	default:
		s.w.queued = false
		b.wmu.Unlock()
	}
}

// closeConn closes a hijacked stream's connection once; the caller has taken it out of b.subs.
func (b *Broker) closeConn(s *subscriber) {
	b.wmu.Lock()
	if s.w.closed {
		b.wmu.Unlock()
		return
	}
	s.w.closed, s.w.closing = true, true
	s.w.out, s.w.size = nil, 0
	delete(b.conns, s)
	b.wmu.Unlock()
	_ = s.conn.Close()
}

// closeConns stops the writers and closes every hijacked connection, at shutdown.
func (b *Broker) closeConns() {
	b.wmu.Lock()
	b.wclosed = true
	all := make([]*subscriber, 0, len(b.conns))
	for s := range b.conns {
		all = append(all, s)
	}
	b.readyq = nil
	b.wcond.Broadcast()
	b.wmu.Unlock()
	for _, s := range all {
		sayReconnect(s.conn) // ops: shutdown (reconnect.go)
		b.closeConn(s)
	}
}
