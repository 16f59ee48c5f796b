package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

// The tests in this file keep handlers/openapi.yaml honest: its operations equal the routes Echo
// registers, its references resolve, its structure follows a few house rules, and real answers of
// the server (statuses, media types, headers, bodies) match what it documents.

// oaCatchAlls are the routes that only answer 404 (or serve the UI); the spec leaves them out.
var oaCatchAlls = map[string]bool{"/*": true, "/api/*": true, API + "/*": true}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaRoleWords are the values x-roles may hold besides the community roles.
var oaRoleWords = []string{"public", "authenticated", "member", "verified", "superadmin"}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := New(Config{Store: testenv.Open(t), JWTSecret: []byte(testSecret), Logger: oaQuietLogger(),
		UI: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>ui</title>")}}, UIBuilt: true})
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == http.MethodHead || r.Method == echo.RouteNotFound || oaCatchAlls[r.Path] {
			continue
		}
		p := oaSpecPath(r.Path)
		if strings.Contains(p, "*") {
			t.Errorf("route %s %s is a wildcard the spec cannot describe; name its parameters or add it to oaCatchAlls", r.Method, r.Path)
			continue
		}
		routes[r.Method+" "+p] = true
	}
	if len(routes) == 0 {
		t.Fatal("the app registers no routes")
	}
	spec := map[string]bool{}
	for _, op := range loadOpenAPI(t).operations() {
		spec[op.key()] = true
	}
	var missing, extra []string
	for k := range routes {
		if !spec[k] {
			missing = append(missing, k)
		}
	}
	for k := range spec {
		if !routes[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("%d registered route(s) missing from handlers/openapi.yaml:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("%d operation(s) in handlers/openapi.yaml with no registered route:\n  %s", len(extra), strings.Join(extra, "\n  "))
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := New(Config{Store: testenv.Open(t), JWTSecret: []byte(testSecret), Logger: oaQuietLogger()})
	rec := oaDo(t, e, oaReq{method: http.MethodGet, path: "/api/openapi.yaml"})
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.yaml: status=%d, want 200", rec.Code)
	}
	ct := rec.Header().Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/yaml" {
		t.Errorf("content-type=%q, want application/yaml", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), OpenAPISpec) {
		t.Error("the body is not the embedded spec")
	}
	var doc map[string]any
	if err := yaml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the served document is not YAML: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi=%v, want an OpenAPI 3 document", doc["openapi"])
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	s := loadOpenAPI(t)
	used := map[string]bool{}
	oaWalk(s.root, "#", func(at string, m map[string]any) {
		raw, ok := m["$ref"]
		if !ok {
			return
		}
		ref, ok := raw.(string)
		if !ok {
			t.Errorf("%s: $ref is not a string", at)
			return
		}
		if _, err := s.resolve(ref); err != nil {
			t.Errorf("%s: $ref %q does not resolve: %v", at, ref, err)
			return
		}
		if len(m) > 1 {
			t.Errorf("%s: keys beside $ref %q, which OpenAPI 3.0 ignores", at, ref)
		}
		used[ref] = true
	})
	comps := oaMap(s.root["components"])
	for _, kind := range []string{"schemas", "responses", "parameters", "headers", "requestBodies", "examples"} {
		for name := range oaMap(comps[kind]) {
			if !used["#/components/"+kind+"/"+name] {
				t.Errorf("components/%s/%s is never referenced", kind, name)
			}
		}
	}
	schemes := oaMap(comps["securitySchemes"])
	usedSchemes := map[string]bool{}
	for _, op := range s.operations() {
		for _, alt := range op.security(s) {
			for name := range alt {
				usedSchemes[name] = true
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security scheme %q is not declared", op.key(), name)
				}
			}
		}
	}
	for name := range schemes {
		if !usedSchemes[name] {
			t.Errorf("security scheme %q is never used", name)
		}
	}
}

func TestOpenAPIStructure(t *testing.T) {
	s := loadOpenAPI(t)
	if v := s.root["openapi"]; v != "3.0.3" {
		t.Errorf("openapi=%v, want 3.0.3", v)
	}
	info := oaMap(s.root["info"])
	if info["title"] == nil || info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	ids := map[string]string{}
	for _, op := range s.operations() {
		k := op.key()
		errf := func(format string, args ...any) { t.Errorf(k+": "+format, args...) }
		if id, _ := op.op["operationId"].(string); id == "" {
			errf("no operationId")
		} else if prev, dup := ids[id]; dup {
			errf("operationId %q is also used by %s", id, prev)
		} else {
			ids[id] = k
		}
		if sum, _ := op.op["summary"].(string); strings.TrimSpace(sum) == "" {
			errf("no summary")
		}

		// Path parameters: each {name} of the path is declared once, in: path, required.
		inPath := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(op.path, -1) {
			inPath[m[1]] = true
		}
		declared := map[string]bool{}
		for _, p := range op.params {
			name, _ := p["name"].(string)
			in, _ := p["in"].(string)
			if name == "" || in == "" {
				errf("a parameter without name or in")
				continue
			}
			if p["schema"] == nil {
				errf("parameter %s (%s) has no schema", name, in)
			}
			if in != "path" {
				continue
			}
			declared[name] = true
			if p["required"] != true {
				errf("path parameter %s is not required: true", name)
			}
			if !inPath[name] {
				errf("path parameter %s is not in the path", name)
			}
		}
		for name := range inPath {
			if !declared[name] {
				errf("path parameter {%s} is not declared", name)
			}
		}

		// Roles.
		roles := op.roles()
		if len(roles) == 0 {
			errf("no x-roles")
		}
		for _, r := range roles {
			if !slices.Contains(oaRoleWords, r) && !models.ValidRole(r) {
				errf("x-roles has unknown %q", r)
			}
		}
		if _, ok := op.op["security"]; !ok {
			errf("no security (write security: [] for a public operation)")
		}
		bearer := op.requiresBearer(s)
		if bearer == slices.Contains(roles, "public") {
			errf("x-roles %v does not agree with security (bearer required: %v)", roles, bearer)
		}

		// Responses.
		resps := oaMap(op.op["responses"])
		if len(resps) == 0 {
			errf("no responses")
		}
		ok2xx := false
		for code, r := range resps {
			n, err := strconv.Atoi(code)
			if err != nil || n < 100 || n > 599 {
				errf("response key %q is not a status code", code)
				continue
			}
			ok2xx = ok2xx || (n >= 200 && n < 300)
			resp := s.deref(r)
			if resp == nil || resp["description"] == nil {
				errf("response %s has no description", code)
			}
			if n >= 400 && strings.HasPrefix(op.path, "/api/") {
				if _, ok := oaMap(resp["content"])["application/problem+json"]; !ok {
					errf("response %s is not application/problem+json", code)
				}
			}
		}
		if !ok2xx {
			errf("no 2xx response")
		}
		need := func(code, why string) {
			if _, ok := resps[code]; !ok {
				errf("no %s response (%s)", code, why)
			}
		}
		if strings.HasPrefix(op.path, API+"/") {
			need("500", "every API route can fail")
			if len(inPath) > 0 {
				need("404", "ids in the path")
			}
		}
		if bearer {
			need("401", "bearer auth")
		}

		// Request bodies: strict JSON objects, or a multipart form (a photo upload).
		if rb := s.deref(op.op["requestBody"]); rb != nil {
			content := oaMap(rb["content"])
			if media, ok := content["multipart/form-data"]; ok {
				if len(content) != 1 {
					errf("a multipart request body documents no other media type")
				}
				sch := s.deref(oaMap(media)["schema"])
				if sch["type"] != "object" || len(oaMap(sch["properties"])) == 0 {
					errf("multipart request body schema must be type: object with its parts as properties")
				}
				need("422", "multipart form: a missing or bad part")
			} else if media, ok := content["application/json"]; !ok {
				errf("request body is not application/json")
			} else {
				sch := s.deref(oaMap(media)["schema"])
				if sch["type"] != "object" || sch["additionalProperties"] != false {
					errf("request body schema must be type: object with additionalProperties: false (unknown fields are rejected)")
				}
				for _, code := range []string{"400", "413", "415", "422"} {
					need(code, "JSON body")
				}
			}
		}
	}

	// Every schema's required fields are among its properties.
	oaWalk(oaMap(s.root["components"]), "#/components", func(at string, m map[string]any) {
		req, ok := m["required"].([]any)
		if !ok {
			return
		}
		props := oaMap(m["properties"])
		for _, r := range req {
			if _, ok := props[fmt.Sprint(r)]; !ok {
				t.Errorf("%s: required %v is not a property", at, r)
			}
		}
	})
}

// TestOpenAPIAnonymous calls every operation without credentials and without a body: an operation
// that requires the bearer token must answer 401, the others must answer a documented status with
// a documented body. This ties each operation's security to the middleware its route really has.
func TestOpenAPIAnonymous(t *testing.T) {
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	ids := oaFixtureIDs(ta.fx)
	for _, op := range s.operations() {
		path, ok := oaConcretePath(op.path, ids)
		if !ok {
			path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(op.path, "1")
		}
		rec := oaDo(t, ta.e, oaReq{method: op.method, path: path})
		if op.requiresBearer(s) {
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"code":"login_required"`) {
				t.Errorf("%s without a token: status=%d body=%s, want 401 login_required", op.key(), rec.Code, rec.Body)
			}
		} else if rec.Code == http.StatusUnauthorized && len(op.security(s)) == 0 {
			t.Errorf("%s is documented as public but answers 401 without a token", op.key())
		}
		for _, e := range s.checkResponse(op, rec) {
			t.Errorf("%s %s: %s", op.method, path, e)
		}
	}
}

// TestOpenAPIRoles checks each operation's x-roles against the server: every fixture member of
// community A (and a member of B, and the superadmin) calls it with a valid request; who is not
// allowed gets 403 (404 for a non-member), who is allowed gets a 2xx.
func TestOpenAPIRoles(t *testing.T) {
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	fx := ta.fx
	ids := oaFixtureIDs(fx)
	cf := ta.oaCycleFixture()
	mf := ta.buildMeetingFixture()
	clf := ta.buildClusterFixture("2027-10")
	sf := ta.buildSpeakerFixture()
	stf := ta.buildSeatFixture("2029-03")
	ctx := context.Background()
	type caller struct {
		name     string
		u        *models.User
		roles    []string
		member   bool // of community A
		verified bool // their membership of A is verified (实名核验)
	}
	callers := []caller{
		{"superadmin", fx.Super, nil, false, false},
		{"admin", fx.AdminA, []string{models.RoleAdmin}, true, true},
		{"facilitator", fx.Facilitator, []string{models.RoleFacilitator}, true, true},
		{"grid worker", fx.GridWorker, []string{models.RoleGridWorker}, true, true},
		{"committee", fx.Committee, []string{models.RoleCommittee}, true, true},
		{"party member", fx.Party, []string{models.RolePartyMember, models.RoleResident}, true, true},
		{"resident", fx.Resident, []string{models.RoleResident}, true, true},
		{"unverified resident", fx.Unverified, []string{models.RoleResident}, true, false},
		{"member of B", fx.ResidentB, []string{models.RoleResident}, false, true},
	}
	n := 0
	// paths names the concrete path of operations whose path parameters oaFixtureIDs cannot
	// fill: the cycle routes need a cycle in the right phase, and some calls a fresh object each.
	at := func(format string, id uint64) func() string {
		return func() string { return fmt.Sprintf(format, id) }
	}
	paths := map[string]func() string{
		"GET /api/v1/cycles/{id}":                  at("/api/v1/cycles/%d", cf.cards.ID),
		"POST /api/v1/cycles/{id}/advance":         at("/api/v1/cycles/%d/advance", cf.advance.ID),
		"GET /api/v1/cycles/{id}/topics":           at("/api/v1/cycles/%d/topics", cf.topics.ID),
		"POST /api/v1/cycles/{id}/topics":          at("/api/v1/cycles/%d/topics", cf.topics.ID),
		"POST /api/v1/cycles/{id}/select-topic":    at("/api/v1/cycles/%d/select-topic", cf.selecting.ID),
		"PATCH /api/v1/topics/{id}":                at("/api/v1/topics/%d", cf.topic.ID),
		"PUT /api/v1/topics/{id}/endorsement":      at("/api/v1/topics/%d/endorsement", cf.topic.ID),
		"DELETE /api/v1/topics/{id}/endorsement":   at("/api/v1/topics/%d/endorsement", cf.topic.ID),
		"GET /api/v1/uploads/{id}":                 at("/api/v1/uploads/%d", cf.upload.ID),
		"GET /api/v1/cycles/{id}/cards":            at("/api/v1/cycles/%d/cards", cf.cards.ID),
		"POST /api/v1/cycles/{id}/cards":           at("/api/v1/cycles/%d/cards", cf.cards.ID),
		"GET /api/v1/cards/{id}":                   at("/api/v1/cards/%d", cf.card.ID),
		"PATCH /api/v1/cards/{id}":                 at("/api/v1/cards/%d", cf.card.ID),
		"GET /api/v1/cards/{id}/timeline":          at("/api/v1/cards/%d/timeline", cf.card.ID),
		"GET /api/v1/cycles/{id}/meetings":         at("/api/v1/cycles/%d/meetings", mf.cycle.ID),
		"POST /api/v1/cycles/{id}/meetings":        at("/api/v1/cycles/%d/meetings", mf.cycle.ID),
		"GET /api/v1/meetings/{id}":                at("/api/v1/meetings/%d", mf.open.ID),
		"POST /api/v1/meetings/{id}/display-token": at("/api/v1/meetings/%d/display-token", mf.open.ID),
		"GET /api/v1/meetings/{id}/attendance":     at("/api/v1/meetings/%d/attendance", mf.open.ID),
		"POST /api/v1/meetings/{id}/attendance":    at("/api/v1/meetings/%d/attendance", mf.open.ID),
		"GET /api/v1/meetings/{id}/projector":      at("/api/v1/meetings/%d/projector", mf.open.ID),
		"PUT /api/v1/meetings/{id}/projector":      at("/api/v1/meetings/%d/projector", mf.open.ID),
		"GET /api/v1/meetings/{id}/clusters":       at("/api/v1/meetings/%d/clusters", clf.meeting.ID),
		"POST /api/v1/meetings/{id}/clusters":      at("/api/v1/meetings/%d/clusters", clf.meeting.ID),
		"PATCH /api/v1/clusters/{id}":              at("/api/v1/clusters/%d", clf.group.ID),
		"DELETE /api/v1/clusters/{id}":             at("/api/v1/clusters/%d", clf.spare.ID),
		"PUT /api/v1/cards/{id}/cluster":           at("/api/v1/cards/%d/cluster", clf.cards[1].ID),
		// Every caller signed in at the queue's meeting.
		"GET /api/v1/meetings/{id}/speakers":    at("/api/v1/meetings/%d/speakers", sf.queue.ID),
		"POST /api/v1/meetings/{id}/speakers":   at("/api/v1/meetings/%d/speakers", sf.queue.ID),
		"PUT /api/v1/meetings/{id}/agenda-item": at("/api/v1/meetings/%d/agenda-item", sf.agenda.ID),
		// Moving a slot along is one-way: each call gets a fresh slot in a meeting of its own.
		"POST /api/v1/speakers/{id}/start":  func() string { return fmt.Sprintf("/api/v1/speakers/%d/start", ta.freshSlot(sf, false).ID) },
		"POST /api/v1/speakers/{id}/finish": func() string { return fmt.Sprintf("/api/v1/speakers/%d/finish", ta.freshSlot(sf, true).ID) },
		"DELETE /api/v1/speakers/{id}":      func() string { return fmt.Sprintf("/api/v1/speakers/%d", ta.freshSlot(sf, false).ID) },
		// Seats: each allowed caller adds an open seat; removing a removed seat changes nothing.
		"GET /api/v1/meetings/{id}/seats":  at("/api/v1/meetings/%d/seats", stf.meeting.ID),
		"POST /api/v1/meetings/{id}/seats": at("/api/v1/meetings/%d/seats", stf.meeting.ID),
		"PATCH /api/v1/seats/{id}":         at("/api/v1/seats/%d", stf.member.ID),
		"DELETE /api/v1/seats/{id}":        at("/api/v1/seats/%d", stf.spare.ID),
		// Starting and ending are one-way: each call gets a fresh meeting.
		"POST /api/v1/meetings/{id}/start": func() string {
			m := must(ta.store.ScheduleMeeting(ctx, fx.Super.Actor(), mf.cycle.ID, models.MeetingInput{Title: "圆桌会",
				StartsAt: time.Now(), Location: "会议室"}))
			return fmt.Sprintf("/api/v1/meetings/%d/start", m.ID)
		},
		"POST /api/v1/meetings/{id}/end": func() string {
			m := must(ta.store.ScheduleMeeting(ctx, fx.Super.Actor(), mf.cycle.ID, models.MeetingInput{Title: "圆桌会",
				StartsAt: time.Now(), Location: "会议室"}))
			must(ta.store.StartMeeting(ctx, fx.Super.Actor(), m.ID))
			return fmt.Sprintf("/api/v1/meetings/%d/end", m.ID)
		},
		// Merging is one-way: each call merges a fresh duplicate into the fixture's topic.
		"POST /api/v1/topics/{id}/merge": func() string {
			d := must(ta.store.ProposeTopic(ctx, fx.Resident.Actor(), cf.topics.ID, models.TopicInput{Title: fmt.Sprintf("重复议题%d", n)}))
			return fmt.Sprintf("/api/v1/topics/%d/merge", d.ID)
		},
		// Three reports hide a card, and nobody reports their own: each call reports a fresh paper
		// card, which has no author among the callers.
		"POST /api/v1/cards/{id}/reports": func() string {
			c := must(first(ta.store.SubmitCard(ctx, fx.Facilitator.Actor(), cf.cards.ID,
				models.CardInput{Body: fmt.Sprintf("纸质卡片%d", n), Origin: models.OriginPaper})))
			return fmt.Sprintf("/api/v1/cards/%d/reports", c.ID)
		},
	}
	paths["GET /api/v1/meetings/{id}/cluster-suggestions"] = at("/api/v1/meetings/%d/cluster-suggestions", clf.meeting.ID)
	// bodyScoped are operations whose community comes in the body, not the path.
	bodyScoped := map[string]bool{"POST /api/v1/uploads": true}
	// anyCommunity: a role held in any community allows these (the server's operations status).
	anyCommunity := map[string]bool{"GET /api/v1/ops/backups": true}
	bodies := map[string]func() any{
		"PATCH /api/v1/me":                func() any { return map[string]any{} },
		"PATCH /api/v1/communities/{cid}": func() any { return map[string]any{"city": fx.A.City} },
		"POST /api/v1/communities": func() any {
			return map[string]any{"name": fmt.Sprintf("矩阵社区%d", n), "street": "唐家墩街道", "district": "江汉区", "city": "武汉市"}
		},
		"POST /api/v1/communities/{cid}/compounds": func() any { return map[string]any{"name": fmt.Sprintf("矩阵小区%d", n)} },
		"POST /api/v1/compounds/{id}/buildings":    func() any { return map[string]any{"name": fmt.Sprintf("%d栋", n)} },
		"POST /api/v1/compounds/{id}/households": func() any {
			return map[string]any{"building_id": fx.BuildingA.ID, "room": fmt.Sprintf("M%d", n), "area": 60.5}
		},
		"POST /api/v1/communities/{cid}/members": func() any {
			return map[string]any{"phone": fmt.Sprintf("1370000%04d", n), "name": "矩阵成员", "password": "matrix-pass-1",
				"roles": []string{models.RoleResident}}
		},
		"PATCH /api/v1/communities/{cid}/members/{uid}": func() any { return map[string]any{"verified": true} },
		"POST /api/v1/communities/{cid}/organizations": func() any {
			return map[string]any{"name": fmt.Sprintf("矩阵组织%d", n), "kind": "property"}
		},
		"POST /api/v1/communities/{cid}/cycles": func() any {
			return map[string]any{"month": fmt.Sprintf("20%02d-%02d", 30+n/12%70, n%12+1), "compound_id": fx.CompoundA.ID, "reason": "矩阵"}
		},
		// Each allowed caller moves the cycle one step forward: planning → … → card_collection
		// (its topic was selected before the fixture stepped it back to planning).
		"POST /api/v1/cycles/{id}/advance": func() any {
			cy := must(ta.store.GetCycle(ctx, fx.Super.Actor(), cf.advance.ID))
			return map[string]any{"to": models.PhaseOrder[slices.Index(models.PhaseOrder, cy.Phase)+1]}
		},
		"POST /api/v1/cycles/{id}/topics":       func() any { return map[string]any{"title": fmt.Sprintf("矩阵议题%d", n)} },
		"POST /api/v1/cycles/{id}/select-topic": func() any { return map[string]any{"topic_id": cf.selectTopic.ID, "reason": "附议最多"} },
		"PATCH /api/v1/topics/{id}":             func() any { return map[string]any{"status": models.TopicOpen} },
		"POST /api/v1/topics/{id}/merge":        func() any { return map[string]any{"into_topic_id": cf.topic.ID} },
		"POST /api/v1/uploads":                  func() any { return multipartPhoto(fx.A.ID) },
		"POST /api/v1/cycles/{id}/cards":        func() any { return map[string]any{"body": fmt.Sprintf("矩阵卡片%d", n)} },
		"PATCH /api/v1/cards/{id}":              func() any { return map[string]any{"status": models.CardVisible, "reason": "内容正常"} },
		"POST /api/v1/cards/{id}/reports":       func() any { return map[string]any{"reason": "广告"} },
		"POST /api/v1/cycles/{id}/meetings": func() any {
			return map[string]any{"title": "圆桌会", "starts_at": "2026-07-20T11:30:00Z", "location": "会议室", "quorum": 3,
				"agenda": []map[string]any{{"title": "介绍方案", "minutes": 10}}}
		},
		"POST /api/v1/meetings/{id}/end":        func() any { return map[string]any{"minutes": map[string]any{"summary": "同意试行"}} },
		"POST /api/v1/meetings/{id}/attendance": func() any { return map[string]any{"name": "王奶奶"} },
		"POST /api/v1/meetings/{id}/speakers":   func() any { return map[string]any{"stance": "pro"} },
		"PUT /api/v1/meetings/{id}/agenda-item": func() any { return map[string]any{"position": 2} },
		"PUT /api/v1/meetings/{id}/projector":   func() any { return map[string]any{"mode": "join"} },
		"POST /api/v1/meetings/{id}/clusters":   func() any { return map[string]any{"label": fmt.Sprintf("分组%d", n)} },
		"PATCH /api/v1/clusters/{id}":           func() any { return map[string]any{"label": "补偿方案", "position": 1} },
		"PUT /api/v1/cards/{id}/cluster":        func() any { return map[string]any{"cluster_id": clf.group.ID} },
		"POST /api/v1/meetings/{id}/seats": func() any {
			return map[string]any{"kind": "resident_pro", "label": fmt.Sprintf("矩阵席位%d", n)}
		},
		"PATCH /api/v1/seats/{id}": func() any { return map[string]any{"label": "一楼住户代表（反对）", "position": 1} },
	}
	skip := map[string]string{"POST /api/v1/me/close": "it closes the caller's account (TestOpenAPIExamples covers it)",
		"POST /api/v1/meetings/join": "the code names the community, and to a non-member it is a wrong code (422); TestAccess_Matrix and TestMeeting_Join cover it"}
	for _, op := range s.operations() {
		if !op.requiresBearer(s) {
			continue
		}
		if why, ok := skip[op.key()]; ok {
			t.Logf("%s: roles not checked: %s", op.key(), why)
			continue
		}
		pathOf := paths[op.key()]
		if pathOf == nil {
			path, ok := oaConcretePath(op.path, ids)
			if !ok {
				t.Logf("%s: roles not checked: no fixture for its path parameters (extend oaFixtureIDs or paths)", op.key())
				continue
			}
			pathOf = func() string { return path }
		}
		mk := bodies[op.key()]
		if op.op["requestBody"] != nil && mk == nil {
			t.Logf("%s: roles not checked: no example body (extend bodies in TestOpenAPIRoles)", op.key())
			continue
		}
		roles := op.roles()
		scoped := strings.Contains(op.path, "{") || bodyScoped[op.key()]
		for _, c := range callers {
			allowed := c.u.IsSuperadmin || slices.Contains(roles, "authenticated") ||
				(scoped && c.member && slices.Contains(roles, "member")) ||
				(scoped && c.member && c.verified && slices.Contains(roles, "verified"))
			if (scoped || anyCommunity[op.key()]) && c.member {
				for _, r := range c.roles {
					allowed = allowed || slices.Contains(roles, r)
				}
			}
			n++
			path := pathOf()
			r := oaReq{method: op.method, path: path, token: ta.token(c.u)}
			if mk != nil {
				r.body = mk()
				if rb, ok := r.body.(rawBody); ok {
					r.body, r.contentType = rb.data, rb.contentType
				}
				for _, e := range s.checkRequestOf(op, r) {
					t.Errorf("%s: example body: %s", op.key(), e)
				}
			}
			rec := oaDo(t, ta.e, r)
			for _, e := range s.checkResponse(op, rec) {
				t.Errorf("%s as %s: %s", op.key(), c.name, e)
			}
			switch {
			case allowed && (rec.Code < 200 || rec.Code > 299):
				t.Errorf("%s as %s: status=%d, want 2xx (x-roles %v); body=%s", op.key(), c.name, rec.Code, roles, rec.Body)
			case !allowed && scoped && !c.member && rec.Code != http.StatusNotFound:
				t.Errorf("%s as %s: status=%d, want 404 for a non-member; body=%s", op.key(), c.name, rec.Code, rec.Body)
			case !allowed && (!scoped || c.member) && rec.Code != http.StatusForbidden:
				t.Errorf("%s as %s: status=%d, want 403 (x-roles %v); body=%s", op.key(), c.name, rec.Code, roles, rec.Body)
			}
		}
	}
}

// TestOpenAPIExamples walks the API the way clients use it, success and failure, and checks every
// request body and answer against the spec.
func TestOpenAPIExamples(t *testing.T) {
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	fx := ta.fx
	covered := map[string]bool{}
	call := oaCaller(t, ta.e, s, covered)
	tok := ta.token
	id := func(v uint64) string { return strconv.FormatUint(v, 10) }
	cookieOf := func(rec *httptest.ResponseRecorder) *http.Cookie {
		for _, c := range rec.Result().Cookies() {
			if c.Name == refreshCookie && c.Value != "" {
				return c
			}
		}
		t.Fatalf("no %s cookie in the answer", refreshCookie)
		return nil
	}
	A := "/api/v1/communities/" + id(fx.A.ID)
	compound := "/api/v1/compounds/" + id(fx.CompoundA.ID)

	// Operations.
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.yaml"} {
		call("ops", oaReq{method: "GET", path: p, remote: "127.0.0.1:40000"}, 200, false)
	}
	call("metrics from afar", oaReq{method: "GET", path: "/metrics"}, 404, false)

	// Registration and sessions.
	call("register communities", oaReq{method: "GET", path: "/api/v1/register/communities"}, 200, false)
	call("register places", oaReq{method: "GET", path: "/api/v1/register/communities/" + id(fx.A.ID) + "/places"}, 200, false)
	call("register places unknown", oaReq{method: "GET", path: "/api/v1/register/communities/999999/places"}, 404, false)
	call("register places bad id", oaReq{method: "GET", path: "/api/v1/register/communities/abc/places"}, 404, true)
	const phone, password = "13912345678", "register-pass-1"
	reg := map[string]any{"phone": phone, "name": "王阿姨", "password": password, "community_id": fx.A.ID,
		"household_id": fx.HouseholdA.ID, "privacy_consent": true}
	rec := call("register", oaReq{method: "POST", path: "/api/v1/auth/register", body: reg}, 201, false)
	sess := decode[session](t, rec)
	regCookie := cookieOf(rec)
	me := sess.User
	call("register again", oaReq{method: "POST", path: "/api/v1/auth/register", body: reg}, 422, false)
	call("register bad phone", oaReq{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "12345",
		"name": "x", "password": password, "community_id": fx.A.ID, "privacy_consent": true}}, 422, true)
	call("register unknown field", oaReq{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": phone,
		"nickname": "x"}}, 400, true)
	call("register no consent", oaReq{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "13912345679",
		"name": "x", "password": password, "community_id": fx.A.ID, "privacy_consent": false}}, 422, true)
	rec = call("login", oaReq{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"phone": phone, "password": password}}, 200, false)
	loginCookie := cookieOf(rec)
	call("login wrong password", oaReq{method: "POST", path: "/api/v1/auth/login",
		body: map[string]any{"phone": phone, "password": "not-the-password"}}, 401, false)
	call("refresh", oaReq{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{loginCookie}}, 200, false)
	call("refresh reused", oaReq{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{loginCookie}}, 401, false)
	call("refresh without cookie", oaReq{method: "POST", path: "/api/v1/auth/refresh"}, 401, false)
	call("logout", oaReq{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{regCookie}}, 204, false)
	call("me after logout", oaReq{method: "GET", path: "/api/v1/me", token: sess.AccessToken}, 401, false)
	call("logout without cookie", oaReq{method: "POST", path: "/api/v1/auth/logout"}, 204, false)
	rec = call("login again", oaReq{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"phone": phone, "password": password}}, 200, false)
	sess = decode[session](t, rec)
	for _, bad := range []string{"Bearer not-a-jwt", "Basic abc"} {
		call("me bad token", oaReq{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": bad}}, 401, false)
	}

	// The caller's own account.
	call("me", oaReq{method: "GET", path: "/api/v1/me", token: sess.AccessToken}, 200, false)
	call("me party member", oaReq{method: "GET", path: "/api/v1/me", token: tok(fx.Party)}, 200, false)
	call("update me", oaReq{method: "PATCH", path: "/api/v1/me", token: sess.AccessToken,
		body: map[string]any{"name": "王阿姨", "locale": "en", "large_text": true}}, 200, false)
	call("update me null", oaReq{method: "PATCH", path: "/api/v1/me", token: sess.AccessToken, body: map[string]any{"name": nil}}, 200, false)
	call("update me bad locale", oaReq{method: "PATCH", path: "/api/v1/me", token: sess.AccessToken,
		body: map[string]any{"locale": "fr"}}, 422, true)
	call("update me too large", oaReq{method: "PATCH", path: "/api/v1/me", token: sess.AccessToken,
		body: map[string]any{"name": strings.Repeat("长", 70000)}}, 413, true)
	call("export", oaReq{method: "GET", path: "/api/v1/me/export", token: sess.AccessToken}, 200, false)

	// Places.
	call("communities", oaReq{method: "GET", path: "/api/v1/communities", token: tok(fx.AdminA)}, 200, false)
	call("communities superadmin", oaReq{method: "GET", path: "/api/v1/communities", token: tok(fx.Super)}, 200, false)
	newCommunity := map[string]any{"name": "常青社区", "street": "唐家墩街道", "district": "江汉区", "city": "武汉市"}
	call("create community", oaReq{method: "POST", path: "/api/v1/communities", token: tok(fx.Super), body: newCommunity}, 201, false)
	call("create community again", oaReq{method: "POST", path: "/api/v1/communities", token: tok(fx.Super), body: newCommunity}, 422, false)
	call("create community as admin", oaReq{method: "POST", path: "/api/v1/communities", token: tok(fx.AdminA), body: newCommunity}, 403, false)
	call("create community as text", oaReq{method: "POST", path: "/api/v1/communities", token: tok(fx.Super),
		body: "name=x", contentType: "text/plain"}, 415, true)
	call("create community bad JSON", oaReq{method: "POST", path: "/api/v1/communities", token: tok(fx.Super), body: "{"}, 400, true)
	call("community", oaReq{method: "GET", path: A, token: tok(fx.Resident)}, 200, false)
	call("community other tenant", oaReq{method: "GET", path: A, token: tok(fx.ResidentB)}, 404, false)
	call("community bad id", oaReq{method: "GET", path: "/api/v1/communities/0", token: tok(fx.Resident)}, 404, true)
	call("update community", oaReq{method: "PATCH", path: A, token: tok(fx.AdminA), body: map[string]any{"street": "唐家墩街道"}}, 200, false)
	call("update community as resident", oaReq{method: "PATCH", path: A, token: tok(fx.Resident), body: map[string]any{"street": "x"}}, 403, false)
	call("update community blank", oaReq{method: "PATCH", path: A, token: tok(fx.AdminA), body: map[string]any{"city": "  "}}, 422, true)
	call("compounds", oaReq{method: "GET", path: A + "/compounds", token: tok(fx.Resident)}, 200, false)
	call("create compound", oaReq{method: "POST", path: A + "/compounds", token: tok(fx.AdminA),
		body: map[string]any{"name": "新华小区", "address": "新华路 1 号"}}, 201, false)
	call("create compound again", oaReq{method: "POST", path: A + "/compounds", token: tok(fx.AdminA),
		body: map[string]any{"name": "新华小区"}}, 422, false)
	call("create compound unknown field", oaReq{method: "POST", path: A + "/compounds", token: tok(fx.AdminA),
		body: map[string]any{"name": "x", "city": "武汉市"}}, 400, true)
	call("create compound as resident", oaReq{method: "POST", path: A + "/compounds", token: tok(fx.Resident),
		body: map[string]any{"name": "居民小区"}}, 403, false)
	call("buildings", oaReq{method: "GET", path: compound + "/buildings", token: tok(fx.Resident)}, 200, false)
	call("create building", oaReq{method: "POST", path: compound + "/buildings", token: tok(fx.AdminA),
		body: map[string]any{"name": "2单元"}}, 201, false)
	call("households", oaReq{method: "GET", path: compound + "/households?building_id=" + id(fx.BuildingA.ID), token: tok(fx.GridWorker)}, 200, false)
	call("households bad building", oaReq{method: "GET", path: compound + "/households?building_id=x", token: tok(fx.GridWorker)}, 422, true)
	call("households as resident", oaReq{method: "GET", path: compound + "/households", token: tok(fx.Resident)}, 403, false)
	call("households other tenant", oaReq{method: "GET", path: compound + "/households", token: tok(fx.AdminB)}, 404, false)
	call("create household", oaReq{method: "POST", path: compound + "/households", token: tok(fx.AdminA),
		body: map[string]any{"building_id": fx.BuildingA.ID, "room": "102", "area": 75.25, "owner_occupied": true}}, 201, false)
	call("create household no area", oaReq{method: "POST", path: compound + "/households", token: tok(fx.AdminA),
		body: map[string]any{"building_id": fx.BuildingA.ID, "room": "103"}}, 422, true)

	// Organizations and members.
	rec = call("create organization", oaReq{method: "POST", path: A + "/organizations", token: tok(fx.AdminA),
		body: map[string]any{"name": "安友物业", "kind": "property"}}, 201, false)
	org := decode[models.Organization](t, rec)
	call("organizations", oaReq{method: "GET", path: A + "/organizations", token: tok(fx.Resident)}, 200, false)
	call("create organization bad kind", oaReq{method: "POST", path: A + "/organizations", token: tok(fx.AdminA),
		body: map[string]any{"name": "x", "kind": "club"}}, 422, true)
	rec = call("members page 1", oaReq{method: "GET", path: A + "/members?limit=2", token: tok(fx.AdminA)}, 200, false)
	next := decode[itemsPage[models.MemberView]](t, rec).NextCursor
	if next == "" {
		t.Fatal("members page 1: no next_cursor")
	}
	call("members page 2", oaReq{method: "GET", path: A + "/members?limit=2&cursor=" + next, token: tok(fx.AdminA)}, 200, false)
	call("members bad cursor", oaReq{method: "GET", path: A + "/members?cursor=%21%21", token: tok(fx.AdminA)}, 400, true)
	call("members filtered", oaReq{method: "GET", path: A + "/members?role=resident&verified=false&q=%E6%96%B0", token: tok(fx.GridWorker)}, 200, false)
	call("members as committee", oaReq{method: "GET", path: A + "/members", token: tok(fx.Committee)}, 200, false)
	call("members limit too big", oaReq{method: "GET", path: A + "/members?limit=500", token: tok(fx.AdminA)}, 422, true)
	call("members as resident", oaReq{method: "GET", path: A + "/members", token: tok(fx.Resident)}, 403, false)
	rec = call("add member", oaReq{method: "POST", path: A + "/members", token: tok(fx.AdminA), body: map[string]any{
		"phone": "13912340000", "name": "李师傅", "password": "member-pass-1",
		"roles": []string{models.RoleResident, models.RolePartyMember}, "household_id": fx.HouseholdA.ID}}, 202, false)
	invited := decode[models.Invitation](t, rec)
	call("add member as superadmin", oaReq{method: "POST", path: A + "/members", token: tok(fx.Super), body: map[string]any{
		"phone": "13912340002", "name": "周师傅", "password": "member-pass-1", "roles": []string{models.RoleResident},
		"verified": false}}, 201, false)
	call("add member without password", oaReq{method: "POST", path: A + "/members", token: tok(fx.AdminA), body: map[string]any{
		"phone": fx.ResidentB.Phone, "name": "x", "roles": []string{models.RoleResident}}}, 422, false)
	rec = call("add member of another community", oaReq{method: "POST", path: A + "/members", token: tok(fx.AdminA), body: map[string]any{
		"phone": fx.ResidentB.Phone, "name": "居民乙", "password": "member-pass-1", "roles": []string{models.RoleResident}}}, 202, false)
	declined := decode[models.Invitation](t, rec)
	rec = call("invitee login", oaReq{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"phone": "13912340000",
		"password": "member-pass-1"}}, 200, false)
	invitee := decode[session](t, rec).AccessToken
	call("my invitations", oaReq{method: "GET", path: "/api/v1/me/invitations", token: invitee}, 200, false)
	call("accept another's invitation", oaReq{method: "POST", path: "/api/v1/invitations/" + id(invited.ID) + "/accept",
		token: tok(fx.Resident)}, 404, false)
	call("decline another's invitation", oaReq{method: "POST", path: "/api/v1/invitations/" + id(invited.ID) + "/decline",
		token: tok(fx.Resident)}, 404, false)
	call("accept invitation", oaReq{method: "POST", path: "/api/v1/invitations/" + id(invited.ID) + "/accept", token: invitee}, 200, false)
	call("accept invitation again", oaReq{method: "POST", path: "/api/v1/invitations/" + id(invited.ID) + "/accept", token: invitee}, 409, false)
	call("decline invitation", oaReq{method: "POST", path: "/api/v1/invitations/" + id(declined.ID) + "/decline",
		token: tok(fx.ResidentB)}, 204, false)
	call("decline invitation again", oaReq{method: "POST", path: "/api/v1/invitations/" + id(declined.ID) + "/decline",
		token: tok(fx.ResidentB)}, 409, false)
	call("add member no roles", oaReq{method: "POST", path: A + "/members", token: tok(fx.AdminA), body: map[string]any{
		"phone": "13912340001", "name": "x", "roles": []string{}}}, 422, true)
	call("verify member", oaReq{method: "PATCH", path: A + "/members/" + id(me.ID), token: tok(fx.GridWorker),
		body: map[string]any{"verified": true, "household_id": fx.HouseholdA.ID}}, 200, false)
	call("verify self", oaReq{method: "PATCH", path: A + "/members/" + id(fx.GridWorker.ID), token: tok(fx.GridWorker),
		body: map[string]any{"verified": false}}, 422, false)
	call("member skills", oaReq{method: "PATCH", path: A + "/members/" + id(fx.Party.ID), token: tok(fx.AdminA),
		body: map[string]any{"skills": []string{"水电维修", "法律咨询"}, "work_unit": "区水务局", "organization_id": org.ID}}, 200, false)
	call("member roles by grid worker", oaReq{method: "PATCH", path: A + "/members/" + id(fx.Party.ID), token: tok(fx.GridWorker),
		body: map[string]any{"roles": []string{models.RoleResident}}}, 403, false)
	call("last admin", oaReq{method: "PATCH", path: A + "/members/" + id(fx.AdminA.ID), token: tok(fx.AdminA),
		body: map[string]any{"roles": []string{models.RoleResident}}}, 409, false)
	call("member unknown", oaReq{method: "PATCH", path: A + "/members/999999", token: tok(fx.AdminA),
		body: map[string]any{"verified": true}}, 404, false)

	// Audit.
	rec = call("events", oaReq{method: "GET", path: A + "/events?limit=3", token: tok(fx.Committee)}, 200, false)
	after := decode[itemsPage[models.Event]](t, rec).NextCursor
	if after == "" {
		t.Fatal("events: no next_cursor")
	}
	call("events after", oaReq{method: "GET", path: A + "/events?after=" + after, token: tok(fx.Committee)}, 200, false)
	call("events bad limit", oaReq{method: "GET", path: A + "/events?limit=x", token: tok(fx.AdminA)}, 422, true)
	call("events as resident", oaReq{method: "GET", path: A + "/events", token: tok(fx.Resident)}, 403, false)
	call("verify", oaReq{method: "GET", path: A + "/audit/verify", token: tok(fx.Committee)}, 200, false)

	// The monthly cycle: a month in compound A from planning to closed.
	rec = call("create cycle", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.Facilitator),
		body: map[string]any{"month": "2026-12", "compound_id": fx.CompoundA.ID, "reason": "停车矛盾突出"}}, 201, false)
	cy := decode[models.Cycle](t, rec)
	cycle := "/api/v1/cycles/" + id(cy.ID)
	call("create cycle again", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.Facilitator),
		body: map[string]any{"month": "2026-12", "compound_id": fx.CompoundA.ID, "reason": "重复"}}, 422, false)
	call("create cycle without a reason", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.Facilitator),
		body: map[string]any{"month": "2027-02", "compound_id": fx.CompoundA.ID, "reason": " "}}, 422, true)
	call("create cycle bad month", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.Facilitator),
		body: map[string]any{"month": "2026-13", "compound_id": fx.CompoundA.ID, "reason": "x"}}, 422, true)
	call("create cycle as resident", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.Resident),
		body: map[string]any{"month": "2027-01", "compound_id": fx.CompoundA.ID, "reason": "x"}}, 403, false)
	call("create cycle with a resident facilitating", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.AdminA),
		body: map[string]any{"month": "2027-01", "compound_id": fx.CompoundA.ID, "reason": "x", "facilitator_id": fx.Resident.ID}}, 422, false)
	call("create cycle other compound", oaReq{method: "POST", path: A + "/cycles", token: tok(fx.AdminA),
		body: map[string]any{"month": "2027-01", "compound_id": fx.CompoundB.ID, "reason": "x"}}, 422, false)
	rec = call("create cycle in B", oaReq{method: "POST", path: "/api/v1/communities/" + id(fx.B.ID) + "/cycles", token: tok(fx.AdminB),
		body: map[string]any{"month": "2026-12", "compound_id": fx.CompoundB.ID, "reason": "停车难", "facilitator_id": fx.AdminB.ID}}, 201, false)
	cycleB := "/api/v1/cycles/" + id(decode[models.Cycle](t, rec).ID)
	call("cycles", oaReq{method: "GET", path: A + "/cycles", token: tok(fx.Resident)}, 200, false)
	call("cycles other tenant", oaReq{method: "GET", path: A + "/cycles", token: tok(fx.ResidentB)}, 404, false)
	call("cycle", oaReq{method: "GET", path: cycle, token: tok(fx.Unverified)}, 200, false)
	call("cycle other tenant", oaReq{method: "GET", path: cycle, token: tok(fx.ResidentB)}, 404, false)
	call("cycle bad id", oaReq{method: "GET", path: "/api/v1/cycles/abc", token: tok(fx.Resident)}, 404, true)
	call("advance", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhaseTopicCollection}}, 200, false)
	call("advance skipping a phase", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhaseCardCollection}}, 409, false)
	call("step back as facilitator", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhasePlanning, "reason": "重新确定小区"}}, 403, false)
	call("cancel without reason", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.AdminA),
		body: map[string]any{"to": models.PhaseCancelled}}, 422, false)
	call("advance unknown phase", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.AdminA),
		body: map[string]any{"to": "voting"}}, 422, true)
	call("advance as resident", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Resident),
		body: map[string]any{"to": models.PhaseTopicSelection}}, 403, false)

	// Topics and endorsements.
	topics := cycle + "/topics"
	rec = call("propose topic", oaReq{method: "POST", path: topics, token: tok(fx.Resident),
		body: map[string]any{"title": "楼道堆物", "description": "消防通道被杂物占用"}}, 201, false)
	t1 := decode[models.Topic](t, rec)
	rec = call("type in a hotline topic", oaReq{method: "POST", path: topics, token: tok(fx.GridWorker),
		body: map[string]any{"title": "楼道杂物", "source": "hotline", "proposer_id": fx.Party.ID}}, 201, false)
	t2 := decode[models.Topic](t, rec)
	topic := func(t models.Topic) string { return "/api/v1/topics/" + id(t.ID) }
	call("propose topic unverified", oaReq{method: "POST", path: topics, token: tok(fx.Unverified),
		body: map[string]any{"title": "加装电梯"}}, 403, false)
	call("type in a topic as resident", oaReq{method: "POST", path: topics, token: tok(fx.Resident),
		body: map[string]any{"title": "加装电梯", "source": "home_visit"}}, 403, false)
	call("propose topic for someone else", oaReq{method: "POST", path: topics, token: tok(fx.Resident),
		body: map[string]any{"title": "加装电梯", "proposer_id": fx.Party.ID}}, 422, false)
	call("propose blank topic", oaReq{method: "POST", path: topics, token: tok(fx.Resident),
		body: map[string]any{"title": "  "}}, 422, true)
	call("propose topic bad source", oaReq{method: "POST", path: topics, token: tok(fx.GridWorker),
		body: map[string]any{"title": "加装电梯", "source": "wechat"}}, 422, true)
	call("endorse", oaReq{method: "PUT", path: topic(t1) + "/endorsement", token: tok(fx.Party)}, 200, false)
	call("endorse again", oaReq{method: "PUT", path: topic(t1) + "/endorsement", token: tok(fx.Party)}, 200, false)
	call("endorse the duplicate", oaReq{method: "PUT", path: topic(t2) + "/endorsement", token: tok(fx.Resident)}, 200, false)
	call("endorse unverified", oaReq{method: "PUT", path: topic(t1) + "/endorsement", token: tok(fx.Unverified)}, 403, false)
	call("endorse other tenant", oaReq{method: "PUT", path: topic(t1) + "/endorsement", token: tok(fx.ResidentB)}, 404, false)
	call("withdraw endorsement", oaReq{method: "DELETE", path: topic(t1) + "/endorsement", token: tok(fx.Party)}, 200, false)
	call("withdraw endorsement never given", oaReq{method: "DELETE", path: topic(t1) + "/endorsement", token: tok(fx.Committee)}, 200, false)
	rec = call("topics", oaReq{method: "GET", path: topics, token: tok(fx.Party)}, 200, false)
	if n := len(decode[itemsPage[models.Topic]](t, rec).Items); n != 2 {
		t.Errorf("topics: %d items, want 2", n)
	}
	rec = call("merge", oaReq{method: "POST", path: topic(t2) + "/merge", token: tok(fx.Facilitator),
		body: map[string]any{"into_topic_id": t1.ID}}, 200, false)
	if m := decode[models.Topic](t, rec); m.Status != models.TopicMerged || m.MergedIntoID == nil || *m.MergedIntoID != t1.ID {
		t.Errorf("merge: status=%s merged_into_id=%v, want merged into %d", m.Status, m.MergedIntoID, t1.ID)
	}
	call("merge into itself", oaReq{method: "POST", path: topic(t1) + "/merge", token: tok(fx.Facilitator),
		body: map[string]any{"into_topic_id": t1.ID}}, 422, false)
	call("merge a merged topic", oaReq{method: "POST", path: topic(t2) + "/merge", token: tok(fx.Facilitator),
		body: map[string]any{"into_topic_id": t1.ID}}, 409, false)
	call("merge as grid worker", oaReq{method: "POST", path: topic(t1) + "/merge", token: tok(fx.GridWorker),
		body: map[string]any{"into_topic_id": t2.ID}}, 403, false)
	call("shortlist", oaReq{method: "PATCH", path: topic(t1), token: tok(fx.Facilitator),
		body: map[string]any{"status": models.TopicShortlisted}}, 200, false)
	call("reject without reason", oaReq{method: "PATCH", path: topic(t1), token: tok(fx.Facilitator),
		body: map[string]any{"status": models.TopicRejected}}, 422, false)
	call("set topic selected", oaReq{method: "PATCH", path: topic(t1), token: tok(fx.Facilitator),
		body: map[string]any{"status": models.TopicSelected}}, 422, true)
	call("reopen a merged topic", oaReq{method: "PATCH", path: topic(t2), token: tok(fx.Facilitator),
		body: map[string]any{"status": models.TopicOpen}}, 409, false)
	call("update topic as committee", oaReq{method: "PATCH", path: topic(t1), token: tok(fx.Committee),
		body: map[string]any{"status": models.TopicOpen}}, 403, false)
	call("select too early", oaReq{method: "POST", path: cycle + "/select-topic", token: tok(fx.Facilitator),
		body: map[string]any{"topic_id": t1.ID, "reason": "附议最多"}}, 409, false)
	call("advance to topic selection", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhaseTopicSelection}}, 200, false)
	call("card collection without a topic", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhaseCardCollection}}, 409, false)
	call("propose too late", oaReq{method: "POST", path: topics, token: tok(fx.Resident),
		body: map[string]any{"title": "加装电梯"}}, 409, false)
	call("endorse too late", oaReq{method: "PUT", path: topic(t1) + "/endorsement", token: tok(fx.Party)}, 409, false)
	call("select a merged topic", oaReq{method: "POST", path: cycle + "/select-topic", token: tok(fx.Facilitator),
		body: map[string]any{"topic_id": t2.ID, "reason": "附议最多"}}, 409, false)
	call("select without reason", oaReq{method: "POST", path: cycle + "/select-topic", token: tok(fx.Facilitator),
		body: map[string]any{"topic_id": t1.ID}}, 422, true)
	call("select as resident", oaReq{method: "POST", path: cycle + "/select-topic", token: tok(fx.Resident),
		body: map[string]any{"topic_id": t1.ID, "reason": "附议最多"}}, 403, false)
	rec = call("select", oaReq{method: "POST", path: cycle + "/select-topic", token: tok(fx.Facilitator),
		body: map[string]any{"topic_id": t1.ID, "reason": "附议最多，涉及消防安全"}}, 200, false)
	if c := decode[models.Cycle](t, rec); c.SelectedTopicID == nil || *c.SelectedTopicID != t1.ID {
		t.Errorf("select: selected_topic_id=%v, want %d", c.SelectedTopicID, t1.ID)
	}
	call("advance to card collection", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.Facilitator),
		body: map[string]any{"to": models.PhaseCardCollection}}, 200, false)

	// Photos.
	photo := multipartPhoto(fx.A.ID)
	rec = call("upload", oaReq{method: "POST", path: "/api/v1/uploads", token: tok(fx.Resident),
		body: photo.data, contentType: photo.contentType}, 201, false)
	up := decode[struct {
		ID  uint64 `json:"id"`
		URL string `json:"url"`
	}](t, rec)
	call("upload as JSON", oaReq{method: "POST", path: "/api/v1/uploads", token: tok(fx.Resident),
		body: map[string]any{"community_id": fx.A.ID}}, 422, true)
	text := oaForm(fx.A.ID, "photo.jpg", []byte("not a picture at all"))
	call("upload not a picture", oaReq{method: "POST", path: "/api/v1/uploads", token: tok(fx.Resident),
		body: text.data, contentType: text.contentType}, 422, false)
	other := multipartPhoto(fx.B.ID)
	call("upload other tenant", oaReq{method: "POST", path: "/api/v1/uploads", token: tok(fx.Resident),
		body: other.data, contentType: other.contentType}, 404, false)
	call("photo", oaReq{method: "GET", path: up.URL, token: tok(fx.Resident)}, 200, false)
	call("photo attached to nothing", oaReq{method: "GET", path: up.URL, token: tok(fx.Committee)}, 404, false)
	call("upload unverified", oaReq{method: "POST", path: "/api/v1/uploads", token: tok(fx.Unverified),
		body: photo.data, contentType: photo.contentType}, 403, false)
	call("photo other tenant", oaReq{method: "GET", path: up.URL, token: tok(fx.ResidentB)}, 404, false)
	call("photo unknown", oaReq{method: "GET", path: "/api/v1/uploads/999999", token: tok(fx.Resident)}, 404, false)

	// Solution cards.
	cards := cycle + "/cards"
	card := func(c models.Card) string { return "/api/v1/cards/" + id(c.ID) }
	key := map[string]string{"Idempotency-Key": "0b6f7c1e-card-1"}
	firstCard := map[string]any{"body": "分单元表决，先易后难", "photo_id": up.ID}
	rec = call("submit card", oaReq{method: "POST", path: cards, token: tok(fx.Resident), header: key, body: firstCard}, 201, false)
	c1 := decode[models.Card](t, rec)
	if rec.Header().Get("Idempotent-Replayed") != "" {
		t.Error("submit card: a first submission says Idempotent-Replayed")
	}
	rec = call("submit card retried", oaReq{method: "POST", path: cards, token: tok(fx.Resident), header: key, body: firstCard}, 201, false)
	if rec.Header().Get("Idempotent-Replayed") != "true" || decode[models.Card](t, rec).ID != c1.ID {
		t.Errorf("submit card retried: Idempotent-Replayed=%q body=%s, want true and card %d",
			rec.Header().Get("Idempotent-Replayed"), rec.Body, c1.ID)
	}
	call("idempotency key reused", oaReq{method: "POST", path: cards, token: tok(fx.Resident), header: key,
		body: map[string]any{"body": "另一张卡片"}}, 409, false)
	call("idempotency key too long", oaReq{method: "POST", path: cards, token: tok(fx.Resident),
		header: map[string]string{"Idempotency-Key": strings.Repeat("k", 101)}, body: map[string]any{"body": "错峰停车"}}, 422, true)
	rec = call("submit anonymous card", oaReq{method: "POST", path: cards, token: tok(fx.Party),
		body: map[string]any{"body": "错峰停车，夜间开放单位车位", "anonymous": true}}, 201, false)
	anon := decode[models.Card](t, rec)
	call("type in a paper card", oaReq{method: "POST", path: cards, token: tok(fx.GridWorker),
		body: map[string]any{"body": "增设电动车充电桩", "origin": "paper", "author_name": "张大爷"}}, 201, false)
	call("submit card unverified", oaReq{method: "POST", path: cards, token: tok(fx.Unverified),
		body: map[string]any{"body": "错峰停车"}}, 403, false)
	call("paper card as resident", oaReq{method: "POST", path: cards, token: tok(fx.Resident),
		body: map[string]any{"body": "错峰停车", "origin": "paper"}}, 403, false)
	call("table card before the round table", oaReq{method: "POST", path: cards, token: tok(fx.Facilitator),
		body: map[string]any{"body": "错峰停车", "origin": "table"}}, 409, false)
	call("card too long", oaReq{method: "POST", path: cards, token: tok(fx.Resident),
		body: map[string]any{"body": strings.Repeat("长", 301)}}, 422, false)
	call("card with someone else's photo", oaReq{method: "POST", path: cards, token: tok(fx.Party),
		body: map[string]any{"body": "错峰停车", "photo_id": up.ID}}, 422, false)
	call("blank card", oaReq{method: "POST", path: cards, token: tok(fx.Resident), body: map[string]any{"body": " "}}, 422, true)
	call("card unknown field", oaReq{method: "POST", path: cards, token: tok(fx.Resident),
		body: map[string]any{"body": "错峰停车", "author_id": fx.Party.ID}}, 400, true)
	call("card while planning", oaReq{method: "POST", path: cycleB + "/cards", token: tok(fx.ResidentB),
		body: map[string]any{"body": "错峰停车"}}, 409, false)
	call("cards", oaReq{method: "GET", path: cards, token: tok(fx.Unverified)}, 200, false)
	call("cards as moderator", oaReq{method: "GET", path: cards, token: tok(fx.Committee)}, 200, false)
	rec = call("my cards", oaReq{method: "GET", path: cards + "?mine=true", token: tok(fx.Party)}, 200, false)
	if mine := decode[itemsPage[models.Card]](t, rec).Items; len(mine) != 1 || mine[0].ID != anon.ID || !mine[0].Mine || mine[0].AuthorName != "" {
		t.Errorf("my cards: %+v, want the anonymous card alone, mine and without a name", mine)
	}
	call("cards bad status", oaReq{method: "GET", path: cards + "?status=deleted", token: tok(fx.Facilitator)}, 422, true)
	call("cards other tenant", oaReq{method: "GET", path: cards, token: tok(fx.ResidentB)}, 404, false)
	call("card", oaReq{method: "GET", path: card(c1), token: tok(fx.Party)}, 200, false)
	call("anonymous card", oaReq{method: "GET", path: card(anon), token: tok(fx.AdminA)}, 200, false)
	call("card other tenant", oaReq{method: "GET", path: card(c1), token: tok(fx.ResidentB)}, 404, false)
	call("timeline", oaReq{method: "GET", path: card(c1) + "/timeline", token: tok(fx.Resident)}, 200, false)

	// Reports and moderation.
	report := func(name string, as *models.User, want int) *httptest.ResponseRecorder {
		return call(name, oaReq{method: "POST", path: card(c1) + "/reports", token: tok(as), body: map[string]any{"reason": "广告"}}, want, false)
	}
	report("report", fx.Party, 201)
	report("report again", fx.Party, 201)
	report("report own card", fx.Resident, 409)
	call("report without reason", oaReq{method: "POST", path: card(c1) + "/reports", token: tok(fx.Unverified)}, 201, false)
	rec = report("report that hides", fx.GridWorker, 201)
	if r := decode[reportResponse](t, rec); !r.Reported || r.Card != nil {
		t.Errorf("report that hides: %s, want reported and no card", rec.Body)
	}
	call("hidden card", oaReq{method: "GET", path: card(c1), token: tok(fx.Party)}, 404, false)
	call("hidden card to its author", oaReq{method: "GET", path: card(c1), token: tok(fx.Resident)}, 200, false)
	call("moderation queue", oaReq{method: "GET", path: cards + "?status=hidden", token: tok(fx.Committee)}, 200, false)
	report("report a hidden card", fx.Committee, 404)
	call("restore as committee", oaReq{method: "PATCH", path: card(c1), token: tok(fx.Committee),
		body: map[string]any{"status": "visible", "reason": "内容正常"}}, 403, false)
	call("restore without reason", oaReq{method: "PATCH", path: card(c1), token: tok(fx.Facilitator),
		body: map[string]any{"status": "visible"}}, 422, false)
	call("restore", oaReq{method: "PATCH", path: card(c1), token: tok(fx.Facilitator),
		body: map[string]any{"status": "visible", "reason": "内容正常，不是广告"}}, 200, false)
	call("withdraw someone else's card", oaReq{method: "PATCH", path: card(c1), token: tok(fx.Facilitator),
		body: map[string]any{"status": "withdrawn"}}, 403, false)
	call("withdraw", oaReq{method: "PATCH", path: card(c1), token: tok(fx.Resident), body: map[string]any{"status": "withdrawn"}}, 200, false)
	call("restore a withdrawn card", oaReq{method: "PATCH", path: card(c1), token: tok(fx.AdminA),
		body: map[string]any{"status": "visible", "reason": "误撤回"}}, 409, false)
	call("moderate bad status", oaReq{method: "PATCH", path: card(c1), token: tok(fx.AdminA),
		body: map[string]any{"status": "deleted", "reason": "x"}}, 422, true)
	rec = call("timeline with moderation", oaReq{method: "GET", path: card(c1) + "/timeline", token: tok(fx.Committee)}, 200, false)
	if n := len(decode[itemsPage[models.TimelineItem]](t, rec).Items); n < 7 {
		t.Errorf("timeline with moderation: %d items, want created, 3 reports, hidden, restored, withdrawn", n)
	}

	// The rest of the cycle.
	for _, to := range []string{models.PhaseRoundTable, models.PhaseResolved, models.PhaseClosed} {
		call("advance to "+to, oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.AdminA), body: map[string]any{"to": to}}, 200, false)
		if to == models.PhaseRoundTable {
			call("table card", oaReq{method: "POST", path: cards, token: tok(fx.Facilitator),
				body: map[string]any{"body": "成立停车自管小组", "origin": "table", "author_name": "李主任"}}, 201, false)
		}
	}
	call("withdraw after close", oaReq{method: "PATCH", path: card(anon), token: tok(fx.Party), body: map[string]any{"status": "withdrawn"}}, 409, false)
	call("cancel a closed cycle", oaReq{method: "POST", path: cycle + "/advance", token: tok(fx.AdminA),
		body: map[string]any{"to": models.PhaseCancelled, "reason": "重复"}}, 409, false)
	call("cancel", oaReq{method: "POST", path: cycleB + "/advance", token: tok(fx.AdminB),
		body: map[string]any{"to": models.PhaseCancelled, "reason": "小区改造推迟"}}, 200, false)

	// Round-table meetings and sign-in.
	mf := ta.buildMeetingFixture()
	meetings := "/api/v1/cycles/" + id(mf.cycle.ID) + "/meetings"
	rec = call("schedule meeting", oaReq{method: "POST", path: meetings, token: tok(fx.Facilitator),
		body: map[string]any{"title": "充电桩圆桌会", "starts_at": "2026-07-20T11:30:00Z", "location": "社区党群服务中心", "quorum": 2,
			"agenda": []map[string]any{{"title": "介绍方案", "minutes": 10}}}}, 201, false)
	mt := decode[models.Meeting](t, rec)
	meeting := "/api/v1/meetings/" + id(mt.ID)
	call("schedule meeting bad time", oaReq{method: "POST", path: meetings, token: tok(fx.Facilitator),
		body: map[string]any{"title": "会", "starts_at": "下周三晚上", "location": "会议室"}}, 422, true)
	call("schedule meeting as resident", oaReq{method: "POST", path: meetings, token: tok(fx.Resident),
		body: map[string]any{"title": "会", "starts_at": "2026-07-20T11:30:00Z", "location": "会议室"}}, 403, false)
	call("meetings", oaReq{method: "GET", path: meetings, token: tok(fx.Resident)}, 200, false)
	call("meeting", oaReq{method: "GET", path: meeting, token: tok(fx.Unverified)}, 200, false)
	call("meeting other tenant", oaReq{method: "GET", path: meeting, token: tok(fx.ResidentB)}, 404, false)
	call("join before the start", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.Resident),
		body: map[string]any{"code": mt.JoinCode}}, 409, false)
	call("join other tenant", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.ResidentB),
		body: map[string]any{"code": mt.JoinCode}}, 422, false)
	call("check in a member", oaReq{method: "POST", path: meeting + "/attendance", token: tok(fx.Facilitator),
		body: map[string]any{"user_id": fx.Party.ID}}, 201, false)
	call("check in a walk-in", oaReq{method: "POST", path: meeting + "/attendance", token: tok(fx.Facilitator),
		body: map[string]any{"name": "王奶奶"}}, 201, false)
	call("check in a walk-in again", oaReq{method: "POST", path: meeting + "/attendance", token: tok(fx.AdminA),
		body: map[string]any{"name": "王奶奶"}}, 200, false)
	call("check in nobody", oaReq{method: "POST", path: meeting + "/attendance", token: tok(fx.Facilitator), body: map[string]any{}}, 422, false)
	call("attendance with names", oaReq{method: "GET", path: meeting + "/attendance", token: tok(fx.Committee)}, 200, false)
	call("attendance figures", oaReq{method: "GET", path: meeting + "/attendance", token: tok(fx.Resident)}, 200, false)
	// The projector: the console sets and previews the wall; the wall reads it with its token alone.
	display := "/api/v1/display/" + mt.DisplayToken
	call("projector preview", oaReq{method: "GET", path: meeting + "/projector", token: tok(fx.Committee)}, 200, false)
	call("wall join screen", oaReq{method: "GET", path: display}, 200, false)
	for _, mode := range []map[string]any{{"mode": "topic"}, {"mode": "cards"}, {"mode": "message", "message": "请大家入座"}, {"mode": "blank"}} {
		call(fmt.Sprint("put on the wall ", mode["mode"]), oaReq{method: "PUT", path: meeting + "/projector", token: tok(fx.Facilitator),
			body: mode}, 200, false)
		call(fmt.Sprint("wall ", mode["mode"]), oaReq{method: "GET", path: display}, 200, false)
	}
	call("wall message missing", oaReq{method: "PUT", path: meeting + "/projector", token: tok(fx.Facilitator),
		body: map[string]any{"mode": "message"}}, 422, false)
	call("wall as resident", oaReq{method: "PUT", path: meeting + "/projector", token: tok(fx.Resident),
		body: map[string]any{"mode": "blank"}}, 403, false)
	call("wall unknown token", oaReq{method: "GET", path: "/api/v1/display/no-such-token"}, 404, false)
	call("wall stream unknown token", oaReq{method: "GET", path: "/api/v1/display/no-such-token/stream"}, 404, false)
	call("renew display token", oaReq{method: "POST", path: meeting + "/display-token", token: tok(fx.Facilitator)}, 200, false)
	call("end before start", oaReq{method: "POST", path: meeting + "/end", token: tok(fx.Facilitator),
		body: map[string]any{"minutes": map[string]any{"summary": "纪要"}}}, 409, false)
	call("start", oaReq{method: "POST", path: meeting + "/start", token: tok(fx.Facilitator)}, 200, false)
	call("start again", oaReq{method: "POST", path: meeting + "/start", token: tok(fx.Facilitator)}, 409, false)
	call("join", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.Resident), body: map[string]any{"code": mt.JoinCode}}, 201, false)
	call("join again", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.Resident),
		body: map[string]any{"code": mt.JoinCode, "method": "qr"}}, 200, false)
	call("join unverified", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.Unverified),
		body: map[string]any{"code": mt.JoinCode}}, 403, false)
	call("end", oaReq{method: "POST", path: meeting + "/end", token: tok(fx.Facilitator),
		body: map[string]any{"minutes": map[string]any{"summary": "同意在3号楼旁试点充电桩", "card_ids": []uint64{}}}}, 200, false)
	call("join an ended meeting", oaReq{method: "POST", path: "/api/v1/meetings/join", token: tok(fx.Party),
		body: map[string]any{"code": mt.JoinCode}}, 422, false)

	// The card wall of a meeting under way.
	clf := ta.buildClusterFixture("2027-10")
	wall := "/api/v1/meetings/" + id(clf.meeting.ID) + "/clusters"
	rec = call("create group", oaReq{method: "POST", path: wall, token: tok(fx.Facilitator), body: map[string]any{"label": "施工安排"}}, 201, false)
	grp := decode[models.Cluster](t, rec)
	call("create group blank", oaReq{method: "POST", path: wall, token: tok(fx.Facilitator), body: map[string]any{"label": " "}}, 422, true)
	call("create group as committee", oaReq{method: "POST", path: wall, token: tok(fx.Committee), body: map[string]any{"label": "x"}}, 403, false)
	placeCard := "/api/v1/cards/" + id(clf.cards[2].ID) + "/cluster"
	call("group a card", oaReq{method: "PUT", path: placeCard, token: tok(fx.Facilitator),
		body: map[string]any{"cluster_id": grp.ID, "position": 1}}, 200, false)
	call("group a card past the end", oaReq{method: "PUT", path: "/api/v1/cards/" + id(clf.cards[1].ID) + "/cluster",
		token: tok(fx.Facilitator), body: map[string]any{"cluster_id": grp.ID, "position": 5}}, 422, false)
	call("reorder group", oaReq{method: "PATCH", path: "/api/v1/clusters/" + id(grp.ID), token: tok(fx.AdminA),
		body: map[string]any{"label": "施工期间", "position": 1}}, 200, false)
	call("card wall", oaReq{method: "GET", path: wall, token: tok(fx.Resident)}, 200, false)
	projector := "/api/v1/meetings/" + id(clf.meeting.ID) + "/projector"
	call("put the card wall up", oaReq{method: "PUT", path: projector, token: tok(fx.Facilitator), body: map[string]any{"mode": "cards"}}, 200, false)
	call("wall grouped cards", oaReq{method: "GET", path: "/api/v1/display/" + clf.meeting.DisplayToken}, 200, false)
	call("preview a group", oaReq{method: "GET", path: projector + "?mode=cluster&cluster_id=" + id(grp.ID), token: tok(fx.Facilitator)}, 200, false)
	call("preview without a group", oaReq{method: "GET", path: projector + "?mode=cluster", token: tok(fx.Facilitator)}, 422, false)
	call("put a group up", oaReq{method: "PUT", path: projector, token: tok(fx.Facilitator),
		body: map[string]any{"mode": "cluster", "cluster_id": grp.ID}}, 200, false)
	call("wall one group", oaReq{method: "GET", path: "/api/v1/display/" + clf.meeting.DisplayToken}, 200, false)
	call("card wall other tenant", oaReq{method: "GET", path: wall, token: tok(fx.ResidentB)}, 404, false)
	call("ungroup a card", oaReq{method: "PUT", path: placeCard, token: tok(fx.Facilitator), body: map[string]any{"cluster_id": nil}}, 200, false)
	call("dissolve group", oaReq{method: "DELETE", path: "/api/v1/clusters/" + id(grp.ID), token: tok(fx.Facilitator)}, 204, false)
	call("rename a dissolved group", oaReq{method: "PATCH", path: "/api/v1/clusters/" + id(grp.ID), token: tok(fx.Facilitator),
		body: map[string]any{"label": "再次"}}, 409, false)

	// The speaker queue and timer.
	sf := ta.buildSpeakerFixture()
	speakers := "/api/v1/meetings/" + id(sf.queue.ID) + "/speakers"
	agendaItem := "/api/v1/meetings/" + id(sf.queue.ID) + "/agenda-item"
	speaker := func(sl models.SpeakerSlot, rest string) string { return "/api/v1/speakers/" + id(sl.ID) + rest }
	call("speakers", oaReq{method: "GET", path: speakers, token: tok(fx.Unverified)}, 200, false)
	rec = call("ask to speak", oaReq{method: "POST", path: speakers, token: tok(fx.Resident), body: map[string]any{"stance": "pro"}}, 201, false)
	pro := decode[models.SpeakerSlot](t, rec)
	call("ask to speak again", oaReq{method: "POST", path: speakers, token: tok(fx.Resident), body: map[string]any{"stance": "con"}}, 200, false)
	call("ask to speak unsigned", oaReq{method: "POST", path: "/api/v1/meetings/" + id(sf.agenda.ID) + "/speakers", token: tok(fx.Resident),
		body: map[string]any{"stance": "pro"}}, 409, false)
	call("ask to speak bad stance", oaReq{method: "POST", path: speakers, token: tok(fx.Party), body: map[string]any{"stance": "against"}}, 422, true)
	call("ask for someone as resident", oaReq{method: "POST", path: speakers, token: tok(fx.Party),
		body: map[string]any{"stance": "con", "name": "王奶奶"}}, 403, false)
	rec = call("ask for a walk-in", oaReq{method: "POST", path: speakers, token: tok(fx.Facilitator),
		body: map[string]any{"stance": "con", "name": "王奶奶"}}, 201, false)
	walkIn := decode[models.SpeakerSlot](t, rec)
	call("ask for a member", oaReq{method: "POST", path: speakers, token: tok(fx.Facilitator),
		body: map[string]any{"stance": "neutral", "user_id": fx.Party.ID}}, 201, false)
	call("speakers queued", oaReq{method: "GET", path: speakers, token: tok(fx.Resident)}, 200, false)
	call("start speaker", oaReq{method: "POST", path: speaker(pro, "/start"), token: tok(fx.Facilitator)}, 200, false)
	call("start another speaker", oaReq{method: "POST", path: speaker(walkIn, "/start"), token: tok(fx.Facilitator)}, 409, false)
	call("start speaker as resident", oaReq{method: "POST", path: speaker(walkIn, "/start"), token: tok(fx.Resident)}, 403, false)
	call("speakers speaking", oaReq{method: "GET", path: speakers, token: tok(fx.Resident)}, 200, false)
	call("put the speaker up", oaReq{method: "PUT", path: "/api/v1/meetings/" + id(sf.queue.ID) + "/projector", token: tok(fx.Facilitator),
		body: map[string]any{"mode": "speaker"}}, 200, false)
	call("speaker on the wall", oaReq{method: "GET", path: "/api/v1/meetings/" + id(sf.queue.ID) + "/projector", token: tok(fx.Committee)}, 200, false)
	call("put another meeting's group up", oaReq{method: "PUT", path: "/api/v1/meetings/" + id(sf.queue.ID) + "/projector",
		token: tok(fx.Facilitator), body: map[string]any{"mode": "cluster", "cluster_id": grp.ID}}, 422, false)
	call("change item while speaking", oaReq{method: "PUT", path: agendaItem, token: tok(fx.Facilitator), body: map[string]any{"position": 2}}, 409, false)
	call("finish own speech", oaReq{method: "POST", path: speaker(pro, "/finish"), token: tok(fx.Resident)}, 200, false)
	call("finish again", oaReq{method: "POST", path: speaker(pro, "/finish"), token: tok(fx.Facilitator)}, 409, false)
	call("withdraw someone else", oaReq{method: "DELETE", path: speaker(walkIn, ""), token: tok(fx.Resident)}, 403, false)
	call("withdraw walk-in", oaReq{method: "DELETE", path: speaker(walkIn, ""), token: tok(fx.Facilitator)}, 200, false)
	call("change item", oaReq{method: "PUT", path: agendaItem, token: tok(fx.Facilitator), body: map[string]any{"position": 2}}, 200, false)
	call("change to a missing item", oaReq{method: "PUT", path: agendaItem, token: tok(fx.Facilitator), body: map[string]any{"position": 7}}, 422, false)
	call("speakers other tenant", oaReq{method: "GET", path: speakers, token: tok(fx.ResidentB)}, 404, false)

	// Stakeholder seats.
	stf := ta.buildSeatFixture("2029-03")
	seats := "/api/v1/meetings/" + id(stf.meeting.ID) + "/seats"
	seat := func(st *models.Seat) string { return "/api/v1/seats/" + id(st.ID) }
	rec = call("invite a member", oaReq{method: "POST", path: seats, token: tok(fx.Facilitator),
		body: map[string]any{"kind": "resident_pro", "label": "高层住户代表", "invitee": map[string]any{"user_id": fx.Party.ID}}}, 201, false)
	proSeat := decode[models.Seat](t, rec)
	call("invite an organization's official", oaReq{method: "POST", path: seats, token: tok(fx.AdminA),
		body: map[string]any{"kind": "property", "label": "物业", "invitee": map[string]any{"organization_id": org.ID, "name": "王经理"}}}, 201, false)
	call("invite nobody yet", oaReq{method: "POST", path: seats, token: tok(fx.Facilitator),
		body: map[string]any{"kind": "department", "label": "区住建局"}}, 201, false)
	call("invite twice", oaReq{method: "POST", path: seats, token: tok(fx.Facilitator),
		body: map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": fx.Resident.ID}}}, 422, false)
	call("invite another tenant's member", oaReq{method: "POST", path: seats, token: tok(fx.Facilitator),
		body: map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": fx.ResidentB.ID}}}, 422, false)
	call("invite an unknown kind", oaReq{method: "POST", path: seats, token: tok(fx.Facilitator),
		body: map[string]any{"kind": "landlord", "label": "房东"}}, 422, true)
	call("invite as resident", oaReq{method: "POST", path: seats, token: tok(fx.Resident),
		body: map[string]any{"kind": "expert", "label": "专家"}}, 403, false)
	wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/meetings/" + id(stf.meeting.ID) + "/attendance", as: fx.Facilitator,
		body: map[string]any{"user_id": fx.Resident.ID}}), http.StatusCreated)
	call("seats with presence", oaReq{method: "GET", path: seats, token: tok(fx.Committee)}, 200, false)
	call("seats as resident", oaReq{method: "GET", path: seats, token: tok(fx.Resident)}, 200, false)
	call("seats other tenant", oaReq{method: "GET", path: seats, token: tok(fx.ResidentB)}, 404, false)
	call("change invitee", oaReq{method: "PATCH", path: seat(&proSeat), token: tok(fx.Facilitator),
		body: map[string]any{"invitee": map[string]any{"name": "张工"}, "kind": "expert", "label": "电梯专家", "position": 1}}, 200, false)
	call("open a seat", oaReq{method: "PATCH", path: seat(&proSeat), token: tok(fx.Facilitator), body: map[string]any{"invitee": map[string]any{}}}, 200, false)
	call("move past the end", oaReq{method: "PATCH", path: seat(&proSeat), token: tok(fx.Facilitator), body: map[string]any{"position": 9}}, 422, false)
	call("remove a seat", oaReq{method: "DELETE", path: seat(stf.spare), token: tok(fx.Facilitator)}, 204, false)
	call("change a removed seat", oaReq{method: "PATCH", path: seat(stf.spare), token: tok(fx.Facilitator),
		body: map[string]any{"label": "专家"}}, 409, false)
	call("remove a seat as committee", oaReq{method: "DELETE", path: seat(&proSeat), token: tok(fx.Committee)}, 403, false)

	// Throttling: the phone locks after the fifth failure.
	for i := 0; i < phoneLimitForTest; i++ {
		call("login failure", oaReq{method: "POST", path: "/api/v1/auth/login",
			body: map[string]any{"phone": fx.Facilitator.Phone, "password": fmt.Sprintf("wrong-pass-%d", i)}}, 401, false)
	}
	call("login locked", oaReq{method: "POST", path: "/api/v1/auth/login",
		body: map[string]any{"phone": fx.Facilitator.Phone, "password": fixturePassword}}, 429, false)

	// Closing the account.
	call("close wrong password", oaReq{method: "POST", path: "/api/v1/me/close", token: sess.AccessToken,
		body: map[string]any{"password": "not-the-password"}}, 422, false)
	call("close last admin", oaReq{method: "POST", path: "/api/v1/me/close", token: tok(fx.AdminA),
		body: map[string]any{"password": fixturePassword}}, 409, false)
	call("close", oaReq{method: "POST", path: "/api/v1/me/close", token: sess.AccessToken,
		body: map[string]any{"password": password}}, 204, false)
	call("me after close", oaReq{method: "GET", path: "/api/v1/me", token: sess.AccessToken}, 401, false)

	var missed []string
	for _, op := range s.operations() {
		if !covered[op.key()] {
			missed = append(missed, op.key())
		}
	}
	if len(missed) > 0 {
		t.Logf("operations without a successful example here:\n  %s", strings.Join(missed, "\n  "))
	}
}

// TestOpenAPIMatchesRequestStructs compares each request schema with the Go struct the handler
// binds: the same fields, and the validate tags' rules (required, lengths, bounds, enums, the
// phone pattern) written as the schema's. Add a struct here when you add a request body.
func TestOpenAPIMatchesRequestStructs(t *testing.T) {
	s := loadOpenAPI(t)
	schemas := oaMap(oaMap(s.root["components"])["schemas"])
	for name, v := range map[string]any{
		"RegisterRequest": registerRequest{}, "LoginRequest": loginRequest{}, "UpdateMeRequest": updateMeRequest{},
		"CloseAccountRequest": closeMeRequest{}, "CreateCommunityRequest": createCommunityRequest{},
		"UpdateCommunityRequest": updateCommunityRequest{}, "CreateCompoundRequest": createCompoundRequest{},
		"CreateBuildingRequest": createBuildingRequest{}, "CreateHouseholdRequest": createHouseholdRequest{},
		"AddMemberRequest": addMemberRequest{}, "UpdateMemberRequest": updateMemberRequest{},
		"CreateOrganizationRequest": createOrganizationRequest{}, "CreateCycleRequest": createCycleRequest{},
		"AdvanceCycleRequest": advanceCycleRequest{},
		"ProposeTopicRequest": proposeTopicRequest{}, "SelectTopicRequest": selectTopicRequest{},
		"UpdateTopicRequest": updateTopicRequest{}, "MergeTopicRequest": mergeTopicRequest{},
		"SubmitCardRequest": submitCardRequest{}, "UpdateCardRequest": updateCardRequest{},
		"ReportCardRequest":      reportCardRequest{},
		"ScheduleMeetingRequest": scheduleMeetingRequest{}, "EndMeetingRequest": endMeetingRequest{},
		"JoinMeetingRequest": joinMeetingRequest{}, "CheckInRequest": checkInRequest{},
		"AskToSpeakRequest": askToSpeakRequest{}, "SetAgendaItemRequest": agendaItemPositionRequest{},
		"SetProjectorRequest":  setProjectorRequest{},
		"CreateClusterRequest": createClusterRequest{}, "UpdateClusterRequest": updateClusterRequest{},
		"MoveCardRequest": moveCardRequest{},
		"SeatInvitee":     inviteeRequest{}, "InviteSeatRequest": inviteSeatRequest{}, "UpdateSeatRequest": updateSeatRequest{},
		"DraftResolutionRequest": draftResolutionRequest{}, "OwnersDecisionRequest": ownersDecisionRequest{},
		"OfficialResultRequest": officialResultRequest{}, "SignResolutionRequest": signResolutionRequest{},
		"SetOwnerRequest":   setOwnerRequest{},
		"CreatePollRequest": createPollRequest{}, "PollOptionRequest": pollOptionRequest{},
		"CastBallotRequest": castBallotRequest{}, "SetOfflineTallyRequest": setOfflineTallyRequest{},
		"ChangePasswordRequest": changePasswordRequest{}, "ResetPasswordRequest": resetPasswordRequest{},
		"ResetSMSRequest": resetSMSRequest{},
		// follow-through
		"PublicityRequest": publicityRequest{}, "ObjectionRequest": objectionRequest{}, "AnswerObjectionRequest": answerObjectionRequest{},
		"BudgetRequest": budgetRequest{}, "CreateItemRequest": createItemRequest{}, "UpdateItemRequest": updateItemRequest{},
		"PostUpdateRequest": postUpdateRequest{},
	} {
		sch := s.deref(schemas[name])
		if sch == nil {
			t.Errorf("components/schemas/%s is missing", name)
			continue
		}
		props := oaMap(sch["properties"])
		req, _ := sch["required"].([]any)
		lookup := func(field string) (map[string]any, bool, bool) {
			p, ok := props[field]
			return s.deref(p), slices.ContainsFunc(req, func(r any) bool { return r == field }), ok
		}
		for _, e := range s.compareStruct(reflect.TypeOf(v), "json", lookup) {
			t.Errorf("%s: %s", name, e)
		}
		for field := range props {
			if !oaHasField(reflect.TypeOf(v), "json", field) {
				t.Errorf("%s: property %s has no field in the Go struct (it would be rejected as unknown)", name, field)
			}
		}
	}
	// Query parameters bound through a struct.
	for key, v := range map[string]any{"GET /api/v1/communities/{cid}/members": listMembersQuery{}} {
		var op *oaOp
		for _, o := range s.operations() {
			if o.key() == key {
				op = &o
			}
		}
		if op == nil {
			t.Errorf("%s is not in the spec", key)
			continue
		}
		lookup := func(field string) (map[string]any, bool, bool) {
			for _, p := range op.params {
				if p["in"] == "query" && p["name"] == field {
					return s.deref(p["schema"]), p["required"] == true, true
				}
			}
			return nil, false, false
		}
		for _, e := range s.compareStruct(reflect.TypeOf(v), "query", lookup) {
			t.Errorf("%s: %s", key, e)
		}
	}
}

func oaHasField(rt reflect.Type, tag, name string) bool {
	for i := range rt.NumField() {
		if strings.Split(rt.Field(i).Tag.Get(tag), ",")[0] == name {
			return true
		}
	}
	return false
}

// compareStruct checks every field of a request struct against its schema, found by lookup.
func (s *openAPI) compareStruct(rt reflect.Type, tag string, lookup func(string) (map[string]any, bool, bool)) []string {
	var errs []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		name := strings.Split(f.Tag.Get(tag), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		sch, required, ok := lookup(name)
		if !ok {
			errs = append(errs, fmt.Sprintf("field %s is not in the spec", name))
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			if required {
				errs = append(errs, fmt.Sprintf("%s is optional in Go (a pointer) but required in the spec", name))
			}
			ft = ft.Elem()
		}
		rules := strings.Split(f.Tag.Get("validate"), ",")
		outer, inner := rules, []string(nil)
		if i := slices.Index(rules, "dive"); i >= 0 {
			outer, inner = rules[:i], rules[i+1:]
		}
		if slices.Contains(outer, "required") && !required {
			errs = append(errs, fmt.Sprintf("%s is required by its validate tag but not in the spec", name))
		}
		for _, e := range s.compareRules(ft, outer, sch) {
			errs = append(errs, name+": "+e)
		}
		if ft.Kind() == reflect.Slice {
			for _, e := range s.compareRules(ft.Elem(), inner, s.deref(sch["items"])) {
				errs = append(errs, name+"[]: "+e)
			}
		}
	}
	return errs
}

// compareRules checks the validate rules of one Go field (or slice element) against its schema.
func (s *openAPI) compareRules(ft reflect.Type, rules []string, sch map[string]any) []string {
	var errs []string
	kind := ft.Kind()
	want := map[string]any{} // schema keyword → value the rules imply
	numeric := kind >= reflect.Int && kind <= reflect.Float64
	switch {
	case kind == reflect.String:
		want["type"] = "string"
	case kind == reflect.Bool:
		want["type"] = "boolean"
	case kind == reflect.Float32 || kind == reflect.Float64:
		want["type"] = "number"
	case numeric:
		want["type"] = "integer"
	case kind == reflect.Slice:
		want["type"] = "array"
	}
	lengthKey := map[bool]string{true: "Length", false: "Items"}[kind == reflect.String]
	for _, r := range rules {
		rule, param, _ := strings.Cut(r, "=")
		switch rule {
		case "required": // below, after the bounds
		case "id":
			want["maximum"] = float64(uint64(1)<<idBits - 1)
		case "len":
			n, err := strconv.ParseFloat(param, 64)
			if err != nil {
				errs = append(errs, fmt.Sprintf("rule %s: %v", r, err))
				continue
			}
			want["min"+lengthKey], want["max"+lengthKey] = n, n
		case "notblank":
			want["minLength"], want["pattern"] = 1.0, `\S`
		case "min", "gte", "max", "lte", "gt":
			n, err := strconv.ParseFloat(param, 64)
			if err != nil {
				errs = append(errs, fmt.Sprintf("rule %s: %v", r, err))
				continue
			}
			lower := rule == "min" || rule == "gte" || rule == "gt"
			switch {
			case numeric && lower:
				want["minimum"] = n
			case numeric:
				want["maximum"] = n
			case lower:
				want["min"+lengthKey] = n
			default:
				want["max"+lengthKey] = n
			}
			if rule == "gt" {
				want["exclusiveMinimum"] = true
			}
		case "oneof":
			want["enum"] = strings.Fields(param)
		case "cnphone":
			want["pattern"] = cnPhone.String()
		case "", "omitempty", "omitnil":
		default:
			errs = append(errs, fmt.Sprintf("validate rule %q has no schema mapping in this test; add one", r))
		}
	}
	if slices.Contains(rules, "required") {
		// Required means "not the zero value"; a pattern or an enum already rules out "".
		_, hasMin := want["minimum"]
		_, hasLen := want["minLength"]
		switch {
		case kind >= reflect.Uint && kind <= reflect.Uint64 && !hasMin:
			want["minimum"] = 1.0
		case kind == reflect.String && !hasLen && !slices.ContainsFunc(rules, func(r string) bool {
			return r == "cnphone" || strings.HasPrefix(r, "oneof=")
		}):
			want["minLength"] = 1.0
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, got := want[k], sch[k]
		switch k {
		case "enum":
			var g []string
			l, _ := got.([]any)
			for _, e := range l {
				g = append(g, fmt.Sprint(e))
			}
			ws := w.([]string)
			if sch["type"] == "boolean" && slices.Equal(ws, []string{"true", "false"}) {
				continue // a boolean query parameter spells the same rule
			}
			if !slices.Equal(g, ws) {
				errs = append(errs, fmt.Sprintf("enum %v, the validate tag says %v", g, ws))
			}
		case "type":
			if got != w && !(w == "string" && got == "boolean" && slices.Contains(rules, "oneof=true false")) {
				errs = append(errs, fmt.Sprintf("type %v, the Go field is %v", got, w))
			}
		default:
			gf, isNum := oaFloat(got)
			wf, wantNum := oaFloat(w)
			if isNum && wantNum {
				if gf != wf {
					errs = append(errs, fmt.Sprintf("%s %v, the validate tag says %v", k, got, w))
				}
			} else if got != w {
				errs = append(errs, fmt.Sprintf("%s %v, the validate tag says %v", k, got, w))
			}
		}
	}
	// The reverse: a bound in the schema that no rule implies.
	for _, k := range []string{"minLength", "maxLength", "minItems", "maxItems", "maximum", "exclusiveMinimum", "enum"} {
		if _, ok := sch[k]; ok {
			if _, implied := want[k]; !implied && !(k == "enum" && sch["type"] == "boolean") {
				errs = append(errs, fmt.Sprintf("%s %v in the spec, but no validate rule says so", k, sch[k]))
			}
		}
	}
	return errs
}

func oaFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// ---- the spec as data ----

type openAPI struct{ root map[string]any }

func loadOpenAPI(tb testing.TB) *openAPI {
	tb.Helper()
	var raw any
	if err := yaml.Unmarshal(OpenAPISpec, &raw); err != nil {
		tb.Fatalf("parse handlers/openapi.yaml: %v", err)
	}
	root, ok := oaNorm(raw).(map[string]any)
	if !ok {
		tb.Fatal("handlers/openapi.yaml is not a mapping")
	}
	return &openAPI{root: root}
}

// oaNorm turns YAML mappings with non-string keys (an unquoted 200) into map[string]any.
func oaNorm(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = oaNorm(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = oaNorm(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = oaNorm(e)
		}
	}
	return v
}

func oaMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// oaWalk calls fn on every mapping of the tree, with its JSON pointer.
func oaWalk(v any, at string, fn func(at string, m map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(at, x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			oaWalk(x[k], at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fn)
		}
	case []any:
		for i, e := range x {
			oaWalk(e, at+"/"+strconv.Itoa(i), fn)
		}
	}
}

// resolve follows a local JSON pointer reference.
func (s *openAPI) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("only local references (#/...) are used here")
	}
	var cur any = s.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("no %q", tok)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("no index %q", tok)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("cannot step into %q", tok)
		}
	}
	return cur, nil
}

// deref follows $ref chains to a mapping; nil when there is none.
func (s *openAPI) deref(v any) map[string]any {
	for range 32 {
		m := oaMap(v)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		r, err := s.resolve(ref)
		if err != nil {
			return nil
		}
		v = r
	}
	return nil
}

type oaOp struct {
	method string // GET
	path   string // /api/v1/communities/{cid}
	op     map[string]any
	params []map[string]any // path-level and operation-level, resolved
}

func (o oaOp) key() string { return o.method + " " + o.path }

func (s *openAPI) operations() []oaOp {
	var out []oaOp
	for path, item := range oaMap(s.root["paths"]) {
		pi := s.deref(item)
		for _, m := range oaMethods {
			op, ok := pi[m].(map[string]any)
			if !ok {
				continue
			}
			o := oaOp{method: strings.ToUpper(m), path: path, op: op}
			seen := map[string]int{}
			for _, list := range []any{pi["parameters"], op["parameters"]} {
				l, _ := list.([]any)
				for _, p := range l {
					pm := s.deref(p)
					k := fmt.Sprint(pm["in"], ":", pm["name"])
					if i, dup := seen[k]; dup {
						o.params[i] = pm
						continue
					}
					seen[k] = len(o.params)
					o.params = append(o.params, pm)
				}
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// security returns the operation's security requirement alternatives (the document's when unset).
func (o oaOp) security(s *openAPI) []map[string]any {
	v, ok := o.op["security"]
	if !ok {
		v = s.root["security"]
	}
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, alt := range l {
		m := oaMap(alt)
		if m == nil {
			m = map[string]any{}
		}
		out = append(out, m)
	}
	return out
}

// requiresBearer says every security alternative includes the bearer token.
func (o oaOp) requiresBearer(s *openAPI) bool {
	alts := o.security(s)
	if len(alts) == 0 {
		return false
	}
	for _, alt := range alts {
		if _, ok := alt["bearerAuth"]; !ok {
			return false
		}
	}
	return true
}

func (o oaOp) roles() []string {
	l, _ := o.op["x-roles"].([]any)
	out := make([]string, 0, len(l))
	for _, r := range l {
		out = append(out, fmt.Sprint(r))
	}
	return out
}

// find matches a concrete request path to its operation; static segments win over parameters,
// as in Echo's router.
func (s *openAPI) find(method, path string) (oaOp, bool) {
	path, _, _ = strings.Cut(path, "?")
	best, bestParams := oaOp{}, -1
	for _, op := range s.operations() {
		if op.method != method {
			continue
		}
		segs, want := strings.Split(op.path, "/"), strings.Split(path, "/")
		if len(segs) != len(want) {
			continue
		}
		params, ok := 0, true
		for i, seg := range segs {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				params++
				ok = ok && want[i] != ""
			} else {
				ok = ok && seg == want[i]
			}
		}
		if ok && (bestParams < 0 || params < bestParams) {
			best, bestParams = op, params
		}
	}
	return best, bestParams >= 0
}

// ---- checking requests and answers ----

// checkRequestOf checks a request's body against the operation's request schema: a multipart
// form part by part, anything else as JSON.
func (s *openAPI) checkRequestOf(op oaOp, r oaReq) []string {
	if mt, _, _ := mime.ParseMediaType(r.contentType); mt == "multipart/form-data" {
		body, _ := r.body.(string)
		return s.checkForm(op, body, r.contentType)
	}
	return s.checkRequest(op, r.body)
}

// checkForm checks a multipart/form-data body: every required part is there, every part is
// documented, file parts are the binary properties, and text parts fit their schemas.
func (s *openAPI) checkForm(op oaOp, body, contentType string) []string {
	rb := s.deref(op.op["requestBody"])
	if rb == nil {
		return []string{"the operation takes no request body"}
	}
	media, ok := oaMap(rb["content"])["multipart/form-data"]
	if !ok {
		return []string{"the operation takes no multipart/form-data body"}
	}
	sch := s.deref(oaMap(media)["schema"])
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return []string{fmt.Sprintf("content-type %q: %v", contentType, err)}
	}
	props := oaMap(sch["properties"])
	seen := map[string]bool{}
	var errs []string
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(errs, fmt.Sprintf("multipart body: %v", err))
		}
		name := part.FormName()
		seen[name] = true
		data, err := io.ReadAll(part)
		if err != nil {
			return append(errs, fmt.Sprintf("part %q: %v", name, err))
		}
		ps := s.deref(props[name])
		switch {
		case ps == nil:
			errs = append(errs, fmt.Sprintf("part %q is not documented", name))
		case (part.FileName() != "") != (ps["format"] == "binary"):
			errs = append(errs, fmt.Sprintf("part %q: a file is sent where the schema has format %v, or the other way round", name, ps["format"]))
		case part.FileName() == "":
			var v any = string(data)
			if ps["type"] == "integer" || ps["type"] == "number" {
				v = json.Number(data)
			}
			s.checkValue(ps, v, "form."+name, &errs)
		}
	}
	req, _ := sch["required"].([]any)
	for _, r := range req {
		if !seen[fmt.Sprint(r)] {
			errs = append(errs, fmt.Sprintf("required part %v is missing", r))
		}
	}
	return errs
}

// checkRequest checks a JSON request body against the operation's request schema.
func (s *openAPI) checkRequest(op oaOp, body any) []string {
	rb := s.deref(op.op["requestBody"])
	if rb == nil {
		return []string{"the operation takes no request body"}
	}
	media := oaMap(oaMap(rb["content"])["application/json"])
	raw, err := json.Marshal(body)
	if err != nil {
		return []string{err.Error()}
	}
	v, err := oaDecode(raw)
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	s.checkValue(media["schema"], v, "body", &errs)
	return errs
}

// checkResponse checks that an answer's status is documented, its media type is one the status
// documents, the documented headers are there and the body fits the schema.
func (s *openAPI) checkResponse(op oaOp, rec *httptest.ResponseRecorder) []string {
	resps := oaMap(op.op["responses"])
	r, ok := resps[strconv.Itoa(rec.Code)]
	if !ok {
		r, ok = resps["default"]
	}
	if !ok {
		return []string{fmt.Sprintf("status %d is not documented; body=%s", rec.Code, rec.Body)}
	}
	resp := s.deref(r)
	var errs []string
	// Documented headers are always sent, unless the header says required: false; a value must
	// be one its schema's enum allows.
	for name, h := range oaMap(resp["headers"]) {
		hd := s.deref(h)
		vals := rec.Header().Values(name)
		if len(vals) == 0 {
			if hd["required"] != false {
				errs = append(errs, fmt.Sprintf("status %d: documented header %s is missing", rec.Code, name))
			}
			continue
		}
		if enum, ok := s.deref(hd["schema"])["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == vals[0] }) {
			errs = append(errs, fmt.Sprintf("status %d: header %s=%q is not one of %v", rec.Code, name, vals[0], enum))
		}
	}
	content := oaMap(resp["content"])
	if len(content) == 0 {
		if rec.Body.Len() > 0 {
			errs = append(errs, fmt.Sprintf("status %d documents no body, got %q", rec.Code, rec.Body))
		}
		return errs
	}
	ct := rec.Header().Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return append(errs, fmt.Sprintf("status %d: content-type %q: %v", rec.Code, ct, err))
	}
	media, ok := content[mt]
	if !ok {
		keys := make([]string, 0, len(content))
		for k := range content {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return append(errs, fmt.Sprintf("status %d: content-type %s is not documented (%s)", rec.Code, mt, strings.Join(keys, ", ")))
	}
	if strings.HasPrefix(mt, "image/") {
		// A picture must be what its content type says.
		if got := http.DetectContentType(rec.Body.Bytes()); got != mt {
			errs = append(errs, fmt.Sprintf("status %d: the body is %s, not %s", rec.Code, got, mt))
		}
		return errs
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return errs
	}
	v, err := oaDecode(rec.Body.Bytes())
	if err != nil {
		return append(errs, fmt.Sprintf("status %d: body is not JSON: %v", rec.Code, err))
	}
	var bodyErrs []string
	s.checkValue(oaMap(media)["schema"], v, "body", &bodyErrs)
	for _, e := range bodyErrs {
		errs = append(errs, fmt.Sprintf("status %d: %s", rec.Code, e))
	}
	return errs
}

func oaDecode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkValue validates a decoded JSON value against the subset of OpenAPI 3.0 schemas this spec
// uses. It is strict: an object property the schema does not declare is an error unless
// additionalProperties allows it, so the spec must name every field the server sends. Times must
// be RFC 3339 in UTC (docs/architecture.md "The HTTP API").
func (s *openAPI) checkValue(schema any, v any, at string, errs *[]string) {
	sch := s.deref(schema)
	if sch == nil {
		*errs = append(*errs, at+": no schema")
		return
	}
	fail := func(format string, args ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, args...)) }
	if v == nil {
		if sch["nullable"] != true {
			fail("null, but the schema is not nullable")
		}
		return
	}
	// allOf (used to make a referenced schema nullable): the value must fit every part.
	if all, ok := sch["allOf"].([]any); ok {
		for _, sub := range all {
			s.checkValue(sub, v, at, errs)
		}
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			fail("%v is not one of %v", v, enum)
		}
	}
	num := func(key string) (float64, bool) {
		switch n := sch[key].(type) {
		case int:
			return float64(n), true
		case float64:
			return n, true
		}
		return 0, false
	}
	switch sch["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("want an object, got %T", v)
			return
		}
		props := oaMap(sch["properties"])
		req, _ := sch["required"].([]any)
		for _, r := range req {
			if _, ok := m[fmt.Sprint(r)]; !ok {
				fail("required field %v is missing", r)
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				s.checkValue(p, m[k], at+"."+k, errs)
				continue
			}
			switch ap := sch["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("field %q is not allowed", k)
				}
			case map[string]any:
				s.checkValue(ap, m[k], at+"."+k, errs)
			default:
				fail("field %q is not documented", k)
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			fail("want an array, got %T", v)
			return
		}
		if n, ok := num("minItems"); ok && float64(len(l)) < n {
			fail("%d items, fewer than %v", len(l), n)
		}
		if n, ok := num("maxItems"); ok && float64(len(l)) > n {
			fail("%d items, more than %v", len(l), n)
		}
		for i, e := range l {
			s.checkValue(sch["items"], e, fmt.Sprintf("%s[%d]", at, i), errs)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("want a string, got %T", v)
			return
		}
		n := float64(utf8.RuneCountInString(str))
		if m, ok := num("minLength"); ok && n < m {
			fail("%q is shorter than %v", str, m)
		}
		if m, ok := num("maxLength"); ok && n > m {
			fail("%d characters, more than %v", int(n), m)
		}
		if p, ok := sch["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				fail("pattern %q: %v", p, err)
			} else if !re.MatchString(str) {
				fail("%q does not match %s", str, p)
			}
		}
		if sch["format"] == "date-time" {
			if ts, err := time.Parse(time.RFC3339Nano, str); err != nil {
				fail("%q is not RFC 3339: %v", str, err)
			} else if _, off := ts.Zone(); off != 0 || !strings.HasSuffix(str, "Z") {
				fail("%q is not in UTC", str)
			}
		}
	case "integer", "number":
		jn, ok := v.(json.Number)
		if !ok {
			fail("want a number, got %T", v)
			return
		}
		f, err := jn.Float64()
		if err != nil {
			fail("%v: %v", jn, err)
			return
		}
		if sch["type"] == "integer" && strings.ContainsAny(jn.String(), ".eE") {
			fail("%v is not an integer", jn)
		}
		if m, ok := num("minimum"); ok && (f < m || (f == m && sch["exclusiveMinimum"] == true)) {
			fail("%v is below the minimum %v", jn, m)
		}
		if m, ok := num("maximum"); ok && (f > m || (f == m && sch["exclusiveMaximum"] == true)) {
			fail("%v is above the maximum %v", jn, m)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want a boolean, got %T", v)
		}
	case nil:
	default:
		fail("unknown schema type %v", sch["type"])
	}
}

// ---- requests ----

type oaReq struct {
	method, path string
	body         any // a string is sent as is; anything else as JSON
	contentType  string
	token        string
	header       map[string]string
	cookies      []*http.Cookie
	remote       string // the peer's "ip:port"; 192.0.2.77:1234 when empty
}

// oaCaller makes the call of an examples test: it sends a request, wants a status, checks request
// and answer against the spec and marks in covered each operation that succeeded. raw marks a
// request that breaks the spec on purpose.
func oaCaller(t *testing.T, e *echo.Echo, s *openAPI, covered map[string]bool) func(name string, r oaReq, want int,
	raw bool) *httptest.ResponseRecorder {
	return func(name string, r oaReq, want int, raw bool) *httptest.ResponseRecorder {
		t.Helper()
		op, ok := s.find(r.method, r.path)
		if !ok {
			t.Fatalf("%s: %s %s is not in the spec", name, r.method, r.path)
		}
		if !raw && r.body != nil {
			for _, e := range s.checkRequestOf(op, r) {
				t.Errorf("%s: request: %s", name, e)
			}
		}
		rec := oaDo(t, e, r)
		if rec.Code != want {
			t.Errorf("%s: %s %s: status=%d, want %d; body=%s", name, r.method, r.path, rec.Code, want, rec.Body)
		}
		for _, e := range s.checkResponse(op, rec) {
			t.Errorf("%s: %s %s: %s", name, r.method, r.path, e)
		}
		if rec.Code < 300 {
			covered[op.key()] = true
		}
		return rec
	}
}

// oaDo sends one request through the app, with a deadline so that a stream cannot hang the test.
// An event stream is hung up on as soon as its first message (the connected event) has arrived,
// as a client that has seen it would: nothing more comes while the request is being served.
func oaDo(tb testing.TB, e *echo.Echo, r oaReq) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hr := httptest.NewRequest(r.method, r.path, body).WithContext(ctx)
	hr.RemoteAddr = "192.0.2.77:1234"
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	if body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		hr.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	if strings.HasSuffix(r.path, "/stream") {
		e.ServeHTTP(&hangUpRecorder{ResponseRecorder: rec, hangUp: cancel}, hr)
		return rec
	}
	e.ServeHTTP(rec, hr)
	return rec
}

// hangUpRecorder records an event stream and ends the request (hangUp cancels its context) once
// the first whole message, which ends with a blank line, has been written.
type hangUpRecorder struct {
	*httptest.ResponseRecorder
	hangUp func()
}

func (w *hangUpRecorder) Write(b []byte) (int, error) {
	n, err := w.ResponseRecorder.Write(b)
	if bytes.Contains(w.Body.Bytes(), []byte("\n\n")) {
		w.hangUp()
	}
	return n, err
}

func (w *hangUpRecorder) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

var oaEchoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// oaSpecPath writes an Echo path in OpenAPI's form: /communities/:cid → /communities/{cid}.
func oaSpecPath(p string) string { return oaEchoParam.ReplaceAllString(p, "{$1}") }

// oaFixtureIDs names the fixture object for a path parameter by the segment before it. The member
// is the verified resident: verifying them again changes nothing, and the unverified resident
// must stay unverified for the routes that need verification.
func oaFixtureIDs(fx fixture) map[string]uint64 {
	return map[string]uint64{"communities": fx.A.ID, "compounds": fx.CompoundA.ID, "members": fx.Resident.ID}
}

// oaCycles is the access matrix's cycle fixture and what the role check needs besides: a cycle
// in planning whose topic is already selected, to move forward three times, and a cycle selecting
// its topic.
type oaCycles struct {
	cycleFixture
	advance, selecting *models.Cycle
	selectTopic        *models.Topic
}

func (ta *testApp) oaCycleFixture() oaCycles {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cf := oaCycles{cycleFixture: ta.buildCycleFixture()}
	cf.advance = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2026-09", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cf.advance.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), cf.advance.ID, models.TopicInput{Title: "垃圾分类"}))
	must(s.AdvanceCycle(ctx, sa, cf.advance.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cf.advance.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cf.advance.ID, models.PhaseTopicCollection, "补充议题"))
	must(s.AdvanceCycle(ctx, sa, cf.advance.ID, models.PhasePlanning, "重新确定小区"))
	cf.selecting = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2026-08", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cf.selecting.ID, models.PhaseTopicCollection, ""))
	cf.selectTopic = must(s.ProposeTopic(ctx, f.Resident.Actor(), cf.selecting.ID, models.TopicInput{Title: "楼道照明"}))
	must(s.AdvanceCycle(ctx, sa, cf.selecting.ID, models.PhaseTopicSelection, ""))
	return cf
}

// oaForm is an upload form for a community with one file part.
func oaForm(communityID uint64, filename string, data []byte) rawBody {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("community_id", strconv.FormatUint(communityID, 10))
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return rawBody{b.String(), mw.FormDataContentType()}
}

// oaConcretePath fills a path template from the fixture; false when a parameter has no fixture.
func oaConcretePath(tmpl string, ids map[string]uint64) (string, bool) {
	segs := strings.Split(tmpl, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		if i == 0 {
			return "", false
		}
		id, ok := ids[segs[i-1]]
		if !ok {
			return "", false
		}
		segs[i] = strconv.FormatUint(id, 10)
	}
	return strings.Join(segs, "/"), true
}

func oaQuietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
