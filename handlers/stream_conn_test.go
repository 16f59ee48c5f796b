package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// connServer serves an app on a real HTTP/1.1 server, with the broker tuned by o, and two
// test routes: /test/stream/:cid streams a community's whole log, /test/fat/:cid the same with
// each event's payload padded to ?kb kilobytes (to fill socket buffers quickly).
func connServer(t *testing.T, store *models.Store, o stream.Options) (*httptest.Server, *App) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := wiredBroker(t, store, o)
	a, e := build(Config{Store: store, JWTSecret: []byte(testSecret), Logger: log, Broker: b})
	e.GET("/test/stream/:cid", func(c echo.Context) error {
		cid, err := pathID(c, "cid")
		if err != nil {
			return err
		}
		return a.serveStream(c, cid, nil)
	})
	e.GET("/test/fat/:cid", func(c echo.Context) error {
		cid, err := pathID(c, "cid")
		if err != nil {
			return err
		}
		kb, _ := strconv.Atoi(c.QueryParam("kb"))
		pad, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", kb<<10)})
		next, err := a.resumePoint(c.Request().Context(), c, cid)
		if err != nil {
			return err
		}
		return a.streamFrom(c, cid, next, nil, &stream.Shaper{Fn: func(e models.Event) (models.Event, bool) {
			e.Data = pad
			return e, true
		}})
	})
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		b.Close()
		srv.Close()
	})
	return srv, a
}

// rawStream is a stream read straight off a TCP connection, as a browser's EventSource would.
type rawStream struct {
	conn net.Conn
	resp *http.Response
	br   *bufio.Reader
}

// dialStream sends a GET for path on a new connection and reads the response head.
func dialStream(t *testing.T, base, path string, header map[string]string) *rawStream {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n", path, u.Host)
	for k, v := range header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response head: %v", err)
	}
	return &rawStream{conn: conn, resp: resp, br: bufio.NewReader(resp.Body)}
}

// read returns the next event, or a comment line as an event of type ":" with the comment as
// its data; err is the connection's (io.EOF when the server ended the stream).
func (r *rawStream) read(within time.Duration) (sseEvent, error) {
	_ = r.conn.SetReadDeadline(time.Now().Add(within))
	var ev sseEvent
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			return sseEvent{}, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.typ != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, ":"):
			return sseEvent{typ: ":", data: strings.TrimSpace(line[1:])}, nil
		case strings.HasPrefix(line, "id: "):
			ev.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			ev.typ = models.EventType(strings.TrimPrefix(line, "event: "))
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		}
	}
}

// next reads up to the next event of a type; it fails on anything else that ends the wait.
func (r *rawStream) next(t *testing.T, typ models.EventType, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ev, err := r.read(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if ev.typ == typ {
			return ev
		}
	}
}

// wantEnd reads until the server ends the stream, which must happen within the time.
func (r *rawStream) wantEnd(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, err := r.read(time.Until(deadline))
		var ne net.Error
		switch {
		case err == nil:
			continue
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("the stream did not end within %s", within)
		}
		return // EOF, or a reset when the server closed with unread bytes
	}
}

// TestStreamConn_Raw reads a hijacked stream off the socket: the response head net/http would
// have written (the middleware's headers kept) but delimited by the connection's close, events
// with the event id as SSE id, and a resume with Last-Event-ID that gets exactly what was
// missed, no more.
func TestStreamConn_Raw(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, a := connServer(t, ta.store, stream.Options{})
	ctx := context.Background()
	path := fmt.Sprintf("/test/stream/%d", ta.fx.A.ID)
	r := dialStream(t, srv.URL, path, nil)
	resp := r.resp
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/1.1" {
		t.Fatalf("status=%d proto=%s", resp.StatusCode, resp.Proto)
	}
	for k, want := range map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-store",
		"X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(k); got != want {
			t.Fatalf("%s=%q, want %q (head %v)", k, got, want, resp.Header)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("Date") == "" {
		t.Fatalf("head lacks X-Request-Id or Date: %v", resp.Header)
	}
	if len(resp.TransferEncoding) != 0 || resp.ContentLength != -1 || !resp.Close {
		t.Fatalf("transfer-encoding=%v content-length=%d close=%v, want a body delimited by the close",
			resp.TransferEncoding, resp.ContentLength, resp.Close)
	}
	r.next(t, "connected", 5*time.Second)
	if n := a.broker.Connections(); n != 1 {
		t.Fatalf("hijacked connections=%d, want 1", n)
	}
	cp, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "裸连小区"})
	if err != nil {
		t.Fatal(err)
	}
	ev := r.next(t, models.EvCompoundCreated, 5*time.Second)
	var got stream.Event
	if err := json.Unmarshal([]byte(ev.data), &got); err != nil || ev.id != strconv.FormatUint(got.ID, 10) || got.SubjectID != cp.ID {
		t.Fatalf("event=%+v (%v)", ev, err)
	}

	t.Run("ResumeFromLastEventID", func(t *testing.T) {
		var want []string
		for i := range 3 {
			b, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, fmt.Sprintf("%d号楼", i+1))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, strconv.FormatUint(b.ID, 10))
		}
		re := dialStream(t, srv.URL, path, map[string]string{"Last-Event-ID": ev.id})
		re.next(t, "connected", 5*time.Second)
		for i, id := range want {
			got := re.next(t, models.EvBuildingCreated, 5*time.Second)
			if !strings.Contains(got.data, `"subject_id":`+id+",") {
				t.Fatalf("resumed event %d=%+v, want building %s", i, got, id)
			}
		}
		if extra, err := re.read(300 * time.Millisecond); err == nil {
			t.Fatalf("unexpected extra event %+v", extra)
		}
	})
}

// TestStreamConn_NoGoroutinePerStream: open streams cost the server no goroutine each (a
// stream served through net/http costs two).
func TestStreamConn_NoGoroutinePerStream(t *testing.T) {
	ta := newTestApp(t)
	srv, a := connServer(t, ta.store, stream.Options{})
	path := fmt.Sprintf("/test/stream/%d", ta.fx.A.ID)
	// One stream first, so that the broker's own goroutines are running.
	dialStream(t, srv.URL, path, nil).next(t, "connected", 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	const n = 100
	streams := make([]*rawStream, n)
	for i := range streams {
		streams[i] = dialStream(t, srv.URL, path, nil)
		streams[i].next(t, "connected", 5*time.Second)
	}
	time.Sleep(100 * time.Millisecond)
	if d := runtime.NumGoroutine() - before; d > n/10 {
		t.Fatalf("%d more goroutines with %d more streams, want (almost) none", d, n)
	}
	if got := a.broker.Subscribers(); got != n+1 {
		t.Fatalf("subscribers=%d, want %d", got, n+1)
	}
	if _, err := ta.store.CreateCompound(context.Background(), ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "百人小区"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		s.next(t, models.EvCompoundCreated, 5*time.Second)
	}
}

// TestStreamConn_SlowClientDropped: a client that stops reading is dropped once its socket is
// full and a write waits out the write wait, and meanwhile a reading client gets every event at
// once — with a single writer goroutine, which a stuck write must not hold.
func TestStreamConn_SlowClientDropped(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	const wait = 4 * time.Second
	srv, a := connServer(t, ta.store, stream.Options{
		Writers: 1, WriteWait: wait, MaxPending: 1 << 30, // only the write wait can drop it
	})
	ctx := context.Background()
	slow := dialStream(t, srv.URL, fmt.Sprintf("/test/fat/%d?kb=512", ta.fx.A.ID), nil)
	slow.next(t, "connected", 5*time.Second)
	fast := dialStream(t, srv.URL, fmt.Sprintf("/test/stream/%d", ta.fx.A.ID), nil)
	fast.next(t, "connected", 5*time.Second)
	if n := a.broker.Subscribers(); n != 2 {
		t.Fatalf("subscribers=%d, want 2", n)
	}
	// 512 KB per event to the slow client: a few megabytes fill the loopback socket's buffers.
	cp, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "慢小区"})
	if err != nil {
		t.Fatal(err)
	}
	fast.next(t, models.EvCompoundCreated, 5*time.Second)
	dropped := time.Time{}
	for i := 0; i < 40 && dropped.IsZero(); i++ {
		b, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, fmt.Sprintf("%d栋", i+1))
		if err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		ev := fast.next(t, models.EvBuildingCreated, wait)
		if took := time.Since(sent); took > wait/2 {
			t.Fatalf("event %d reached the reading client after %s: it waited for the stuck one", i, took)
		}
		if !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d,`, b.ID)) {
			t.Fatalf("event %d=%+v, want building %d", i, ev, b.ID)
		}
		if a.broker.Subscribers() == 1 {
			dropped = time.Now()
		}
		time.Sleep(wait / 10)
	}
	for deadline := time.Now().Add(3 * wait); dropped.IsZero() && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a.broker.Subscribers() == 1 {
			dropped = time.Now()
		}
	}
	if dropped.IsZero() {
		t.Fatal("the client that stopped reading was not dropped")
	}
	if n := a.broker.Connections(); n != 1 {
		t.Fatalf("hijacked connections=%d after the drop, want 1", n)
	}
	slow.wantEnd(t, 10*time.Second)
	// The reading client goes on.
	if _, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, "最后一栋"); err != nil {
		t.Fatal(err)
	}
	fast.next(t, models.EvBuildingCreated, 5*time.Second)
}

// TestStreamConn_OverflowResumes: a client whose queue passes the limit (here a backlog bigger
// than it) is cut after what it was given, and reconnecting with Last-Event-ID each time gets
// the whole log exactly once, in order.
func TestStreamConn_OverflowResumes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, _ := connServer(t, ta.store, stream.Options{MaxPending: 1 << 10})
	ctx := context.Background()
	cp, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "积压小区"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, fmt.Sprintf("%d栋", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := ta.store.EventsFrom(ctx, ta.fx.A.ID, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range all[1:] {
		want = append(want, strconv.FormatUint(e.ID, 10))
	}
	last := strconv.FormatUint(all[0].ID, 10)
	var got []string
	conns := 0
	for len(got) < len(want) && conns < len(want)+1 {
		conns++
		r := dialStream(t, srv.URL, fmt.Sprintf("/test/stream/%d", ta.fx.A.ID), map[string]string{"Last-Event-ID": last})
		r.next(t, "connected", 5*time.Second)
		for len(got) < len(want) {
			ev, err := r.read(5 * time.Second)
			if err != nil {
				break // cut: reconnect from the last id
			}
			if ev.typ == ":" {
				continue
			}
			got = append(got, ev.id)
			last = ev.id
		}
		r.conn.Close()
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("over %d connections got ids\n%v\nwant\n%v", conns, got, want)
	}
	t.Logf("%d events over %d connections", len(got), conns)
}

// TestStreamConn_Heartbeat: a hijacked stream with nothing to say still gets a comment line
// every heartbeat interval.
func TestStreamConn_Heartbeat(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, _ := connServer(t, ta.store, stream.Options{Heartbeat: 100 * time.Millisecond})
	r := dialStream(t, srv.URL, fmt.Sprintf("/test/stream/%d", ta.fx.A.ID), nil)
	r.next(t, "connected", 5*time.Second)
	for range 3 {
		if ev := r.next(t, ":", 2*time.Second); ev.data != "ping" {
			t.Fatalf("comment=%q", ev.data)
		}
	}
}

// TestStreamConn_CloseEnds: closing the broker (server shutdown) ends hijacked streams, which
// net/http no longer tracks, and later requests are refused.
func TestStreamConn_CloseEnds(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, a := connServer(t, ta.store, stream.Options{})
	path := fmt.Sprintf("/test/stream/%d", ta.fx.A.ID)
	var rs []*rawStream
	for range 3 {
		r := dialStream(t, srv.URL, path, nil)
		r.next(t, "connected", 5*time.Second)
		rs = append(rs, r)
	}
	a.broker.Close()
	for _, r := range rs {
		r.wantEnd(t, 5*time.Second)
	}
	if n, c := a.broker.Subscribers(), a.broker.Connections(); n != 0 || c != 0 {
		t.Fatalf("subscribers=%d connections=%d after Close", n, c)
	}
	a.broker.Close() // twice is fine
	r := dialStream(t, srv.URL, path, map[string]string{"Accept-Language": "zh-CN"})
	body, _ := io.ReadAll(io.LimitReader(r.resp.Body, 4096))
	if r.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"shutting_down"`) ||
		!strings.Contains(string(body), "服务器正在关闭") {
		t.Fatalf("after Close: status=%d body=%s, want 503 shutting_down", r.resp.StatusCode, body)
	}
}

// TestStream_HTTP2 takes the other path: over HTTP/2 a connection carries many streams and
// cannot be taken over, so the request's goroutine serves the stream through net/http.
func TestStream_HTTP2(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := wiredBroker(t, ta.store, stream.Options{})
	a, e := build(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: log, Broker: b})
	e.GET("/test/stream/:cid", func(c echo.Context) error {
		cid, err := pathID(c, "cid")
		if err != nil {
			return err
		}
		return a.serveStream(c, cid, nil)
	})
	srv := httptest.NewUnstartedServer(e)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() {
		b.Close()
		srv.Close()
	})
	ctx := context.Background()
	url := fmt.Sprintf("%s/test/stream/%d", srv.URL, ta.fx.A.ID)
	c := openStreamWith(t, srv.Client(), url, nil)
	if c.resp.ProtoMajor != 2 || !strings.HasPrefix(c.resp.Header.Get("Content-Type"), "text/event-stream") ||
		c.resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("proto=%s headers=%v", c.resp.Proto, c.resp.Header)
	}
	c.next(t, "connected", 5*time.Second)
	if n := b.Connections(); n != 0 {
		t.Fatalf("hijacked connections=%d over HTTP/2", n)
	}
	cp, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "二代小区"})
	if err != nil {
		t.Fatal(err)
	}
	ev := c.next(t, models.EvCompoundCreated, 5*time.Second)
	if _, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, "1栋"); err != nil {
		t.Fatal(err)
	}
	r := openStreamWith(t, srv.Client(), url, map[string]string{"Last-Event-ID": ev.id})
	r.next(t, "connected", 5*time.Second)
	r.next(t, models.EvBuildingCreated, 5*time.Second)
	b.Close()
	for _, s := range []*sseClient{c, r} {
		timeout := time.After(5 * time.Second)
		for ended := false; !ended; {
			select {
			case _, ok := <-s.events:
				ended = !ok
			case <-timeout:
				t.Fatal("an HTTP/2 stream did not end when the broker closed")
			}
		}
	}
}
