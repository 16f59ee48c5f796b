package handlers

import (
	"fmt"
	"net/http"
	"testing"
)

func TestLogin(t *testing.T) {
	ta := newTestApp(t)
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800000006", "password": fixturePassword}})
		wantStatus(t, rec, http.StatusOK)
		s := decode[session](t, rec)
		if s.AccessToken == "" || s.TokenType != "Bearer" || s.ExpiresIn != 900 || s.User.ID != ta.fx.Resident.ID {
			t.Fatalf("session=%+v", s)
		}
		var ck *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == refreshCookie {
				ck = c
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/v1/auth" {
			t.Fatalf("refresh cookie=%+v", ck)
		}
		me := ta.do(req{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + s.AccessToken}})
		wantStatus(t, me, http.StatusOK)
	})
	t.Run("ErrBadCredentials", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800000006", "password": "wrong-password"}})
		p := wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
		if p.Detail != "手机号或密码不对，请再试一次。" {
			t.Fatalf("detail=%q, want the Chinese message by default", p.Detail)
		}
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/login", header: map[string]string{"Accept-Language": "en-US,en;q=0.9"},
			body: map[string]string{"phone": "13999999999", "password": "whatever-pass"}})
		p = wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
		if p.Detail != "The phone number or password is wrong. Please try again." {
			t.Fatalf("detail=%q, want English", p.Detail)
		}
	})
	t.Run("ErrThrottledPerPhone", func(t *testing.T) {
		for i := 0; i < phoneLimitForTest; i++ {
			rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800000005", "password": fmt.Sprintf("bad-%d-pass", i)}})
			wantStatus(t, rec, http.StatusUnauthorized)
		}
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800000005", "password": fixturePassword}})
		wantProblem(t, rec, http.StatusTooManyRequests, "login_locked")
		if rec.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After header")
		}
	})
}

const phoneLimitForTest = 5
