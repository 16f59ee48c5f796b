package handlers

// Database outages (docs/operations.md "Database outages"): while the database is unreachable
// (MariaDB behind a TCP proxy the test cuts — the shared server itself is never stopped) or
// cannot take writes (SQLite made query-only or full), every request that needs it answers 503
// `unavailable` with Retry-After in the reader's language within 5 s, /readyz follows within a
// second, and the log has one line when the outage starts and one when it ends.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// syncBuffer is a log sink that tests read while the app writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// appOnStore is the test app on a given, migrated store, logging into log.
func appOnStore(t *testing.T, store *models.Store, log *slog.Logger) *testApp {
	t.Helper()
	ta := &testApp{t: t, store: store, tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}}
	store.Log = log
	ta.e = New(Config{Store: store, JWTSecret: []byte(testSecret), Logger: log})
	ta.fx = buildFixture(t, store)
	return ta
}

// tcpProxy forwards connections to a backend until cut; while cut, its port refuses connections
// and the connections it carried are gone, as when the database server is killed.
type tcpProxy struct {
	addr, backend string
	mu            sync.Mutex
	ln            net.Listener
	conns         map[net.Conn]struct{}
	// stalled holds every byte in both directions, as a network that drops packets does.
	stalled atomic.Bool
}

// pipe copies src to dst, holding the bytes while the proxy is stalled.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for p.stalled.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func newTCPProxy(t *testing.T, backend string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{backend: backend, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.DialTimeout("tcp", p.backend, 2*time.Second)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[b] = struct{}{}, struct{}{}
			p.mu.Unlock()
			go p.pipe(b, c)
			go p.pipe(c, b)
		}
	}()
}

// cut closes the port and every connection through it.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// restore opens the same port again.
func (p *tcpProxy) restore(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("reopen the proxy's port: %v", err)
	}
	p.serve(ln)
}

// wantUnavailable checks one outage answer: 503, Retry-After, code unavailable, in the
// request's language, within 5 s.
func wantUnavailable(t *testing.T, ta *testApp, r req, lang string) {
	t.Helper()
	if r.header == nil {
		r.header = map[string]string{}
	}
	r.header["Accept-Language"] = lang
	start := time.Now()
	rec := ta.do(r)
	took := time.Since(start)
	if took > 5*time.Second {
		t.Fatalf("%s %s took %v during the outage, want at most 5 s", r.method, r.path, took)
	}
	p := wantProblem(t, rec, http.StatusServiceUnavailable, "unavailable")
	if rec.Header().Get("Retry-After") == "" {
		t.Fatalf("%s %s: 503 without Retry-After", r.method, r.path)
	}
	want := "数据库"
	if lang == "en" {
		want = "database"
	}
	if !strings.Contains(p.Detail, want) {
		t.Fatalf("%s %s in %s: detail %q", r.method, r.path, lang, p.Detail)
	}
}

// readyWithin polls /readyz until it answers want, failing after limit.
func readyWithin(t *testing.T, ta *testApp, want int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		rec := ta.do(req{method: "GET", path: "/readyz"})
		if rec.Code == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("/readyz still %d after %v, want %d", rec.Code, limit, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// registration is a write that adds rows (a user, a membership, a session, an event).
func (ta *testApp) registration(i int) req {
	return req{method: "POST", path: "/api/v1/auth/register", remote: fmt.Sprintf("198.51.100.%d:4000", i%250+1),
		body: map[string]any{"phone": fmt.Sprintf("1398%07d", i), "name": fmt.Sprintf("居民%d", i), "password": "register-pass-1",
			"community_id": ta.fx.A.ID, "household_id": ta.fx.HouseholdA.ID, "privacy_consent": true}}
}

// outageLines counts the log's outage start and end lines and its request errors.
func outageLines(log string) (start, end, errs int) {
	return strings.Count(log, "database unavailable"), strings.Count(log, "database available again"),
		strings.Count(log, "request failed")
}

func TestOutage_MySQLUnreachable(t *testing.T) {
	base := testenv.MySQLDSN()
	if base == "" {
		t.Skip("needs YYT_TEST_MYSQL_DSN: the MariaDB outage runs through a TCP proxy in front of that server")
	}
	dsn, _ := testenv.DSN(t)
	backend := "127.0.0.1:3306"
	if i, j := strings.Index(dsn, "tcp("), strings.Index(dsn, ")/"); i >= 0 && j > i {
		backend = dsn[i+4 : j]
	}
	proxy := newTCPProxy(t, backend)
	proxied := strings.Replace(dsn, "tcp("+backend+")", "tcp("+proxy.addr+")", 1)
	store, err := models.Open(models.OpenOptions{DSN: proxied})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := migrations.Up(store.Gorm()); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ta := appOnStore(t, store, slog.New(slog.NewTextHandler(&logs, nil)))
	me := req{method: "GET", path: "/api/v1/me", as: ta.fx.Resident}
	wantStatus(t, ta.do(me), http.StatusOK)
	wantStatus(t, ta.do(ta.registration(0)), http.StatusCreated)
	readyWithin(t, ta, http.StatusOK, time.Second)
	// Ballots sent at once go through the group commit, whose batches have connections of their
	// own (models.Store's batch handle): they too answer 503 during the outage and work after it.
	pf := ta.buildPollAccessFixture()
	ballot := req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", pf.open.ID), body: map[string]any{"choice": "yes"}, as: ta.fx.Resident}
	castAtOnce := func() []*httptest.ResponseRecorder {
		recs := make([]*httptest.ResponseRecorder, 4)
		var wg sync.WaitGroup
		for i := range recs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				recs[i] = ta.do(ballot)
			}()
		}
		wg.Wait()
		return recs
	}
	for _, rec := range castAtOnce() {
		if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("ballot before the outage: %d %s", rec.Code, rec.Body.String())
		}
	}

	proxy.cut()
	cutAt := time.Now()
	if took := readyWithin(t, ta, http.StatusServiceUnavailable, time.Second); took > time.Second {
		t.Fatalf("/readyz turned 503 after %v", took)
	}
	for i := range 6 {
		wantUnavailable(t, ta, me, []string{"zh-CN", "en"}[i%2])
		wantUnavailable(t, ta, ta.registration(i+1), []string{"en", "zh-CN"}[i%2])
	}
	for _, rec := range castAtOnce() {
		wantProblem(t, rec, http.StatusServiceUnavailable, "unavailable")
	}
	if start, end, errs := outageLines(logs.String()); start != 1 || end != 0 || errs != 0 {
		t.Fatalf("log during the outage: %d start lines, %d end lines, %d request errors; want 1, 0, 0\n%s", start, end, errs, logs.String())
	}
	t.Logf("outage of %v answered 503 throughout", time.Since(cutAt).Round(time.Millisecond))

	proxy.restore(t)
	readyWithin(t, ta, http.StatusOK, 3*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec := ta.do(me)
		if rec.Code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /me still %d 5 s after the database came back: %s", rec.Code, rec.Body.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantStatus(t, ta.do(ta.registration(100)), http.StatusCreated)
	for _, rec := range castAtOnce() {
		if rec.Code != http.StatusOK {
			t.Fatalf("ballot after the outage: %d %s, want 200 (the same ballot again)", rec.Code, rec.Body.String())
		}
	}
	if n := ta.count(t, "users", "phone LIKE ?", "1398%"); n != 2 {
		t.Fatalf("%d registrations stored, want the 2 acknowledged", n)
	}
	if start, end, errs := outageLines(logs.String()); start != 1 || end != 1 || errs != 0 {
		t.Fatalf("log: %d start lines, %d end lines, %d request errors; want 1, 1, 0\n%s", start, end, errs, logs.String())
	}

	// A network that drops packets instead of refusing them: the server is silent, and the
	// answer still comes within 5 s.
	proxy.stalled.Store(true)
	if took := readyWithin(t, ta, http.StatusServiceUnavailable, 1500*time.Millisecond); took > 1500*time.Millisecond {
		t.Fatalf("/readyz turned 503 after %v on a silent network", took)
	}
	wantUnavailable(t, ta, me, "zh-CN")
	wantUnavailable(t, ta, ta.registration(200), "en")
	proxy.stalled.Store(false)
	proxy.cut() // the held connections are dead to the driver anyway
	proxy.restore(t)
	readyWithin(t, ta, http.StatusOK, 5*time.Second)
	wantStatus(t, ta.do(me), http.StatusOK)
	if start, end, errs := outageLines(logs.String()); start != 2 || end != 2 || errs != 0 {
		t.Fatalf("log: %d start lines, %d end lines, %d request errors; want 2, 2, 0\n%s", start, end, errs, logs.String())
	}
}

func TestOutage_SQLiteReadOnlyAndFull(t *testing.T) {
	if testenv.MySQLDSN() != "" {
		t.Skip("SQLite only: the MariaDB outage is TestOutage_MySQLUnreachable")
	}
	store := testenv.Open(t)
	var logs syncBuffer
	ta := appOnStore(t, store, slog.New(slog.NewTextHandler(&logs, nil)))
	me := req{method: "GET", path: "/api/v1/me", as: ta.fx.Resident}
	wantStatus(t, ta.do(me), http.StatusOK)
	wantStatus(t, ta.do(ta.registration(0)), http.StatusCreated)
	// The write connection is the store's only one (models/db.go), so a pragma on it holds for
	// every write.
	pragma := func(p string) {
		t.Helper()
		if err := store.Gorm().Exec("PRAGMA " + p).Error; err != nil {
			t.Fatalf("PRAGMA %s: %v", p, err)
		}
	}

	t.Run("ReadOnly", func(t *testing.T) {
		pragma("query_only = 1") // the data folder turned read-only under the server
		for i := range 4 {
			wantUnavailable(t, ta, ta.registration(i+1), []string{"zh-CN", "en"}[i%2])
		}
		readyWithin(t, ta, http.StatusServiceUnavailable, time.Second)
		wantStatus(t, ta.do(me), http.StatusOK) // reading goes on
		if start, end, errs := outageLines(logs.String()); start != 1 || end != 0 || errs != 0 {
			t.Fatalf("log: %d start lines, %d end lines, %d request errors; want 1, 0, 0\n%s", start, end, errs, logs.String())
		}
		if !strings.Contains(logs.String(), "readonly database") {
			t.Fatalf("the outage line does not say why:\n%s", logs.String())
		}
		pragma("query_only = 0")
		readyWithin(t, ta, http.StatusOK, 3*time.Second)
		wantStatus(t, ta.do(ta.registration(10)), http.StatusCreated)
		if start, end, _ := outageLines(logs.String()); start != 1 || end != 1 {
			t.Fatalf("log: %d start lines, %d end lines; want 1, 1\n%s", start, end, logs.String())
		}
	})

	t.Run("DiskFull", func(t *testing.T) {
		var pages int64
		if err := store.Gorm().Raw("PRAGMA page_count").Row().Scan(&pages); err != nil {
			t.Fatal(err)
		}
		pragma(fmt.Sprintf("max_page_count = %d", pages)) // the disk has no page to give
		full := 0
		for i := range 60 {
			rec := ta.do(ta.registration(1000 + i))
			switch rec.Code {
			case http.StatusCreated:
			case http.StatusServiceUnavailable:
				wantProblem(t, rec, http.StatusServiceUnavailable, "unavailable")
				full++
			default:
				t.Fatalf("registration %d on a full disk: %d %s", i, rec.Code, rec.Body.String())
			}
		}
		if full == 0 {
			t.Fatal("no write met the full disk")
		}
		if !strings.Contains(logs.String(), "database or disk is full") {
			t.Fatalf("no log line says the disk is full:\n%s", logs.String())
		}
		pragma("max_page_count = 4294967294")
		readyWithin(t, ta, http.StatusOK, 3*time.Second)
		wantStatus(t, ta.do(ta.registration(2000)), http.StatusCreated)
		var check string
		if err := store.Gorm().Raw("PRAGMA integrity_check").Row().Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check after the full disk: %q %v", check, err)
		}
		res, err := store.VerifyChain(context.Background(), ta.fx.A.ID)
		if err != nil || !res.OK {
			t.Fatalf("chain after the full disk: %+v %v", res, err)
		}
		if start, end, errs := outageLines(logs.String()); start != 2 || end != 2 || errs != 0 {
			t.Fatalf("log: %d start lines, %d end lines, %d request errors; want 2, 2, 0 (one outage each subtest)\n%s", start, end, errs, logs.String())
		}
	})
}
