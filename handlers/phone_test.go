package handlers

import (
	"encoding/json"
	"net/http"
	"testing"
)

// A page restoring its session asks the refresh for the memberships too (docs/phone.md): one
// round trip instead of refresh then GET /me.
func TestPhone_RefreshWithMemberships(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	refresh := func(query string, ck *http.Cookie) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/auth/refresh" + query, cookies: []*http.Cookie{ck}})
	}
	t.Run("OK", func(t *testing.T) {
		_, c1 := ta.login(t, "13800000006", fixturePassword)
		rec := refresh("?include=memberships", c1)
		wantStatus(t, rec, http.StatusOK)
		var got struct {
			AccessToken string            `json:"access_token"`
			Memberships []json.RawMessage `json:"memberships"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		c2 := cookieOf(rec, refreshCookie)
		if c2 == nil || c2.Value == c1.Value || got.AccessToken == "" {
			t.Fatalf("refresh gave cookie=%+v body=%s, want a rotated cookie and a token", c2, rec.Body.String())
		}
		// The same memberships as GET /me answers with the new token.
		me := ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(got.AccessToken)})
		wantStatus(t, me, http.StatusOK)
		var want struct {
			Memberships []json.RawMessage `json:"memberships"`
		}
		if err := json.Unmarshal(me.Body.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if len(want.Memberships) == 0 || len(got.Memberships) != len(want.Memberships) {
			t.Fatalf("refresh memberships=%d, GET /me=%d", len(got.Memberships), len(want.Memberships))
		}
		for i := range want.Memberships {
			if string(got.Memberships[i]) != string(want.Memberships[i]) {
				t.Fatalf("membership %d: refresh %s, GET /me %s", i, got.Memberships[i], want.Memberships[i])
			}
		}
		// Without the parameter the answer is as before: no memberships key.
		rec = refresh("", c2)
		wantStatus(t, rec, http.StatusOK)
		var plain map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &plain); err != nil {
			t.Fatal(err)
		}
		if _, ok := plain["memberships"]; ok {
			t.Fatalf("plain refresh answered memberships: %s", rec.Body.String())
		}
	})
	t.Run("ErrUnknownInclude", func(t *testing.T) {
		_, c1 := ta.login(t, "13800000006", fixturePassword)
		rec := refresh("?include=everything", c1)
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "include",
			"只能是 memberships（附带我所在的社区）")
		if cookieOf(rec, refreshCookie) != nil {
			t.Fatal("a refused refresh set a cookie")
		}
		// Nothing changed: the refresh token was not used up.
		wantStatus(t, refresh("?include=memberships", c1), http.StatusOK)
	})
	t.Run("ErrNoCookie", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh?include=memberships"}),
			http.StatusUnauthorized, "session_ended")
	})
}
