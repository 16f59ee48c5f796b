package handlers

// The dashboard on a long history: 20 communities of one street, each with 5 years × 12 monthly
// cycles, every cycle with topics and endorsements, cards, a meeting with sign-ins, two polls
// with receipts, a resolution with seven action items, updates, claims, survey answers and a
// hundred events (docs/desk.md "Tests and the benchmark"); the closed cycles are tallied as the
// server does at its start. It prints the seeded row counts and the p50/p95 of a committee
// member's dashboard over the five years and over one year, the records of the overdue items,
// and the street's dashboard; the goal is p95 < 200 ms.
//
//	go test -run '^$' -bench DeskDashboard -benchtime 100x ./handlers/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run '^$' -bench DeskDashboard -benchtime 100x ./handlers/

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"github.com/yueyuetan/yueyuetan/internal/deskseed"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

const (
	deskBenchCommunities = 20
	deskBenchYears       = 5
	deskBenchMembers     = 40
	deskBenchHouseholds  = 30
	deskBenchEvents      = 100 // per cycle
)

type deskBenchEnv struct {
	e         *echo.Echo
	committee string // token of community 1's committee member
	super     string
	community uint64
	street    uint64
	rows      int64
}

func newDeskBenchEnv(b *testing.B, dialect string) *deskBenchEnv {
	b.Helper()
	s := benchStore(b, dialect)
	db := s.Gorm()
	super := &models.User{Phone: "13800000000", Name: "超管", PasswordHash: fixtureHash(), Locale: "zh-CN", IsSuperadmin: true}
	if err := db.Create(super).Error; err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	bd, err := deskseed.New(db)
	if err != nil {
		b.Fatal(err)
	}
	env := &deskBenchEnv{}
	var committee uint64
	statuses := []string{models.ItemDone, models.ItemDone, models.ItemDone, models.ItemInProgress, models.ItemTodo, models.ItemCancelled}
	levels := []string{models.SurveySatisfied, models.SurveySatisfied, models.SurveyBasicallySatisfied, models.SurveyDissatisfied, models.SurveyVeryDissatisfied}
	for c := 1; c <= deskBenchCommunities; c++ {
		cid := bd.Community(fmt.Sprintf("社区%02d", c), "唐家墩街道")
		if c == 1 {
			env.community = cid
		}
		var members []uint64
		for m := 0; m < deskBenchMembers; m++ {
			u := bd.User(fmt.Sprintf("13%02d%07d", c, m), fmt.Sprintf("居民%d", m))
			ms := bd.Member(cid, u)
			if m == 0 {
				bd.Role(ms, models.RoleFacilitator)
			}
			if m == 1 {
				bd.Role(ms, models.RoleCommittee)
				if c == 1 {
					committee = u
				}
			}
			members = append(members, u)
		}
		fac := members[0]
		var compounds []uint64
		for k := 0; k < 4; k++ {
			compounds = append(compounds, bd.Compound(cid, fmt.Sprintf("小区%d", k+1)))
		}
		households := bd.Households(compounds[0], deskBenchHouseholds)
		i := 0
		for y := 2021; y < 2021+deskBenchYears; y++ {
			for mo := 1; mo <= 12; mo++ {
				i++
				month := fmt.Sprintf("%d-%02d", y, mo)
				phase := models.PhaseClosed
				if i%17 == 0 {
					phase = models.PhaseCancelled
				}
				cy := bd.Cycle(cid, compounds[i%len(compounds)], month, phase, fac)
				for k := 0; k < 6; k++ {
					st := models.TopicOpen
					if k == 0 {
						st = models.TopicSelected
					}
					bd.Topic(cid, cy, fmt.Sprintf("议题%d", k), st, members[k], members[:min(len(members), 2+k*2+i%5)])
				}
				if phase == models.PhaseCancelled {
					continue
				}
				bd.Cards(cid, cy, models.OriginOnline, 15, members[2])
				bd.Cards(cid, cy, models.OriginPaper, 6, fac)
				bd.Cards(cid, cy, models.OriginTable, 4, fac)
				m := bd.Meeting(cid, cy, fac, members[:20])
				bd.Poll(cid, cy, m, fac, members[:12])
				p := bd.Poll(cid, cy, m, fac, members[:15])
				rst := models.ResolutionAccepted
				if y == 2021+deskBenchYears-1 && mo > 8 {
					rst = models.ResolutionImplementing
				}
				r := bd.Resolution(cid, cy, m, p, "决议", rst, fac)
				t0 := time.Date(y, time.Month(mo), 20, 2, 0, 0, 0, time.UTC)
				due := t0.AddDate(0, 1, 0).Format(time.DateOnly)
				parent := bd.Item(cid, r, nil, "总事项", due, models.ItemDone, &t0, fac)
				for k := 0; k < 6; k++ {
					st := statuses[(i+k)%len(statuses)]
					var done *time.Time
					if st == models.ItemDone {
						d := t0.AddDate(0, 0, 10+(i*7+k*11)%40)
						done = &d
					}
					var par *uint64
					if k < 2 {
						par = &parent
					}
					it := bd.Item(cid, r, par, fmt.Sprintf("事项%d", k), due, st, done, fac)
					if st != models.ItemTodo && st != models.ItemCancelled {
						bd.Update(cid, it, members[3+k], t0.AddDate(0, 0, 3+k*5), int64(100*(k+1)))
					}
					if k == 3 {
						bd.Claim(cid, it, members[3+k], models.ClaimConfirmed)
						bd.Claim(cid, it, members[4+k], models.ClaimDeclined)
					}
				}
				for h := 0; h < 20; h++ {
					bd.Answer(r, households[h], levels[(h+i)%len(levels)])
				}
				for k := 0; k < deskBenchEvents; k++ {
					bd.Event(cid, "card.created", "cycle", cy)
				}
			}
		}
		if err := bd.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	// The server tallies closed cycles without a tally as it starts (models/dashboard_tally.go);
	// the seeder wrote them straight into the tables.
	t0 := time.Now()
	tallied, err := s.TallyClosedCycles(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "desk bench %s: tallied %d closed cycles in %s\n", dialect, tallied, time.Since(t0).Round(time.Millisecond))
	for _, t := range []string{"cycles", "topics", "endorsements", "cards", "attendances", "poll_receipts", "resolutions",
		"action_items", "item_updates", "item_claims", "survey_answers", "events"} {
		var n int64
		db.Table(t).Count(&n)
		env.rows += n
		fmt.Fprintf(os.Stderr, "  %-15s %8d rows\n", t, n)
	}
	fmt.Fprintf(os.Stderr, "desk bench %s: seeded %d rows in %s\n", dialect, env.rows, time.Since(start).Round(time.Millisecond))
	tok := &tokens{secret: []byte(testSecret), ttl: time.Hour, now: time.Now}
	env.committee = must(tok.issue(committee, testSessionID(b, s, committee)))
	env.super = must(tok.issue(super.ID, testSessionID(b, s, super.ID)))
	env.e = New(Config{Store: s, JWTSecret: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }})
	rec := deskBenchDo(env.e, http.MethodPost, "/api/v1/streets", env.super, `{"name":"唐家墩街道","district":"江汉区","city":"武汉市"}`)
	if rec.Code != http.StatusCreated {
		b.Fatalf("street: %d %s", rec.Code, rec.Body)
	}
	var id uint64
	fmt.Sscanf(rec.Body.String(), `{"id":%d`, &id)
	env.street = id
	return env
}

func deskBenchDo(e *echo.Echo, method, path, token, body string) *httptest.ResponseRecorder {
	var rq *http.Request
	if body != "" {
		rq = httptest.NewRequest(method, path, strings.NewReader(body))
		rq.Header.Set("Content-Type", "application/json")
	} else {
		rq = httptest.NewRequest(method, path, nil)
	}
	rq.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, rq)
	return rec
}

func BenchmarkDeskDashboard(b *testing.B) {
	for _, dialect := range benchDBs {
		if dialect == models.DialectMySQL && testenv.MySQLDSN() == "" {
			b.Run(dialect, func(b *testing.B) { b.Skip("YYT_TEST_MYSQL_DSN is not set") })
			continue
		}
		env := newDeskBenchEnv(b, dialect)
		cases := []struct {
			name, path, token string
		}{
			{"community-5y", fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2021-01&to=2025-12", env.community), env.committee},
			{"community-1y", fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2025-01&to=2025-12", env.community), env.committee},
			{"records-overdue-5y", fmt.Sprintf("/api/v1/communities/%d/dashboard/records?from=2021-01&to=2025-12&kind=items&status=overdue", env.community), env.committee},
			{"street-1y", fmt.Sprintf("/api/v1/streets/%d/dashboard?from=2025-01&to=2025-12", env.street), env.super},
			{"street-5y", fmt.Sprintf("/api/v1/streets/%d/dashboard?from=2021-01&to=2025-12", env.street), env.super},
		}
		for _, c := range cases {
			b.Run(dialect+"/"+c.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					rec := deskBenchDo(env.e, http.MethodGet, c.path, c.token, "")
					lat = append(lat, time.Since(t0))
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body)
					}
				}
				b.StopTimer()
				slices.Sort(lat)
				p50, p95 := benchkit.Percentile(lat, 50), benchkit.Percentile(lat, 95)
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				b.ReportMetric(ms(p95), "p95-ms")
				b.ReportMetric(ms(p50), "p50-ms")
				verdict := "PASS"
				if p95 >= 200*time.Millisecond {
					verdict = "MISS"
				}
				fmt.Fprintf(os.Stderr, "desk %s %-20s n=%4d  p50 %7.1f ms  p95 %7.1f ms  (goal p95 < 200 ms: %s; %d seeded rows, load %s)\n",
					dialect, c.name, b.N, ms(p50), ms(p95), verdict, env.rows, benchkit.LoadAvg())
			})
		}
	}
}
