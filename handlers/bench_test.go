package handlers

// Benchmarks for the figures the deployment notes quote: logins per second with the argon2id
// parameters in models/password.go, and authenticated GET /api/v1/me next to a bare Echo handler.
// Each goes through the whole Echo app (ServeHTTP, every middleware), without a network.
//
//	go test -run XXX -bench . ./handlers/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run XXX -bench . ./handlers/
//
// The sqlite sub-benchmarks always run; the mysql ones run when YYT_TEST_MYSQL_DSN is set and
// are skipped otherwise. Nothing here asserts on time: the figures are reported, not judged.
// For the same figures against the real server binary over loopback, see cmd/yytbench.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// benchParallelism multiplies GOMAXPROCS for the request benchmarks that wait on the database,
// so a pool has several requests in flight as it would with many clients (2 cores × 4 = 8).
const benchParallelism = 4

// benchEnv is the Echo app on a migrated database with one verified resident in a household.
type benchEnv struct {
	e        *echo.Echo
	store    *models.Store
	tok      *tokens
	resident *models.User
}

// benchDBs are the databases a benchmark runs on, in order.
var benchDBs = []string{models.DialectSQLite, models.DialectMySQL}

// eachDB runs one sub-benchmark per database. The set-up runs once, on the parent b, so its
// clean-ups outlive the rounds the sub-benchmark is called for (each round runs its own). The
// mysql sub-benchmark is skipped when YYT_TEST_MYSQL_DSN is not set.
func eachDB(b *testing.B, run func(b *testing.B, env *benchEnv)) {
	for _, db := range benchDBs {
		if db == models.DialectMySQL && testenv.MySQLDSN() == "" {
			b.Run(db, func(b *testing.B) { b.Skip("YYT_TEST_MYSQL_DSN is not set") })
			continue
		}
		env := newBenchEnv(b, db)
		b.Run(db, func(b *testing.B) { run(b, env) })
	}
}

// benchStore opens a fresh, migrated store on the dialect. It ignores which database testenv
// would pick, so the sqlite figure is there in a MySQL run too.
func benchStore(b *testing.B, dialect string) *models.Store {
	b.Helper()
	if dialect == models.DialectMySQL {
		return testenv.Open(b) // a new database, dropped afterwards
	}
	dir := b.TempDir()
	s, err := models.Open(models.OpenOptions{DSN: "sqlite:", DataDir: dir})
	if err != nil {
		b.Fatalf("open sqlite: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	if err := migrations.Up(s.Gorm()); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	return s
}

func newBenchEnv(b *testing.B, dialect string) *benchEnv {
	b.Helper()
	s := benchStore(b, dialect)
	ctx := context.Background()
	super := must(s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: fixturePassword, Role: "superadmin"}))
	sa := super.Actor()
	c := must(s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"}))
	cp := must(s.CreateCompound(ctx, sa, c.ID, models.CompoundInput{Name: "安友花园"}))
	bl := must(s.CreateBuilding(ctx, sa, cp.ID, "1单元"))
	h := must(s.CreateHousehold(ctx, sa, cp.ID, models.HouseholdInput{BuildingID: bl.ID, Room: "101", Area: 88.5}))
	v := must(s.AddMember(ctx, sa, c.ID, models.AddMemberInput{Phone: "13800000006", Name: "居民", Password: fixturePassword,
		Roles: []string{models.RoleResident}, HouseholdID: &h.ID}))
	env := &benchEnv{store: s, resident: must(s.UserByID(ctx, v.UserID)),
		tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}}
	env.e = New(Config{Store: s, JWTSecret: []byte(testSecret),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready:  func(context.Context) error { return nil }})
	return env
}

// firstErr keeps the first failure seen by a RunParallel worker; b.Fatal may not be called there.
type firstErr struct{ v atomic.Pointer[string] }

func (f *firstErr) set(msg string) { f.v.CompareAndSwap(nil, &msg) }

func (f *firstErr) check(b *testing.B) {
	b.Helper()
	if p := f.v.Load(); p != nil {
		b.Fatal(*p)
	}
}

// perSecond reports b.N over the benchmark's own timer as name/s.
func perSecond(b *testing.B, start time.Time, name string) {
	if d := time.Since(start).Seconds(); d > 0 {
		b.ReportMetric(float64(b.N)/d, name+"/s")
	}
}

// BenchmarkLogin is POST /api/v1/auth/login with a right password: one argon2id check
// (m=19 MiB, t=2, p=1), the throttle read and a new refresh session written. It runs one worker
// per core, the most argon2 can use.
func BenchmarkLogin(b *testing.B) {
	eachDB(b, func(b *testing.B, env *benchEnv) {
		body := `{"phone":"13800000006","password":"` + fixturePassword + `"}`
		var fail firstErr
		var client atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			addr := "192.0.2." + strconv.Itoa(int(client.Add(1))%250+1) + ":1234"
			for pb.Next() {
				rec := benchPost(env.e, "/api/v1/auth/login", body, "", addr)
				if rec.Code != http.StatusOK {
					fail.set("login: status " + strconv.Itoa(rec.Code) + ": " + rec.Body.String())
					return
				}
			}
		})
		b.StopTimer()
		perSecond(b, start, "logins")
		fail.check(b)
	})
}

// BenchmarkMe is an authenticated GET /api/v1/me: token check, the user loaded, memberships
// joined, JSON written.
func BenchmarkMe(b *testing.B) {
	eachDB(b, func(b *testing.B, env *benchEnv) {
		tok, err := env.tok.issue(env.resident.ID, testSessionID(b, env.store, env.resident.ID))
		if err != nil {
			b.Fatal(err)
		}
		benchGet(b, env.e, "/api/v1/me", "Bearer "+tok)
	})
}

// BenchmarkHealthz is GET /healthz through the real app: every middleware, no database.
func BenchmarkHealthz(b *testing.B) {
	e := New(Config{Store: benchStore(b, models.DialectSQLite), JWTSecret: []byte(testSecret),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	benchGet(b, e, "/healthz", "")
}

// BenchmarkBareEcho is a bare Echo with one handler answering a small JSON: the floor any
// request through Echo on this machine can reach.
func BenchmarkBareEcho(b *testing.B) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/ping", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	benchGet(b, e, "/ping", "")
}

// benchPost sends one JSON POST from addr through h, with token as a bearer when not empty.
func benchPost(h http.Handler, path, body, token, addr string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	r.RemoteAddr = addr
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func benchGet(b *testing.B, h http.Handler, path, authorization string) {
	b.Helper()
	var fail firstErr
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.RemoteAddr = "192.0.2.10:1234"
			if authorization != "" {
				r.Header.Set("Authorization", authorization)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				fail.set(path + ": status " + strconv.Itoa(rec.Code) + ": " + rec.Body.String())
				return
			}
		}
	})
	b.StopTimer()
	perSecond(b, start, "req")
	fail.check(b)
}
