package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yueyuetan/yueyuetan/models"
)

// wantProblemShape checks what every error answer carries.
func wantProblemShape(t *testing.T, rec *httpRec, status int) Problem {
	t.Helper()
	wantStatus(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
		t.Fatalf("content-type=%q, want application/problem+json", ct)
	}
	p := decode[Problem](t, rec)
	if p.Type != "about:blank" || p.Status != status || p.Title == "" || p.Detail == "" || p.Code == "" {
		t.Fatalf("problem=%+v, want type, status, title, detail and code", p)
	}
	return p
}

func TestErrors_Decode(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	login := func(body string, h map[string]string) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/auth/login", body: body, header: h})
	}
	t.Run("ErrUnknownField", func(t *testing.T) {
		p := wantProblemShape(t, login(`{"phone":"13800000006","password":"x","admin":true}`, nil), http.StatusBadRequest)
		if p.Code != "unknown_field" || p.Detail != "请求里有不认识的字段：admin。" || p.Title != "请求格式有误" {
			t.Fatalf("problem=%+v", p)
		}
		// Unknown fields are refused where a request is otherwise valid, too (no mass assignment).
		rec := ta.do(req{method: "PATCH", path: memberPath(ta.fx.A.ID, ta.fx.Resident.ID), as: ta.fx.AdminA,
			body: `{"verified":true,"user_id":1}`})
		wantProblem(t, rec, http.StatusBadRequest, "unknown_field")
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, body := range []string{`{"phone":`, `{"phone":"1"} {"x":1}`, `{"phone":"1"}x`, `[]`, `"text"`, `nul`, "{\"phone\":\"\xff\"", `{'phone':'1'}`} {
			p := wantProblemShape(t, login(body, nil), http.StatusBadRequest)
			if p.Code != "malformed_json" {
				t.Fatalf("body %q: code=%q, want malformed_json", body, p.Code)
			}
		}
	})
	t.Run("ErrWrongType", func(t *testing.T) {
		p := wantProblemShape(t, login(`{"phone":13800000006,"password":"x"}`, nil), http.StatusUnprocessableEntity)
		wantField(t, p, "phone", "手机号的类型不对")
		p = wantProblemShape(t, login(`{"phone":["13800000006"],"password":"x"}`, map[string]string{"Accept-Language": "en"}), http.StatusUnprocessableEntity)
		wantField(t, p, "phone", "Phone has the wrong type")
		rec := ta.do(req{method: "PATCH", path: memberPath(ta.fx.A.ID, ta.fx.Resident.ID), as: ta.fx.AdminA, body: `{"roles":"admin"}`})
		wantField(t, wantProblemShape(t, rec, http.StatusUnprocessableEntity), "roles", "角色的类型不对")
		rec = ta.do(req{method: "PATCH", path: memberPath(ta.fx.A.ID, ta.fx.Resident.ID), as: ta.fx.AdminA, body: `{"compound_id":-1}`})
		wantField(t, wantProblemShape(t, rec, http.StatusUnprocessableEntity), "compound_id", "小区的类型不对")
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		// Exactly 64 KiB is read (and then fails validation); one byte more is refused unread.
		pad := func(n int) string {
			b := `{"phone":"13800000006","password":"` + strings.Repeat("x", 200) + `"}`
			return b + strings.Repeat(" ", n-len(b))
		}
		wantProblemShape(t, login(pad(64<<10), nil), http.StatusUnprocessableEntity)
		p := wantProblemShape(t, login(pad(64<<10+1), nil), http.StatusRequestEntityTooLarge)
		if p.Code != "body_too_large" {
			t.Fatalf("code=%q", p.Code)
		}
		wantProblem(t, login(pad(1<<20), nil), http.StatusRequestEntityTooLarge, "body_too_large")
	})
	t.Run("ErrContentType", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json", ";;"} {
			p := wantProblemShape(t, login(`{"phone":"13800000006","password":"fixture-pass-1"}`, map[string]string{"Content-Type": ct}), http.StatusUnsupportedMediaType)
			if p.Code != "json_required" {
				t.Fatalf("content-type %q: code=%q", ct, p.Code)
			}
		}
		for _, ct := range []string{"application/json; charset=utf-8", "application/merge-patch+json", "Application/JSON"} {
			wantStatus(t, login(`{"phone":"13800000006","password":"fixture-pass-1"}`, map[string]string{"Content-Type": ct}), http.StatusOK)
		}
	})
	t.Run("OKEmptyBody", func(t *testing.T) {
		// No body is an empty object: the validator names what is missing.
		p := wantProblemShape(t, ta.do(req{method: "POST", path: "/api/v1/auth/login"}), http.StatusUnprocessableEntity)
		wantField(t, p, "phone", "请填写手机号")
		wantField(t, p, "password", "请填写密码")
		if p.Detail != "请检查标红的内容。" {
			t.Fatalf("detail=%q, want the summary for several fields", p.Detail)
		}
	})
}

func TestErrors_Language(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ask := func(lang string) (Problem, string) {
		h := map[string]string{}
		if lang != "" {
			h["Accept-Language"] = lang
		}
		rec := ta.do(req{method: "GET", path: "/api/v1/me", header: h})
		return wantProblemShape(t, rec, http.StatusUnauthorized), rec.Header().Get("Content-Language")
	}
	for _, c := range []struct{ lang, detail, contentLang string }{
		{"", "请先登录。", "zh-CN"},
		{"zh-CN,zh;q=0.9", "请先登录。", "zh-CN"},
		{"en", "Please log in first.", "en"},
		{"en-US,en;q=0.9,zh;q=0.5", "Please log in first.", "en"},
		{"zh;q=0.9,en;q=0.8", "请先登录。", "zh-CN"},
		{"fr-FR", "请先登录。", "zh-CN"},
		{"de, en;q=0.5", "Please log in first.", "en"},
		{"zh-TW", "请先登录。", "zh-CN"},
		{";;;garbage", "请先登录。", "zh-CN"},
	} {
		p, cl := ask(c.lang)
		if p.Detail != c.detail || cl != c.contentLang || p.Code != "login_required" {
			t.Fatalf("Accept-Language %q: detail=%q content-language=%q, want %q %q", c.lang, p.Detail, cl, c.detail, c.contentLang)
		}
	}
}

func TestErrors_Routes(t *testing.T) {
	t.Parallel()
	ui := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>月月谈</title>")},
		"assets/app-123.js":  {Data: []byte("console.log(1)")},
		"favicon.svg":        {Data: []byte("<svg/>")},
		"assets/nested/x.js": {Data: []byte("x")},
	}
	ta := openTestApp(t, Config{UI: ui, UIBuilt: true})
	t.Run("ErrUnknownAPIRoute", func(t *testing.T) {
		for _, path := range []string{"/api/v1/nope", "/api/v1/communities/1/nope", "/api/v2/me", "/api/nope", "/api/v1", "/api/v1/"} {
			for _, method := range []string{"GET", "POST", "DELETE"} {
				rec := ta.do(req{method: method, path: path, as: ta.fx.AdminA})
				if rec.Code != http.StatusNotFound {
					t.Fatalf("%s %s: status=%d, want 404", method, path, rec.Code)
				}
				p := wantProblemShape(t, rec, http.StatusNotFound)
				if p.Code != "route_not_found" || strings.Contains(rec.Body.String(), "<title>") {
					t.Fatalf("%s %s: problem=%+v, want route_not_found and not the app", method, path, p)
				}
			}
		}
	})
	t.Run("ErrWrongMethod", func(t *testing.T) {
		for _, r := range []req{{method: "DELETE", path: "/api/v1/me"}, {method: "PUT", path: "/api/v1/auth/login"}, {method: "GET", path: "/api/v1/auth/login"}} {
			rec := ta.do(r)
			if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
				t.Fatalf("%s %s: status=%d", r.method, r.path, rec.Code)
			}
			wantProblemShape(t, rec, rec.Code)
		}
	})
	t.Run("ErrBadID", func(t *testing.T) {
		for _, path := range []string{
			"/api/v1/compounds/abc/buildings", "/api/v1/compounds/0/buildings", "/api/v1/compounds/-1/buildings",
			"/api/v1/compounds/1.5/households", "/api/v1/compounds/0x10/households", "/api/v1/communities/1e3",
			"/api/v1/communities/18446744073709551615", "/api/v1/communities/9223372036854775808/compounds",
			"/api/v1/communities/99999999999999999999999999/members",
			"/api/v1/register/communities/%E4%B8%80/places",
		} {
			rec := ta.do(req{method: "GET", path: path, as: ta.fx.AdminA})
			if p := wantProblemShape(t, rec, http.StatusNotFound); p.Code != "bad_id" {
				t.Fatalf("GET %s: code=%q, want bad_id", path, p.Code)
			}
		}
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d/members/abc", ta.fx.A.ID), as: ta.fx.AdminA, body: `{}`})
		wantProblem(t, rec, http.StatusNotFound, "bad_id")
		// The largest id the databases hold is a valid id that is simply not there.
		rec = ta.do(req{method: "GET", path: "/api/v1/communities/9223372036854775807", as: ta.fx.AdminA})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
	})
	t.Run("ErrHugeIDsInBodies", func(t *testing.T) {
		const huge = "18446744073709551615"
		f := ta.fx
		cases := []struct {
			r     req
			field string
		}{
			{req{method: "POST", path: "/api/v1/auth/register", body: `{"phone":"13711112222","name":"x","password":"register-pass-1","community_id":` + huge + `,"privacy_consent":true}`}, "community_id"},
			{req{method: "POST", path: "/api/v1/auth/register", body: fmt.Sprintf(`{"phone":"13711112222","name":"x","password":"register-pass-1","community_id":%d,"household_id":%s,"privacy_consent":true}`, f.A.ID, huge)}, "household_id"},
			{req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/households", f.CompoundA.ID), as: f.AdminA, body: `{"building_id":` + huge + `,"room":"1","area":50}`}, "building_id"},
			{req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.AdminA, body: `{"organization_id":` + huge + `}`}, "organization_id"},
			{req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.AdminA, body: `{"compound_id":9223372036854775808}`}, "compound_id"},
			{req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, body: `{"phone":"13711112222","name":"x","roles":["resident"],"household_id":` + huge + `}`}, "household_id"},
		}
		for _, c := range cases {
			p := wantProblemShape(t, ta.do(c.r), http.StatusUnprocessableEntity)
			if _, ok := p.Errors[c.field]; !ok {
				t.Fatalf("%s %s: errors=%v, want %s", c.r.method, c.r.path, p.Errors, c.field)
			}
		}
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/households?building_id=%s", f.CompoundA.ID, huge), as: f.AdminA})
		wantField(t, wantProblemShape(t, rec, http.StatusUnprocessableEntity), "building_id", "楼栋格式不对")
		rec = ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?cursor=" + encodeCursor(1<<63), as: f.AdminA})
		wantProblem(t, rec, http.StatusBadRequest, "bad_cursor")
	})
	t.Run("OKSinglePageApp", func(t *testing.T) {
		for _, path := range []string{"/", "/login", "/communities/1/members", "/index.html"} {
			rec := ta.do(req{method: "GET", path: path})
			wantStatus(t, rec, http.StatusOK)
			if !strings.Contains(rec.Body.String(), "<title>月月谈</title>") || rec.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("GET %s: body=%q cache=%q, want index.html uncached", path, rec.Body.String(), rec.Header().Get("Cache-Control"))
			}
		}
		rec := ta.do(req{method: "GET", path: "/assets/app-123.js"})
		wantStatus(t, rec, http.StatusOK)
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" || rec.Body.String() != "console.log(1)" {
			t.Fatalf("asset cache=%q body=%q", cc, rec.Body.String())
		}
		wantProblemShape(t, ta.do(req{method: "GET", path: "/assets/missing.js"}), http.StatusNotFound)
	})
	t.Run("OKOperations", func(t *testing.T) {
		for path, want := range map[string]string{"/healthz": `"ok"`, "/readyz": `"ready"`} {
			rec := ta.do(req{method: "GET", path: path})
			wantStatus(t, rec, http.StatusOK)
			if !strings.Contains(rec.Body.String(), want) {
				t.Fatalf("GET %s: %s", path, rec.Body.String())
			}
		}
		rec := ta.do(req{method: "GET", path: "/metrics", remote: "127.0.0.1:40000"})
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), `yyt_http_requests_total{method="GET",route="/api/v1/communities/:cid",status="404"}`) {
			t.Fatalf("metrics lack the route-labelled counter:\n%s", rec.Body.String())
		}
		rec = ta.do(req{method: "GET", path: "/api/v1/me", as: ta.fx.Resident})
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := rec.Header().Get(h); got != want {
				t.Fatalf("%s=%q, want %q", h, got, want)
			}
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Fatal("no request id")
		}
	})
}

// TestErrors_Internal: an unexpected failure is a plain 500, logged with the request id, and
// tells the client nothing of the cause.
func TestErrors_Internal(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	var logs bytes.Buffer
	ready := errors.New("migrations pending")
	e := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Ready: func(context.Context) error { return ready }})
	rec := ta.doWith(e, req{method: "GET", path: "/readyz"})
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "migrations pending") ||
		!strings.Contains(logs.String(), "migrations pending") {
		t.Fatalf("readyz=%d %s, want 503 that keeps the cause in the log only", rec.Code, rec.Body.String())
	}
	tok := ta.token(ta.fx.Resident)
	if err := ta.store.Close(); err != nil {
		t.Fatal(err)
	}
	rec = ta.doWith(e, req{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + tok, "Accept-Language": "en"}})
	p := wantProblemShape(t, rec, http.StatusInternalServerError)
	if p.Code != "internal" || p.Title != "Internal error" || strings.Contains(rec.Body.String(), "closed") || strings.Contains(rec.Body.String(), "sql") {
		t.Fatalf("problem=%+v, want a plain internal error", p)
	}
	rid := rec.Header().Get("X-Request-Id")
	if rid == "" || !strings.Contains(logs.String(), "request_id="+rid) || !strings.Contains(logs.String(), "closed") {
		t.Fatalf("log=%q, want the cause logged with request id %q", logs.String(), rid)
	}
	if rec := ta.doWith(e, req{method: "GET", path: "/readyz"}); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database gone=%d, want 503", rec.Code)
	}
}

// TestI18n_Catalog keeps the message catalog complete: both languages have the same keys and
// placeholders, and every reason, rule, title and field the code can produce has a message.
func TestI18n_Catalog(t *testing.T) {
	t.Parallel()
	zh, en := catalog[LocaleZH], catalog[LocaleEN]
	t.Run("NoClashes", func(t *testing.T) {
		for _, c := range catalogClashes {
			t.Errorf("message given twice (the first one stays): %s", c)
		}
	})
	t.Run("SameKeys", func(t *testing.T) {
		for k := range zh {
			if _, ok := en[k]; !ok {
				t.Errorf("%q is in zh-CN but not in en", k)
			}
		}
		for k := range en {
			if _, ok := zh[k]; !ok {
				t.Errorf("%q is in en but not in zh-CN", k)
			}
		}
	})
	t.Run("SamePlaceholders", func(t *testing.T) {
		ph := regexp.MustCompile(`\{[a-z_]+\}`)
		for k, z := range zh {
			a, b := ph.FindAllString(z, -1), ph.FindAllString(en[k], -1)
			sort.Strings(a)
			sort.Strings(b)
			if strings.Join(a, ",") != strings.Join(b, ",") {
				t.Errorf("%q: zh-CN has %v, en has %v", k, a, b)
			}
		}
	})
	need := map[string]string{} // catalog key → where it is used
	src := func(dir string) map[string]string {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
		if len(out) == 0 {
			t.Fatalf("no sources in %s", dir)
		}
		return out
	}
	patterns := []struct {
		re     *regexp.Regexp
		keys   func(m []string) []string
		only   string // the file the pattern applies to, or "" for every file
		sample string // a line the pattern must match, so the test cannot silently find nothing
	}{
		{regexp.MustCompile(`Errorf\((?:models\.)?E[A-Z]+, "([a-z0-9_]+)"\)`), func(m []string) []string { return []string{m[1]} }, "", `Errorf(ECONFLICT, "last_admin")`},
		{regexp.MustCompile(`Reason: +"([a-z0-9_]+)"`), func(m []string) []string { return []string{m[1]} }, "", `Reason: "login_locked"`},
		{regexp.MustCompile(`FieldError\("([a-z0-9_]+)", "([a-z0-9_]+)"\)`), func(m []string) []string { return []string{"rule." + m[2], "field." + m[1]} }, "", `FieldError("phone", "phone_taken")`},
		{regexp.MustCompile(`badRequest\("([a-z0-9_]+)"`), func(m []string) []string { return []string{m[1]} }, "", `badRequest("bad_cursor", nil)`},
		{regexp.MustCompile(`reason: +"([a-z0-9_]+)"`), func(m []string) []string { return []string{m[1]} }, "", `reason: "bad_id"`},
		{regexp.MustCompile(`title: +"([a-z0-9_]+)"`), func(m []string) []string { return []string{"title." + m[1]} }, "", `title: "not_found"`},
		{regexp.MustCompile(`T\(loc, "([a-z0-9_.]+)",`), func(m []string) []string { return []string{m[1]} }, "", `T(loc, "title.internal", nil)`},
		// The rule names bind.go's ruleOf gives validator failures.
		{regexp.MustCompile(`return "([a-z_]+)(?::|")`), func(m []string) []string { return []string{"rule." + m[1]} }, "bind.go", `return "min_number:" + fe.Param()`},
		// Every validated request field has a label.
		{regexp.MustCompile("json:\"([a-z0-9_]+)\"[^`]*validate:\""), func(m []string) []string { return []string{"field." + m[1]} }, "", "`json:\"phone\" validate:\"required\"`"},
	}
	for _, p := range patterns {
		if !p.re.MatchString(p.sample) {
			t.Fatalf("pattern %s does not match %s", p.re, p.sample)
		}
	}
	sources := src("../models")
	for f, s := range src(".") {
		sources[f] = s
	}
	for f, s := range sources {
		for _, p := range patterns {
			if p.only != "" && filepath.Base(f) != p.only {
				continue
			}
			for _, m := range p.re.FindAllStringSubmatch(s, -1) {
				for _, k := range p.keys(m) {
					need[k] = f
				}
			}
		}
	}
	for _, code := range []string{models.EINVALID, models.ENOTFOUND, models.ECONFLICT, models.EUNAUTHORIZED, models.EFORBIDDEN, models.ETOOMANY, models.EINTERNAL} {
		need["title."+code] = "models/errors.go"
		if _, ok := statusOf[code]; !ok {
			t.Errorf("code %q has no HTTP status", code)
		}
	}
	if len(need) < 60 {
		t.Fatalf("found only %d catalog keys in the sources; the patterns are broken", len(need))
	}
	t.Run("EveryKeyUsedHasAMessage", func(t *testing.T) {
		keys := make([]string, 0, len(need))
		for k := range need {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, ok := zh[k]; !ok {
				t.Errorf("%s uses %q, which has no zh-CN message", need[k], k)
			}
			if _, ok := en[k]; !ok {
				t.Errorf("%s uses %q, which has no en message", need[k], k)
			}
		}
	})
}
