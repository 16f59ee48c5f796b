package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeaders_Metrics: /metrics answers a loopback client that came through no proxy, or the
// configured token from anywhere; nobody else learns it exists (404) unless a token is set (401).
func TestHeaders_Metrics(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	withToken := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: discardLogger(), MetricsToken: "metrics-secret-1"})
	get := func(t *testing.T, app bool, remote string, h map[string]string) *httpRec {
		t.Helper()
		e := ta.e
		if app {
			e = withToken
		}
		return ta.doWith(e, req{method: "GET", path: "/metrics", remote: remote, header: h})
	}
	ok := func(t *testing.T, rec *httpRec) {
		t.Helper()
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), "go_gc_duration_seconds") {
			t.Fatalf("not the metrics: %.200s", rec.Body.String())
		}
	}
	t.Run("OKLoopback", func(t *testing.T) {
		ok(t, get(t, false, "127.0.0.1:40000", nil))
		ok(t, get(t, false, "[::1]:40000", nil))
		ok(t, get(t, true, "127.0.0.1:40000", nil))
	})
	t.Run("OKToken", func(t *testing.T) {
		ok(t, get(t, true, "203.0.113.5:1", map[string]string{"Authorization": "Bearer metrics-secret-1"}))
	})
	t.Run("ErrNotLoopback", func(t *testing.T) {
		wantProblemShape(t, get(t, false, "203.0.113.5:1", nil), http.StatusNotFound)
		wantProblemShape(t, get(t, false, "203.0.113.5:1", map[string]string{"Authorization": "Bearer metrics-secret-1"}), http.StatusNotFound)
		// A proxy on the same host makes every visitor a loopback peer: a forwarded request is not trusted.
		for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"} {
			wantProblemShape(t, get(t, false, "127.0.0.1:40000", map[string]string{h: "203.0.113.5"}), http.StatusNotFound)
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		for _, h := range []string{"", "Bearer wrong", "Bearer metrics-secret-", "Basic metrics-secret-1", "metrics-secret-1"} {
			wantProblem(t, get(t, true, "203.0.113.5:1", map[string]string{"Authorization": h}), http.StatusUnauthorized, "login_required")
		}
	})
}

// TestHeaders_NoStore: API answers carrying personal data are never cached, errors included; the
// card photo keeps its deliberate private cache.
func TestHeaders_NoStore(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	for _, r := range []req{
		{method: "GET", path: "/api/v1/me", as: ta.fx.Resident},
		{method: "GET", path: membersPath(ta.fx.A.ID), as: ta.fx.AdminA},
		{method: "GET", path: membersPath(ta.fx.A.ID), as: ta.fx.Resident},
		{method: "GET", path: "/api/v1/me"},
		{method: "GET", path: "/api/v1/register/communities"},
		{method: "GET", path: "/api/v1/no-such-route"},
	} {
		if cc := ta.do(r).Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s %s: Cache-Control=%q, want no-store", r.method, r.path, cc)
		}
	}
}

// TestHeaders_HSTS: Strict-Transport-Security is sent when the site is served over https, and not
// over plain http (a browser would then refuse the http site for a year).
func TestHeaders_HSTS(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	https := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: discardLogger(), BaseURL: "https://yyt.example.org"})
	plain := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: discardLogger(), BaseURL: "http://localhost:8080"})
	for _, path := range []string{"/api/v1/me", "/healthz", "/"} {
		if got := ta.doWith(https, req{method: "GET", path: path}).Header().Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("https %s: Strict-Transport-Security=%q", path, got)
		}
		if got := ta.doWith(plain, req{method: "GET", path: path}).Header().Get("Strict-Transport-Security"); got != "" {
			t.Errorf("http %s: Strict-Transport-Security=%q, want none", path, got)
		}
	}
}
