package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// sseEvent is one event as a client reads it off the wire.
type sseEvent struct {
	id   string
	typ  models.EventType
	data string
}

// sseClient reads a text/event-stream response.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
}

func openStream(t *testing.T, url string, header map[string]string) *sseClient {
	t.Helper()
	return openStreamWith(t, http.DefaultClient, url, header)
}

// openStreamWith is openStream through a given client.
func openStreamWith(t *testing.T, hc *http.Client, url string, header map[string]string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	resp, err := hc.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	c := &sseClient{resp: resp, events: make(chan sseEvent, 1000)}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.typ != "" {
					c.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.typ = models.EventType(strings.TrimPrefix(line, "event: "))
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return c
}

// next waits for the next event of a type, skipping others; it fails after the timeout.
func (c *sseClient) next(t *testing.T, typ models.EventType, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("stream ended while waiting for %s", typ)
			}
			if ev.typ == typ {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within %s", typ, within)
		}
	}
}

// streamServer serves an app with a test route that streams a community's whole log.
func streamServer(t *testing.T, store *models.Store) (*httptest.Server, *App) {
	t.Helper()
	a, e := build(Config{Store: store, JWTSecret: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Broker: wiredBroker(t, store, stream.Options{})})
	e.GET("/test/stream/:cid", func(c echo.Context) error {
		cid, err := pathID(c, "cid")
		if err != nil {
			return err
		}
		return a.serveStream(c, cid, nil)
	})
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		a.broker.Close()
		srv.Close()
	})
	return srv, a
}

func TestStream_Delivers(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, _ := streamServer(t, ta.store)
	ctx := context.Background()
	url := fmt.Sprintf("%s/test/stream/%d", srv.URL, ta.fx.A.ID)
	c := openStream(t, url, nil)
	if got := c.resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/event-stream") || c.resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("headers=%v", c.resp.Header)
	}
	c.next(t, "connected", 5*time.Second)
	cp, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "新小区"})
	if err != nil {
		t.Fatal(err)
	}
	ev := c.next(t, models.EvCompoundCreated, 5*time.Second)
	if !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d`, cp.ID)) {
		t.Fatalf("event=%+v", ev)
	}
	t.Run("OtherCommunityNotDelivered", func(t *testing.T) {
		if _, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.B.ID, models.CompoundInput{Name: "别的小区"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, "1栋"); err != nil {
			t.Fatal(err)
		}
		// The next event this stream sees is community A's building, not B's compound.
		select {
		case got := <-c.events:
			if got.typ != models.EvBuildingCreated {
				t.Fatalf("got %+v, want building.created", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
	})
	t.Run("ResumeFromLastEventID", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if _, err := ta.store.CreateBuilding(ctx, ta.fx.Super.Actor(), cp.ID, fmt.Sprintf("%d单元", i)); err != nil {
				t.Fatal(err)
			}
		}
		r := openStream(t, url, map[string]string{"Last-Event-ID": ev.id})
		r.next(t, "connected", 5*time.Second)
		want := []models.EventType{models.EvBuildingCreated, models.EvBuildingCreated, models.EvBuildingCreated, models.EvBuildingCreated}
		last, _ := strconv.ParseUint(ev.id, 10, 64)
		for i, typ := range want {
			got := r.next(t, typ, 5*time.Second)
			id, _ := strconv.ParseUint(got.id, 10, 64)
			if id <= last {
				t.Fatalf("event %d: id %d after %d, want increasing ids and no repeats", i, id, last)
			}
			last = id
		}
		select {
		case extra := <-r.events:
			t.Fatalf("unexpected extra event %+v", extra)
		case <-time.After(200 * time.Millisecond):
		}
	})
}

// TestStream_TwoInstances: a change made through one server process reaches the streams of
// another process on the same database, which learns of it only by reading the log.
func TestStream_TwoInstances(t *testing.T) {
	t.Parallel()
	dsn, dir := testenv.DSN(t)
	one, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { one.Close() })
	if err := migrations.Up(one.Gorm()); err != nil {
		t.Fatal(err)
	}
	two, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { two.Close() })
	ctx := context.Background()
	super, err := one.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: fixturePassword, Role: "superadmin"})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := one.CreateCommunity(ctx, super.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := streamServer(t, two)
	c := openStream(t, fmt.Sprintf("%s/test/stream/%d", srv.URL, cm.ID), nil)
	c.next(t, "connected", 5*time.Second)
	if _, err := one.CreateCompound(ctx, super.Actor(), cm.ID, models.CompoundInput{Name: "安友花园"}); err != nil {
		t.Fatal(err)
	}
	c.next(t, models.EvCompoundCreated, 5*time.Second)
}

func TestStream_ShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	srv, a := streamServer(t, ta.store)
	c := openStream(t, fmt.Sprintf("%s/test/stream/%d", srv.URL, ta.fx.A.ID), nil)
	c.next(t, "connected", 5*time.Second)
	a.broker.Close()
	// The one event after shutdown tells the client to reconnect (stream/reconnect.go); then
	// the stream ends.
	for seen := 0; ; seen++ {
		select {
		case e, ok := <-c.events:
			if !ok {
				if seen != 1 {
					t.Fatalf("the stream ended after %d events, want the reconnect event alone", seen)
				}
				return
			}
			if e.typ != "reconnect" {
				t.Fatalf("got a %q event after shutdown", e.typ)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the stream did not end when the broker closed")
		}
	}
}

// TestStream_Meeting follows a meeting through the real route: the meeting's and its cycle's
// events arrive, another cycle's do not, and sign-ins reach the facilitator but not residents.
func TestStream_Meeting(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	other := ta.cardCycleMonth(t, "2027-01")
	m := ta.schedule(t, cy.ID, nil)
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	url := fmt.Sprintf("%s/api/v1/meetings/%d/stream", srv.URL, m.ID)
	resident := openStream(t, url, map[string]string{"Authorization": "Bearer " + ta.token(ta.fx.Resident)})
	facil := openStream(t, url, map[string]string{"Authorization": "Bearer " + ta.token(ta.fx.Facilitator)})
	resident.next(t, "connected", 5*time.Second)
	facil.next(t, "connected", 5*time.Second)

	ta.submit(t, other.ID, ta.fx.Resident, map[string]any{"body": "别的月份的卡片"})
	wantStatus(t, ta.checkInMember(m.ID, ta.fx.Party), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: ta.fx.Facilitator}), http.StatusOK)
	card := ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": "会上提的建议"})

	// The resident's stream: the phase change, the start and the card, in log order; no sign-in,
	// nothing of the other cycle.
	var got []string
	for len(got) < 3 {
		select {
		case ev := <-resident.events:
			got = append(got, string(ev.typ))
			if ev.typ == models.EvCardCreated && !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d`, card.ID)) {
				t.Fatalf("card event of another card: %+v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("resident stream got %v, want 3 events", got)
		}
	}
	if strings.Join(got, " ") != "cycle.advanced meeting.started card.created" {
		t.Fatalf("resident stream=%v", got)
	}
	facil.next(t, models.EvAttendanceCheckedIn, 5*time.Second)
	facil.next(t, models.EvCardCreated, 5*time.Second)

	t.Run("ErrOtherTenant", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/stream", m.ID), as: ta.fx.ResidentB}),
			http.StatusNotFound, "not_found")
	})
}

// TestStream_OutlivesServerTimeouts: the server's read and write timeouts (60 s in production,
// 1 s here) must not cut a stream.
func TestStream_OutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	a, e := build(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.GET("/test/stream/:cid", func(c echo.Context) error {
		cid, err := pathID(c, "cid")
		if err != nil {
			return err
		}
		return a.serveStream(c, cid, nil)
	})
	srv := httptest.NewUnstartedServer(e)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	t.Cleanup(func() {
		a.broker.Close()
		srv.Close()
	})
	c := openStream(t, fmt.Sprintf("%s/test/stream/%d", srv.URL, ta.fx.A.ID), nil)
	c.next(t, "connected", 5*time.Second)
	time.Sleep(2500 * time.Millisecond)
	if _, err := ta.store.CreateCompound(context.Background(), ta.fx.Super.Actor(), ta.fx.A.ID, models.CompoundInput{Name: "晚到的小区"}); err != nil {
		t.Fatal(err)
	}
	c.next(t, models.EvCompoundCreated, 5*time.Second)
}
