package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fuzzRoute is a route whose body the fuzzer writes, asked as a caller allowed to use it.
type fuzzRoute struct {
	method, path, token string
}

// FuzzDecodeRequest sends arbitrary bytes as the body of real routes through the whole app. Whatever
// comes in, the answer is never a server error and is always JSON.
//
//	go test -run XXX -fuzz FuzzDecodeRequest -fuzztime 60s ./handlers/
func FuzzDecodeRequest(f *testing.F) {
	ta := openTestApp(f, Config{})
	fx := ta.fx
	admin, resident, unverified := ta.token(fx.AdminA), ta.token(fx.Resident), ta.token(fx.Unverified)
	routes := []fuzzRoute{
		{"POST", "/api/v1/auth/register", ""},
		{"POST", "/api/v1/auth/login", ""},
		{"PATCH", memberPath(fx.A.ID, fx.Party.ID), admin},
		{"POST", membersPath(fx.A.ID), admin},
		{"POST", fmt.Sprintf("/api/v1/compounds/%d/households", fx.CompoundA.ID), admin},
		{"POST", fmt.Sprintf("/api/v1/communities/%d/compounds", fx.A.ID), admin},
		{"PATCH", fmt.Sprintf("/api/v1/communities/%d", fx.A.ID), admin},
		{"PATCH", "/api/v1/me", resident},
		{"POST", "/api/v1/me/close", unverified},
	}
	seeds := []string{
		// valid bodies of each route
		fmt.Sprintf(`{"phone":"13755556666","name":"王阿姨","password":"register-pass-1","community_id":%d,"household_id":%d,"privacy_consent":true}`, fx.A.ID, fx.HouseholdA.ID),
		`{"phone":"13800000006","password":"fixture-pass-1"}`,
		fmt.Sprintf(`{"roles":["resident","party_member"],"verified":true,"skills":["电工"],"work_unit":"供电公司","household_id":%d}`, fx.HouseholdA.ID),
		`{"phone":"13612345678","name":"李网格","roles":["grid_worker"]}`,
		fmt.Sprintf(`{"building_id":%d,"room":"808","area":88.5,"owner_occupied":true}`, fx.BuildingA.ID),
		`{"name":"常青苑","address":"常青路"}`,
		`{"name":"西桥社区","district":"江汉区"}`,
		`{"large_text":true,"locale":"en","name":"居民"}`,
		`{"password":"not-the-password"}`,
		// empty and degenerate
		``, `{}`, `null`, `[]`, `""`, `0`, `true`, ` `, "\x00", `{"`, `}`, `{}{}`, `{} `, "\ufeff{}",
		// huge numbers
		`{"community_id":18446744073709551615}`, `{"community_id":18446744073709551616}`, `{"building_id":9223372036854775808,"area":1e308}`,
		`{"area":-0,"building_id":1e2}`, `{"household_id":-1}`, `{"compound_id":0}`, `{"area":4.9e-324}`, `{"area":1.00000000000000000001}`,
		`{"organization_id":99999999999999999999999999999999}`, `{"organization_id":18446744073709551615}`,
		`{"phone":"13755556667","name":"x","password":"register-pass-1","community_id":18446744073709551615,"privacy_consent":true}`,
		`{"building_id":9223372036854775808,"room":"1","area":50}`, `{"phone":"13612345679","name":"x","roles":["resident"],"compound_id":18446744073709551615}`,
		// unicode
		`{"name":"\u0000\u202e\ud800","room":"😀😀😀"}`, `{"name":"` + strings.Repeat("长", 51) + `"}`, "{\"name\":\"\xff\xfe\"}",
		`{"phone":"１３８００００００06","password":"密码密码密码密码"}`, `{"skills":["Cafe","café","CAFE"]}`, `{"skills":["a","A"," a "]}`,
		// nested and wrong types
		`{"roles":[["admin"]]}`, `{"roles":{"admin":true}}`, `{"verified":"true"}`, `{"skills":[null]}`, `{"phone":{"$gt":""}}`,
		`{"a":{"b":{"c":{"d":[[[[[[[[]]]]]]]]}}}}`, `[` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `]`,
		// nulls
		`{"phone":null,"password":null}`, `{"roles":null,"skills":null,"work_unit":null}`, `{"household_id":null,"compound_id":null}`,
		// duplicates and unknown fields
		`{"phone":"1","phone":"13800000006","password":"fixture-pass-1"}`, `{"is_superadmin":true}`, `{"Phone":"13800000006"}`,
	}
	for i := range routes {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := routes[int(route)%len(routes)]
		hr := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		hr.RemoteAddr = "192.0.2.77:1"
		hr.Header.Set("Content-Type", "application/json")
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
		rec := httptest.NewRecorder()
		ta.e.ServeHTTP(rec, hr)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status=%d body=%s", r.method, r.path, body, rec.Code, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: answer is not JSON: %q", r.method, r.path, body, rec.Body.String())
		}
		if rec.Code >= 400 {
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" || p.Detail == "" ||
				!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%s %s %q: status=%d, not a problem document: %s", r.method, r.path, body, rec.Code, rec.Body.String())
			}
		}
	})
}

// FuzzParseToken feeds arbitrary strings to the access-token check and to the app as a bearer
// token: nothing panics, nothing is a server error, and only tokens the server signed log in.
//
//	go test -run XXX -fuzz FuzzParseToken -fuzztime 60s ./handlers/
func FuzzParseToken(f *testing.F) {
	ta := openTestApp(f, Config{})
	uid := ta.fx.Resident.ID
	const sid = "fuzz-session-of-the-resident"
	storeTestSession(f, ta.store, uid, sid)
	// Seeds are made in every fuzzing process, so they are signed at fixed times in a session of a
	// fixed id: the same bytes everywhere. A token "issued" in 2099 is valid now (nothing checks
	// iat); one of 2020 is expired.
	at := func(when time.Time) string {
		tok, err := (&tokens{secret: []byte(testSecret), ttl: AccessTTL, now: func() time.Time { return when }}).issue(uid, sid)
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	// Correctly signed tokens whose claims are unusable: each must be a 401, never a 500.
	var signedSeeds []string
	signed := func(claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
		if err != nil {
			f.Fatal(err)
		}
		signedSeeds = append(signedSeeds, tok)
		return tok
	}
	claims := func(sub, sid any) jwt.MapClaims {
		return jwt.MapClaims{"iss": jwtIssuer, "aud": []string{jwtAudience}, "exp": 4070908800, "sub": sub, "sid": sid}
	}
	good := at(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	expired := at(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	issued := map[string]bool{signingInput(good): true}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.RegisteredClaims{Subject: fmt.Sprint(uid), Issuer: jwtIssuer,
		Audience: jwt.ClaimStrings{jwtAudience}, ExpiresAt: jwt.NewNumericDate(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good, " " + good + " ", good + ".", good[:len(good)-1], good[:len(good)-1] + "A", expired, none,
		parts[0] + "." + parts[1], parts[0] + ".." + parts[2], "." + parts[1] + "." + parts[2],
		"", " ", ".", "..", "...", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxODQ0Njc0NDA3MzcwOTU1MTYxNiIsImV4cCI6OTk5OTk5OTk5OTk5OX0.x",
		"令牌", "\x00\x00", "Bearer " + good, strings.Repeat("a", 10000), strings.Repeat(".", 1000),
		"eyJ" + strings.Repeat("A", 4000) + ".eyJ.x", "%00", "\r\nX-Injected: 1",
		signed(claims("18446744073709551615", sid)), signed(claims("9223372036854775808", sid)), signed(claims("-1", sid)),
		signed(claims(fmt.Sprint(uid), "unknown-session-id-000")), signed(claims(fmt.Sprint(uid), 42)),
		signed(claims(fmt.Sprint(uid), nil)), signed(claims(uid, sid)),
	} {
		f.Add(s)
	}
	for _, tok := range signedSeeds {
		issued[signingInput(tok)] = true
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, _, err := ta.tok.parse(raw)
		if err == nil && (!issued[signingInput(raw)] || id != uid) {
			t.Fatalf("parse accepted a token the server did not sign: %q → user %d", raw, id)
		}
		hr := httptest.NewRequest("GET", "/api/v1/me", nil)
		hr.Header.Set("Authorization", "Bearer "+raw)
		rec := httptest.NewRecorder()
		ta.e.ServeHTTP(rec, hr)
		if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("bearer %q: status=%d body=%q", raw, rec.Code, rec.Body.String())
		}
		// The middleware trims the token; it logs in exactly when the trimmed token parses and names
		// the live session.
		_, psid, perr := ta.tok.parse(strings.TrimSpace(raw))
		want := http.StatusUnauthorized
		if perr == nil && psid == sid {
			want = http.StatusOK
		}
		if rec.Code != want {
			t.Fatalf("bearer %q: status=%d, want %d; body=%s", raw, rec.Code, want, rec.Body.String())
		}
	})
}

// signingInput is the part of a JWT the signature covers.
func signingInput(tok string) string {
	i := strings.LastIndex(tok, ".")
	if i < 0 {
		return tok
	}
	return tok[:i]
}
