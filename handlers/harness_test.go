package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

const testSecret = "test-secret-test-secret-test-secret!"

// testApp is the whole Echo app on a fresh database, with a fixture of two communities.
type testApp struct {
	t     testing.TB
	e     *echo.Echo
	store *models.Store
	tok   *tokens
	fx    fixture

	mu       sync.Mutex
	sessions map[uint64]string // a live session of each user the test has signed a token for
}

// fixture names the people and places every API test can use. Community A is 西桥社区-like with
// one member of every role; community B is another tenant.
type fixture struct {
	Super                                                                   *models.User
	A, B                                                                    *models.Community
	CompoundA, CompoundB                                                    *models.Compound
	BuildingA, BuildingB                                                    *models.Building
	HouseholdA, HouseholdB                                                  *models.Household
	AdminA, Facilitator, GridWorker, Committee, Party, Resident, Unverified *models.User
	AdminB, ResidentB                                                       *models.User
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return openTestApp(t, Config{})
}

// openTestApp is newTestApp for any test, benchmark or fuzz target, with extra settings (the
// store, secret, logger and readiness check are always the test's own).
func openTestApp(tb testing.TB, cfg Config) *testApp {
	tb.Helper()
	store := testenv.Open(tb)
	ta := &testApp{t: tb, store: store, tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}}
	cfg.Store, cfg.JWTSecret = store, []byte(testSecret)
	cfg.Logger = discardLogger()
	cfg.Ready = func(context.Context) error { return nil }
	if cfg.Broker == nil {
		cfg.Broker = wiredBroker(tb, store, stream.Options{})
	}
	ta.e = New(cfg)
	ta.fx = buildFixture(tb, store)
	return ta
}

// wiredBroker is a broker on the store woken by its commits, as server/ wires it (server/broker.go),
// closed when the test ends (closing twice is fine).
func wiredBroker(tb testing.TB, store *models.Store, o stream.Options) *stream.Broker {
	b := stream.New(store, discardLogger(), o)
	prev := store.AfterCommit
	store.AfterCommit = func(evs []models.Event) {
		if prev != nil {
			prev(evs)
		}
		b.Notify()
	}
	tb.Cleanup(b.Close)
	return b
}

// must panics on a fixture error; the test fails with the message.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fixture: %v", err))
	}
	return v
}

const fixturePassword = "fixture-pass-1"

// fixtureHash is fixturePassword hashed once per test binary at the production cost: argon2id
// costs tens of milliseconds, and every test builds a fixture of a dozen accounts.
var fixtureHash = sync.OnceValue(func() string {
	h, err := models.HashPassword(fixturePassword)
	if err != nil {
		panic(err)
	}
	return h
})

// storeFixtureHash is fixturePassword hashed once per test binary at the store's cost (testenv
// gives tests the cheap one, benchmarks the production one), for the fixture's accounts: tests
// log them in thousands of times.
func storeFixtureHash(s *models.Store) string {
	if s.PasswordCost == nil || *s.PasswordCost == models.ProductionPasswordCost {
		return fixtureHash()
	}
	if h, ok := fixtureHashes.Load(*s.PasswordCost); ok {
		return h.(string)
	}
	h, err := s.PasswordCost.Hash(fixturePassword)
	if err != nil {
		panic(err)
	}
	h0, _ := fixtureHashes.LoadOrStore(*s.PasswordCost, h)
	return h0.(string)
}

var fixtureHashes sync.Map

func buildFixture(t testing.TB, s *models.Store) fixture {
	ctx := context.Background()
	var f fixture
	// Accounts are stored with the shared hash; memberships go through AddMember's path for a
	// person who already has an account.
	account := func(phone, name string, super bool) *models.User {
		u := &models.User{Phone: phone, Name: name, PasswordHash: storeFixtureHash(s), Locale: "zh-CN", IsSuperadmin: super}
		if err := s.Gorm().Create(u).Error; err != nil {
			panic(fmt.Sprintf("fixture: %v", err))
		}
		return u
	}
	f.Super = account("13800000000", "超管", true)
	sa := f.Super.Actor()
	f.A = must(s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"}))
	f.B = must(s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "天门墩社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"}))
	f.CompoundA = must(s.CreateCompound(ctx, sa, f.A.ID, models.CompoundInput{Name: "安友花园"}))
	f.CompoundB = must(s.CreateCompound(ctx, sa, f.B.ID, models.CompoundInput{Name: "天门小区"}))
	f.BuildingA = must(s.CreateBuilding(ctx, sa, f.CompoundA.ID, "1单元"))
	f.BuildingB = must(s.CreateBuilding(ctx, sa, f.CompoundB.ID, "1栋"))
	f.HouseholdA = must(s.CreateHousehold(ctx, sa, f.CompoundA.ID, models.HouseholdInput{BuildingID: f.BuildingA.ID, Room: "101", Area: 88.5}))
	f.HouseholdB = must(s.CreateHousehold(ctx, sa, f.CompoundB.ID, models.HouseholdInput{BuildingID: f.BuildingB.ID, Room: "101", Area: 70}))
	add := func(cid uint64, phone, name string, roles ...string) *models.User {
		u := account(phone, name, false)
		must(s.AddMember(ctx, sa, cid, models.AddMemberInput{Phone: phone, Roles: roles}))
		return u
	}
	f.AdminA = add(f.A.ID, "13800000001", "管理员甲", models.RoleAdmin)
	f.Facilitator = add(f.A.ID, "13800000002", "主持人", models.RoleFacilitator)
	f.GridWorker = add(f.A.ID, "13800000003", "网格员", models.RoleGridWorker)
	f.Committee = add(f.A.ID, "13800000004", "监督委员", models.RoleCommittee)
	f.Party = add(f.A.ID, "13800000005", "党员", models.RolePartyMember, models.RoleResident)
	f.Resident = add(f.A.ID, "13800000006", "居民", models.RoleResident)
	f.Unverified = must(s.Register(ctx, models.RegisterInput{Phone: "13800000007", Name: "新居民", Password: fixturePassword,
		CommunityID: f.A.ID, HouseholdID: &f.HouseholdA.ID, PrivacyConsent: true}))
	f.AdminB = add(f.B.ID, "13800000011", "管理员乙", models.RoleAdmin)
	f.ResidentB = add(f.B.ID, "13800000012", "居民乙", models.RoleResident)
	return f
}

// token signs an access token for a user, as login would, in a session of that user started for
// the test (one per user, stored like a login's).
func (ta *testApp) token(u *models.User) string {
	if u == nil {
		return ""
	}
	s, err := ta.tok.issue(u.ID, ta.session(u.ID))
	if err != nil {
		ta.t.Fatal(err)
	}
	return s
}

// session returns the user's test session, storing it on first use.
func (ta *testApp) session(userID uint64) string {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if sid, ok := ta.sessions[userID]; ok {
		return sid
	}
	sid := testSessionID(ta.t, ta.store, userID)
	if ta.sessions == nil {
		ta.sessions = map[uint64]string{}
	}
	ta.sessions[userID] = sid
	return sid
}

// testSessionID stores a new live session of the user and returns its id.
func testSessionID(tb testing.TB, s *models.Store, userID uint64) string {
	sid := fmt.Sprintf("test-session-%d-%d", userID, time.Now().UnixNano())
	storeTestSession(tb, s, userID, sid)
	return sid
}

// storeTestSession stores a live session of the user under the given id.
func storeTestSession(tb testing.TB, s *models.Store, userID uint64, sid string) {
	err := s.Gorm().Table("sessions").Create(map[string]any{"id": sid, "user_id": userID, "created_at": time.Now().UTC()}).Error
	if err != nil {
		tb.Fatal(err)
	}
}

// req is one request through the whole Echo app.
type req struct {
	method, path string
	body         any // string (sent as is) or a value encoded as JSON
	as           *models.User
	header       map[string]string
	cookies      []*http.Cookie
	remote       string // the peer's "ip:port"; 192.0.2.10:1234 when empty
}

func (ta *testApp) do(r req) *httptest.ResponseRecorder {
	ta.t.Helper()
	return ta.doWith(ta.e, r)
}

// httpRec is a recorded answer.
type httpRec = httptest.ResponseRecorder

// discardLogger keeps expected 500s and panics out of the test output.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// doWith sends the request through another app built on the same store (other settings).
func (ta *testApp) doWith(e *echo.Echo, r req) *httptest.ResponseRecorder {
	ta.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.RemoteAddr = "192.0.2.10:1234"
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.as != nil {
		hr.Header.Set("Authorization", "Bearer "+ta.token(r.as))
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		hr.AddCookie(c)
	}
	if strings.HasSuffix(r.path, "/stream") {
		// An event stream never ends by itself: give it a moment, then hang up like a client.
		ctx, cancel := context.WithTimeout(hr.Context(), 300*time.Millisecond)
		defer cancel()
		hr = hr.WithContext(ctx)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, hr)
	return rec
}

// decode reads a JSON response into v.
func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

// wantStatus fails the test unless the response has the status.
func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status=%d, want %d; body=%s", rec.Code, want, rec.Body.String())
	}
}

// wantProblem checks a problem+json answer's status and code.
func wantProblem(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) Problem {
	t.Helper()
	wantStatus(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content-type=%q, want problem+json", ct)
	}
	p := decode[Problem](t, rec)
	if p.Code != code {
		t.Fatalf("code=%q, want %q; body=%s", p.Code, code, rec.Body.String())
	}
	return p
}

// cookieOf returns the response's cookie of that name, or nil.
func cookieOf(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login logs a user in through the API and returns the session and the refresh cookie.
func (ta *testApp) login(t testing.TB, phone, password string) (session, *http.Cookie) {
	t.Helper()
	rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": password}})
	wantStatus(t, rec, http.StatusOK)
	ck := cookieOf(rec, refreshCookie)
	if ck == nil || ck.Value == "" {
		t.Fatalf("login set no refresh cookie; headers=%v", rec.Header())
	}
	return decode[session](t, rec), ck
}

// bearer is the Authorization header for a raw access token.
func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// events reads a community's log straight from the database, in sequence order.
func (ta *testApp) events(cid uint64) []models.Event {
	ta.t.Helper()
	var evs []models.Event
	if err := ta.store.Gorm().Where("community_id = ?", cid).Order("seq").Find(&evs).Error; err != nil {
		ta.t.Fatalf("read events: %v", err)
	}
	return evs
}

// wantField checks that a 422 problem names the field with the message.
func wantField(t testing.TB, p Problem, field, msg string) {
	t.Helper()
	if got, ok := p.Errors[field]; !ok || got != msg {
		t.Fatalf("errors[%q]=%q (present=%v), want %q; errors=%v", field, got, ok, msg, p.Errors)
	}
}
