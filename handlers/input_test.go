package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/yueyuetan/yueyuetan/models"
)

// The tests in this file hold every route to one text normalizer (package textnorm, applied
// where requests are decoded): what looks blank is blank, and text that displays differently
// from what it holds is refused.

// badTexts are texts that look blank or lie: only zero-width characters, only NUL, and a
// right-to-left override in front of a name.
var badTexts = []string{"\u200b\u200b", "\u0000", "\u202e管理员"}

// textLeaf is a string in a generated request body: its path as the API names fields
// ("options[0].label"), where it sits in the body, and whether its schema requires it.
type textLeaf struct {
	path     string
	required bool
	set      func(body map[string]any, v string) map[string]any
}

// TestInput_EveryRouteNormalizesText walks every operation of handlers/openapi.yaml that takes a
// JSON body, so that a route added to the spec is covered without being named here. It builds a
// body from the operation's schema and, for every string in it (at any depth; passwords are
// taken as typed and left out), sends the body with that string replaced by each bad text:
//
//   - a right-to-left override is 422 naming the field with rule.text_bidi;
//   - zero-width characters or NUL in a required field are 422 naming the field as required;
//   - in an optional field they may be accepted, as an empty text;
//
// and no answer is a 5xx, no 422 changed any table, and at the end no table holds any of the
// bad characters.
func TestInput_EveryRouteNormalizesText(t *testing.T) {
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	// Real objects behind the paths, for the rules a route checks once it has found its object.
	cf := ta.buildClusterFixture("2027-03")
	ids := oaFixtureIDs(ta.fx)
	ids["cycles"], ids["meetings"], ids["cards"], ids["clusters"] = cf.cycle.ID, cf.meeting.ID, cf.cards[0].ID, cf.group.ID
	token := ta.token(ta.fx.Super)
	covered, fields, seq := 0, 0, 0
	for _, op := range s.operations() {
		rb := s.deref(op.op["requestBody"])
		schema := s.deref(oaMap(oaMap(oaMap(rb["content"])["application/json"])["schema"]))
		if schema == nil {
			continue
		}
		path := inputPath(op.path, ids)
		scope := labelScopes[strings.NewReplacer("{", ":", "}", "").Replace(op.path)]
		leaves := s.textLeaves(schema, "", nil)
		if len(leaves) == 0 {
			continue
		}
		covered++
		for _, leaf := range leaves {
			fields++
			for _, bad := range badTexts {
				seq++
				sample, ok := s.sample(schema).(map[string]any)
				if !ok {
					t.Fatalf("%s %s: the request body is not an object", op.method, op.path)
				}
				body := leaf.set(sample, bad)
				before := ta.rowTotal(t)
				rec := ta.sendJSON(op.method, path, token, body, seq)
				what := fmt.Sprintf("%s %s with %s=%q", op.method, op.path, leaf.path, bad)
				if rec.Code >= 500 {
					t.Fatalf("%s: status=%d; body=%s", what, rec.Code, rec.Body.String())
				}
				bidi := strings.ContainsRune(bad, '\u202e')
				if !bidi && !leaf.required {
					continue
				}
				if rec.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: status=%d, want 422; body=%s", what, rec.Code, rec.Body.String())
					continue
				}
				got, named := decode[Problem](t, rec).Errors[leaf.path]
				// A blank required field is named as the route's rules name it ("请填写…",
				// "请选择…"); a bidi control always with the one rule.
				want := T(LocaleZH, "rule.text_bidi", map[string]any{"field": scopedFieldLabel(LocaleZH, scope, leaf.path)})
				if !named || (bidi && got != want) {
					t.Errorf("%s: errors[%s]=%q (named=%v), want a field error%s; body=%s", what, leaf.path, got, named,
						map[bool]string{true: " " + strconv.Quote(want)}[bidi], rec.Body.String())
				}
				if after := ta.rowTotal(t); after != before {
					t.Errorf("%s: a 422 changed the database (%d rows → %d)", what, before, after)
				}
			}
		}
	}
	t.Logf("walked %d operations, %d text fields", covered, fields)
	if covered < 30 || fields < 60 {
		t.Fatalf("only %d operations and %d text fields walked: is the spec's request schema lookup broken?", covered, fields)
	}
	ta.wantNoBadText(t)
}

// TestInput_StoredText follows texts through real routes to what is stored and served.
func TestInput_StoredText(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	cards := fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID)
	t.Run("OKChineseEmojiNewlineUnchanged", func(t *testing.T) {
		body := "建议在3号楼门口加装无障碍坡道♿，方便坐轮椅的邻居🙂\n晚上再加一盏路灯💡"
		card := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": body})
		got := decode[models.Card](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d", card.ID), as: f.Party}))
		if got.Body != body || !norm.NFC.IsNormalString(got.Body) {
			t.Fatalf("body=%q, want %q", got.Body, body)
		}
	})
	t.Run("OKLongTextKeepsLinesDropsControls", func(t *testing.T) {
		card := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "  第一行\r\n第二行\u0000\u200b\t完  "})
		if card.Body != "第一行\n第二行 完" {
			t.Fatalf("body=%q", card.Body)
		}
	})
	t.Run("OKDecomposedBecomesComposed", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/buildings", f.CompoundA.ID), as: f.AdminA,
			body: map[string]any{"name": "Cafe\u0301楼"}})
		wantStatus(t, rec, http.StatusCreated)
		if b := decode[models.Building](t, rec); b.Name != "Café楼" {
			t.Fatalf("name=%q, want the composed form", b.Name)
		}
	})
	t.Run("OKOptionalBlankStoredEmpty", func(t *testing.T) {
		ta.advance(t, cy.ID, models.PhaseRoundTable)
		rec := ta.do(req{method: "POST", path: cards, as: f.Facilitator,
			body: map[string]any{"body": "纸质卡片", "origin": "paper", "author_name": "\u200b\u3164"}})
		wantStatus(t, rec, http.StatusCreated)
		if c := decode[models.Card](t, rec); c.AuthorName != "" {
			t.Fatalf("author_name=%q, want empty", c.AuthorName)
		}
	})
	for _, c := range []struct {
		name, method, path string
		as                 *models.User
		body               map[string]any
		field, rule        string
	}{
		{"ErrCardZeroWidth", "POST", cards, f.Resident, map[string]any{"body": "\u200b\u200b"}, "body", "required"},
		{"ErrCardNUL", "POST", cards, f.Resident, map[string]any{"body": "\u0000"}, "body", "required"},
		{"ErrRegisterNameLies", "POST", "/api/v1/auth/register", nil, map[string]any{"phone": "13912340000",
			"name": "\u202e\u200b管理员\u0000", "password": "register-pass-1", "community_id": f.A.ID, "privacy_consent": true}, "name", "text_bidi"},
		{"ErrRoomNUL", "POST", fmt.Sprintf("/api/v1/compounds/%d/households", f.CompoundA.ID), f.AdminA,
			map[string]any{"building_id": f.BuildingA.ID, "room": "\u0000", "area": 60}, "room", "required"},
		{"ErrMyNameInvisible", "PATCH", "/api/v1/me", f.Resident, map[string]any{"name": "\u3164\u200d"}, "name", "required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := ta.rowTotal(t)
			p := wantProblem(t, ta.do(req{method: c.method, path: c.path, as: c.as, body: c.body}), http.StatusUnprocessableEntity, "invalid_input")
			if _, ok := p.Errors[c.field]; !ok || len(p.Errors) != 1 {
				t.Fatalf("errors=%v, want only %s", p.Errors, c.field)
			}
			if want := T(LocaleZH, "rule."+c.rule, map[string]any{"field": fieldLabel(LocaleZH, c.field)}); p.Errors[c.field] != want {
				t.Fatalf("errors[%s]=%q, want %q", c.field, p.Errors[c.field], want)
			}
			if after := ta.rowTotal(t); after != before {
				t.Fatalf("rows %d → %d: the refused request stored something", before, after)
			}
		})
	}
	t.Run("ErrBidiEnglish", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: cards, as: f.Resident, body: map[string]any{"body": "好主意\u202e"},
			header: map[string]string{"Accept-Language": "en"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if !strings.Contains(p.Errors["body"], "hidden characters that change the direction of text") {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
	t.Run("OKPasswordTakenAsTyped", func(t *testing.T) {
		// Invisible characters in a password are part of it, in the API as in the CLI.
		const pw = "\u200bsecret pass "
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "13912340001",
			"name": "王阿姨", "password": pw, "community_id": f.A.ID, "privacy_consent": true}}), http.StatusCreated)
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"phone": "13912340001", "password": pw}}),
			http.StatusOK)
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"phone": "13912340001", "password": "secret pass"},
			remote: "192.0.2.11:1"})
		wantStatus(t, rec, http.StatusUnauthorized)
	})
	ta.wantNoBadText(t)
}

// inputPath fills a spec path's parameters: fixture ids where the fixture has them, 1 elsewhere
// (bodies are checked before anything is looked up).
func inputPath(tmpl string, ids map[string]uint64) string {
	segs := strings.Split(tmpl, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") {
			id, ok := ids[segs[i-1]]
			if !ok {
				id = 1
			}
			segs[i] = strconv.FormatUint(id, 10)
		}
	}
	return strings.Join(segs, "/")
}

// sendJSON sends a JSON body from its own client address, so no per-address limit meets it.
func (ta *testApp) sendJSON(method, path, token string, body any, seq int) *httptest.ResponseRecorder {
	ta.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		ta.t.Fatal(err)
	}
	hr := httptest.NewRequest(method, path, bytes.NewReader(raw))
	hr.RemoteAddr = fmt.Sprintf("198.51.%d.%d:1234", 100+seq/250%100, 1+seq%250)
	hr.Header.Set("Content-Type", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	ta.e.ServeHTTP(rec, hr)
	return rec
}

// sample builds a value that fits the schema: examples where the spec gives them, the first of
// an enum, the smallest number allowed, one item of a list.
func (s *openAPI) sample(schema any) any {
	m := s.deref(schema)
	if all, ok := m["allOf"].([]any); ok && len(all) > 0 {
		return s.sample(all[0])
	}
	if ex, ok := m["example"]; ok && m["type"] != "object" && m["type"] != "array" {
		return ex
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	switch m["type"] {
	case "object":
		out := map[string]any{}
		for name, p := range oaMap(m["properties"]) {
			out[name] = s.sample(p)
		}
		return out
	case "array":
		return []any{s.sample(m["items"])}
	case "integer":
		if v, ok := oaFloat(m["minimum"]); ok && v > 0 {
			return int64(v)
		}
		return 1
	case "number":
		return 1.5
	case "boolean":
		return false
	case "string":
		switch m["format"] {
		case "date-time":
			return "2026-12-01T10:00:00Z"
		case "date":
			return "2026-10-30"
		}
		if p, _ := m["pattern"].(string); strings.HasPrefix(p, "^1") {
			return "13912345678"
		}
		return "测试"
	}
	return nil
}

// textLeaves lists the strings of a body built by sample, except passwords.
func (s *openAPI) textLeaves(schema any, at string, into func(map[string]any) map[string]any) []textLeaf {
	m := s.deref(schema)
	if all, ok := m["allOf"].([]any); ok && len(all) > 0 {
		m = s.deref(all[0])
	}
	if into == nil {
		into = func(b map[string]any) map[string]any { return b }
	}
	var out []textLeaf
	props := oaMap(m["properties"])
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	req, _ := m["required"].([]any)
	for _, name := range names {
		p := s.deref(props[name])
		if all, ok := p["allOf"].([]any); ok && len(all) > 0 {
			p = s.deref(all[0])
		}
		path := name
		if at != "" {
			path = at + "." + name
		}
		required := slices.Contains(req, any(name))
		switch p["type"] {
		case "string":
			if p["format"] == "password" {
				continue
			}
			out = append(out, textLeaf{path: path, required: required, set: func(b map[string]any, v string) map[string]any {
				into(b)[name] = v
				return b
			}})
		case "object":
			out = append(out, s.textLeaves(p, path, func(b map[string]any) map[string]any {
				return into(b)[name].(map[string]any)
			})...)
		case "array":
			items := s.deref(p["items"])
			switch items["type"] {
			case "string":
				// A list is required, not each item: a blank item breaks the item's own rule.
				out = append(out, textLeaf{path: path + "[0]", set: func(b map[string]any, v string) map[string]any {
					into(b)[name].([]any)[0] = v
					return b
				}})
			case "object":
				out = append(out, s.textLeaves(items, path+"[0]", func(b map[string]any) map[string]any {
					return into(b)[name].([]any)[0].(map[string]any)
				})...)
			}
		}
	}
	return out
}

// rowTotal counts the rows of every table, in one query.
func (ta *testApp) rowTotal(t *testing.T) int64 {
	t.Helper()
	tables, err := ta.store.Gorm().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, 0, len(tables))
	for _, tb := range tables {
		parts = append(parts, "(SELECT COUNT(*) FROM "+tb+")")
	}
	var n int64
	if err := ta.store.Gorm().Raw("SELECT " + strings.Join(parts, " + ")).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// wantNoBadText reads every row of every table and fails on a bad text's characters, raw or as
// the JSON escapes an event payload would hold.
func (ta *testApp) wantNoBadText(t *testing.T) {
	t.Helper()
	tables, err := ta.store.Gorm().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	marks := []string{"\u200b", "\u0000", "\u202e", `\u200b`, `\u0000`, `\u202e`}
	for _, tb := range tables {
		var rows []map[string]any
		if err := ta.store.Gorm().Table(tb).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for col, v := range row {
				var text string
				switch x := v.(type) {
				case string:
					text = x
				case []byte:
					text = string(x)
				default:
					continue
				}
				if strings.HasSuffix(col, "hash") || strings.HasSuffix(col, "_key") {
					continue // digests and keys are not text
				}
				for _, mk := range marks {
					if strings.Contains(strings.ToLower(text), mk) {
						t.Errorf("%s.%s holds %q: %q", tb, col, mk, text)
					}
				}
			}
		}
	}
}
