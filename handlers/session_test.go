package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/yueyuetan/yueyuetan/models"
)

// signLegacy signs an access token as the server did before sessions had ids: no sid claim.
func signLegacy(userID uint64) (string, error) {
	now := time.Now()
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Subject: strconv.FormatUint(userID, 10),
		Issuer: jwtIssuer, Audience: jwt.ClaimStrings{jwtAudience}, IssuedAt: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL))}).SignedString([]byte(testSecret))
}

// parallelLogins sends n wrong-password logins at once and counts the answers by status; the
// remote address of the i-th is addr(i).
func parallelLogins(t *testing.T, ta *testApp, n int, phone func(int) string, addr func(int) string) map[int][]*httptest.ResponseRecorder {
	t.Helper()
	out := map[int][]*httptest.ResponseRecorder{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: addr(i),
				header: map[string]string{"Accept-Language": []string{"zh-CN", "en"}[i%2]},
				body:   loginBody(phone(i), fmt.Sprintf("wrong-pass-%d", i))})
			mu.Lock()
			out[rec.Code] = append(out[rec.Code], rec)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return out
}

// wantThrottled checks that every refused attempt is a localized 429 with Retry-After.
func wantThrottled(t *testing.T, recs []*httptest.ResponseRecorder, reason string) {
	t.Helper()
	details := map[string]bool{}
	for _, rec := range recs {
		p := wantProblem(t, rec, http.StatusTooManyRequests, reason)
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra <= 0 {
			t.Fatalf("Retry-After=%q", rec.Header().Get("Retry-After"))
		}
		lang := "en"
		if strings.Contains(p.Detail, "分钟后再试") {
			lang = "zh"
		} else if !strings.Contains(p.Detail, "try again in") {
			t.Fatalf("detail=%q", p.Detail)
		}
		details[lang] = true
	}
	if len(recs) > 1 && len(details) != 2 {
		t.Fatalf("details=%v, want Chinese and English messages", details)
	}
}

// TestAuth_LoginThrottleParallel: each attempt is counted before its password is checked, so
// parallel requests never get more guesses than the limit. Only a checked password answers 401
// bad_credentials, so the 401s count the evaluations.
func TestAuth_LoginThrottleParallel(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	t.Run("OnePhone", func(t *testing.T) {
		got := parallelLogins(t, ta, 200, func(int) string { return ta.fx.Resident.Phone },
			func(i int) string { return fmt.Sprintf("198.51.100.%d:1000", i%200+1) })
		evaluated, refused := len(got[http.StatusUnauthorized]), len(got[http.StatusTooManyRequests])
		if evaluated > phoneLimitForTest || evaluated+refused != 200 {
			t.Fatalf("200 parallel wrong logins for one phone: %d evaluated, %d refused, answers %v; want at most %d evaluated and the rest 429",
				evaluated, refused, statusCounts(got), phoneLimitForTest)
		}
		wantThrottled(t, got[http.StatusTooManyRequests], "login_locked")
		// The phone stays locked for its right password too.
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: "203.0.113.1:1", body: loginBody(ta.fx.Resident.Phone, fixturePassword)})
		wantProblem(t, rec, http.StatusTooManyRequests, "login_locked")
	})
	t.Run("OneAddress", func(t *testing.T) {
		got := parallelLogins(t, ta, 200, func(i int) string { return fmt.Sprintf("1590001%04d", i) },
			func(int) string { return "192.0.2.77:4000" })
		evaluated := len(got[http.StatusUnauthorized])
		if evaluated > addrLimitForTest || evaluated+len(got[http.StatusTooManyRequests]) != 200 {
			t.Fatalf("200 parallel wrong logins from one address: answers %v; want at most %d evaluated and the rest 429",
				statusCounts(got), addrLimitForTest)
		}
		wantThrottled(t, got[http.StatusTooManyRequests], "login_locked")
	})
	t.Run("SuccessGivesBackTheAddressAttempt", func(t *testing.T) {
		// 49 honest typos and then 1 right password from a meeting room leave the room open.
		const room = "192.0.2.78:4000"
		for i := 0; i < addrLimitForTest-1; i++ {
			wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room,
				body: loginBody(fmt.Sprintf("1590002%04d", i), "wrong-password")}), http.StatusUnauthorized, "bad_credentials")
		}
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room, body: loginBody(ta.fx.Party.Phone, fixturePassword)}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room, body: loginBody(ta.fx.Committee.Phone, fixturePassword)}), http.StatusOK)
	})
}

func statusCounts(got map[int][]*httptest.ResponseRecorder) map[int]int {
	out := map[int]int{}
	for k, v := range got {
		out[k] = len(v)
	}
	return out
}

// TestAuth_RevokedSessionEverywhere: a session's access tokens stop working the moment it is
// revoked — logout, refresh-token reuse, all sessions but one — on this instance and on another
// one sharing the database.
func TestAuth_RevokedSessionEverywhere(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	other := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: discardLogger()})
	me := func(token string) (int, int) {
		a := ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(token)})
		b := ta.doWith(other, req{method: "GET", path: "/api/v1/me", header: bearer(token)})
		return a.Code, b.Code
	}
	want := func(t *testing.T, token string, status int) {
		t.Helper()
		if a, b := me(token); a != status || b != status {
			t.Fatalf("GET /me: this instance %d, other instance %d; want %d on both", a, b, status)
		}
	}
	t.Run("Logout", func(t *testing.T) {
		s, ck := ta.login(t, ta.fx.Resident.Phone, fixturePassword)
		kept, _ := ta.login(t, ta.fx.Resident.Phone, fixturePassword)
		want(t, s.AccessToken, http.StatusOK)
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{ck}}), http.StatusNoContent)
		want(t, s.AccessToken, http.StatusUnauthorized)
		p := wantProblem(t, ta.doWith(other, req{method: "GET", path: "/api/v1/me", header: bearer(s.AccessToken)}),
			http.StatusUnauthorized, "session_ended")
		if p.Detail != "登录已过期，请重新登录。" {
			t.Fatalf("detail=%q", p.Detail)
		}
		// The same person's other session goes on.
		want(t, kept.AccessToken, http.StatusOK)
	})
	t.Run("RefreshReuse", func(t *testing.T) {
		s1, c1 := ta.login(t, ta.fx.Party.Phone, fixturePassword)
		rec := ta.doWith(other, req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{c1}})
		wantStatus(t, rec, http.StatusOK)
		s2 := decode[session](t, rec)
		want(t, s1.AccessToken, http.StatusOK)
		want(t, s2.AccessToken, http.StatusOK)
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{c1}}), http.StatusUnauthorized, "token_reused")
		want(t, s1.AccessToken, http.StatusUnauthorized)
		want(t, s2.AccessToken, http.StatusUnauthorized)
	})
	t.Run("RevokeOthers", func(t *testing.T) {
		keep, _ := ta.login(t, ta.fx.Committee.Phone, fixturePassword)
		end, _ := ta.login(t, ta.fx.Committee.Phone, fixturePassword)
		_, sid, err := ta.tok.parse(keep.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if err := ta.store.RevokeSessions(t.Context(), ta.fx.Committee.ID, sid); err != nil {
			t.Fatal(err)
		}
		want(t, keep.AccessToken, http.StatusOK)
		want(t, end.AccessToken, http.StatusUnauthorized)
		if err := ta.store.RevokeSessions(t.Context(), ta.fx.Committee.ID, ""); err != nil {
			t.Fatal(err)
		}
		want(t, keep.AccessToken, http.StatusUnauthorized)
	})
	t.Run("ErrTokenWithoutSession", func(t *testing.T) {
		// Tokens signed before sessions had ids carry none: they are refused, and the client
		// renews them with its refresh token, whose session the migration kept.
		old, err := signLegacy(ta.fx.Resident.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, old, http.StatusUnauthorized)
	})
}

// TestAuth_RegisterLimitedPerAddress: registrations are counted per client address (the
// forwarded one behind a trusted proxy).
func TestAuth_RegisterLimitedPerAddress(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	const limit = 20
	body := func(i int) map[string]any {
		return map[string]any{"phone": fmt.Sprintf("1360000%04d", i), "name": "新邻居", "password": "register-pass-1",
			"community_id": ta.fx.A.ID, "privacy_consent": true}
	}
	const office = "192.0.2.90:5000"
	for i := 0; i < limit; i++ {
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/register", remote: office, body: body(i)}), http.StatusCreated)
	}
	var refused []*httptest.ResponseRecorder
	for i, lang := range []string{"zh-CN", "en"} {
		refused = append(refused, ta.do(req{method: "POST", path: "/api/v1/auth/register", remote: office,
			header: map[string]string{"Accept-Language": lang}, body: body(limit + i)}))
	}
	wantThrottled(t, refused, "register_limited")
	var n int64
	if err := ta.store.Gorm().Model(&models.User{}).Where("phone IN ?", []string{"13600000020", "13600000021"}).Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("refused registrations stored %d accounts (err %v)", n, err)
	}
	// Another address registers; behind a trusted proxy the forwarded client counts.
	wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/register", remote: "192.0.2.91:5000", body: body(100)}), http.StatusCreated)
	proxied := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), TrustProxy: true, Logger: discardLogger()})
	via := func(client string, i int) *httpRec {
		return ta.doWith(proxied, req{method: "POST", path: "/api/v1/auth/register", remote: "10.0.0.2:5000",
			header: map[string]string{"X-Forwarded-For": client}, body: body(i)})
	}
	wantProblem(t, via("192.0.2.90", 101), http.StatusTooManyRequests, "register_limited")
	wantStatus(t, via("192.0.2.92", 102), http.StatusCreated)
}
