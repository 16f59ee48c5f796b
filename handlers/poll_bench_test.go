package handlers

// Ballots per second through the HTTP API — token check, binding, the voter's eligibility, the
// receipt, the ballot, the running totals and the chained event in one transaction — with 200
// voters casting at once, next to the bare floor of the same database in the same run:
// single-row insert transactions through the same driver and handle, one at a time and 200 at
// once. Every ballot appends to its community's hash chain, whose head row each transaction
// holds from its append to its commit: that, not the ballot's own rows, bounds ballots/s.
//
//	go test -run XXX -bench 'PollBallots' -benchtime 4000x ./handlers/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run XXX -bench 'PollBallots' -benchtime 4000x ./handlers/

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"gorm.io/gorm"
)

// benchVoters is how many voters cast at once.
const benchVoters = 200

// pollBenchEnv is a round table under way with a facilitator and 200 verified residents.
type pollBenchEnv struct {
	store       *models.Store
	e           *echo.Echo
	facilitator models.Actor
	meetingID   uint64
	voterTokens []string
}

func newPollBenchEnv(b *testing.B, dialect string) *pollBenchEnv {
	b.Helper()
	s := benchStore(b, dialect)
	ctx := context.Background()
	super := must(s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: fixturePassword, Role: "superadmin"}))
	sa := super.Actor()
	c := must(s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"}))
	cp := must(s.CreateCompound(ctx, sa, c.ID, models.CompoundInput{Name: "安友花园"}))
	tok := &tokens{secret: []byte(testSecret), ttl: time.Hour, now: time.Now}
	env := &pollBenchEnv{store: s}
	add := func(i int, role string) *models.User {
		phone := fmt.Sprintf("137%08d", i)
		u := &models.User{Phone: phone, Name: fmt.Sprintf("居民%d", i), PasswordHash: fixtureHash(), Locale: "zh-CN"}
		if err := s.Gorm().Create(u).Error; err != nil {
			b.Fatal(err)
		}
		must(s.AddMember(ctx, sa, c.ID, models.AddMemberInput{Phone: phone, Roles: []string{role}}))
		return u
	}
	env.facilitator = add(0, models.RoleFacilitator).Actor()
	for i := 1; i <= benchVoters; i++ {
		id := add(i, models.RoleResident).ID
		env.voterTokens = append(env.voterTokens, must(tok.issue(id, testSessionID(b, s, id))))
	}
	cy := must(s.CreateCycle(ctx, sa, c.ID, models.CycleInput{Month: "2026-12", CompoundID: cp.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
	tp := must(s.ProposeTopic(ctx, sa, cy.ID, models.TopicInput{Title: "加装电梯"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cy.ID, tp.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
	m := must(s.ScheduleMeeting(ctx, sa, cy.ID, models.MeetingInput{Title: "圆桌会", StartsAt: time.Now(), Location: "活动室"}))
	must(s.StartMeeting(ctx, sa, m.ID))
	env.meetingID = m.ID
	env.e = New(Config{Store: s, JWTSecret: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }})
	return env
}

// openPolls opens n secret approval polls (every voter casts one ballot in each).
func (env *pollBenchEnv) openPolls(b *testing.B, n int) []uint64 {
	b.Helper()
	ctx := context.Background()
	ids := make([]uint64, n)
	for i := range ids {
		p := must(env.store.CreateMeetingPoll(ctx, env.facilitator, env.meetingID, models.PollInput{Title: fmt.Sprintf("表决%d", i),
			Method: "approval", Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecySecret,
			ResultsVisibility: models.ResultsAfterClose}))
		must(env.store.OpenPoll(ctx, env.facilitator, p.ID))
		ids[i] = p.ID
	}
	return ids
}

// BenchmarkPollBallots: b.N ballots by 200 voters at once, each voter casting in poll after poll;
// next to it the bare insert floor with the same 200-way concurrency.
func BenchmarkPollBallots(b *testing.B) {
	for _, db := range benchDBs {
		if db == models.DialectMySQL && testenv.MySQLDSN() == "" {
			b.Run(db, func(b *testing.B) { b.Skip("YYT_TEST_MYSQL_DSN is not set") })
			continue
		}
		env := newPollBenchEnv(b, db)
		b.Run(db+"/bare-insert-1", func(b *testing.B) { benchBareInserts(b, env.store.Gorm(), 1) })
		b.Run(db+"/bare-insert-200", func(b *testing.B) { benchBareInserts(b, env.store.Gorm(), benchVoters) })
		b.Run(db+"/http-ballots", func(b *testing.B) {
			polls := env.openPolls(b, (b.N+benchVoters-1)/benchVoters)
			choices := []string{`{"choice":"yes"}`, `{"choice":"no"}`, `{"choice":"abstain"}`}
			var fail firstErr
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for v := range benchVoters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j, id := range polls {
						if j*benchVoters+v >= b.N {
							return
						}
						rec := benchPost(env.e, "/api/v1/polls/"+strconv.FormatUint(id, 10)+"/ballots",
							choices[(v+j)%3], env.voterTokens[v], "192.0.2.10:1234")
						if rec.Code != http.StatusCreated {
							fail.set("ballot: status " + strconv.Itoa(rec.Code) + ": " + rec.Body.String())
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			perSecond(b, start, "ballots")
			fail.check(b)
			// Every ballot counted once: the receipts of every poll equal the voters its tallies
			// counted (a secret poll's recount, which shows after the close).
			for _, id := range polls[:min(len(polls), 3)] {
				must(env.store.ClosePoll(context.Background(), env.facilitator, id))
				r := must(env.store.PollResults(context.Background(), env.facilitator, id, true))
				if !r.Recount.Matches {
					b.Fatalf("poll %d: recount %+v", id, r.Recount)
				}
			}
		})
	}
}

// benchBareInserts is the floor: b.N single-row insert transactions by that many goroutines at
// once through the store's write handle (on SQLite its one connection, BEGIN IMMEDIATE). One
// goroutine waits for each commit to be durable before the next; 200 let MySQL/MariaDB commit
// them in groups.
func benchBareInserts(b *testing.B, db *gorm.DB, workers int) {
	table := fmt.Sprintf("bench_rows_%d", time.Now().UnixNano())
	if err := db.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY AUTO_INCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
		if err := db.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY AUTOINCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
			b.Fatal(err)
		}
	}
	var fail firstErr
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for v := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := v; i < b.N; i += workers {
				err := db.Transaction(func(tx *gorm.DB) error {
					return tx.Exec("INSERT INTO "+table+" (body) VALUES (?)", fmt.Sprintf("ballot %d", i)).Error
				})
				if err != nil {
					fail.set(err.Error())
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	perSecond(b, start, "rows")
	fail.check(b)
}
