package handlers

// The ballot floors, side by side on SQLite and (with YYT_TEST_MYSQL_DSN) MySQL/MariaDB in one
// run: 10,000 voters in one poll, each sending their ballot one to three times at once (20,000
// requests), 64 requests in flight, through the whole Echo app with real access tokens; then the
// bare floor of the same database: single-row insert transactions through the same handle, 64 at
// once, measured right before and right after each storm, the higher of the two taken (the bare
// rate of a shared machine moves by half between runs minutes apart, so the floor is read at the
// storm's own moment, and strictly). Each poll secrecy (named, secret) gets its own poll per
// round. Printed per database, poll and round, each figure next to its floor with PASS or MISS,
// and the machine's load average; with -benchtime Nx, N rounds and the median ratio of them:
//
//	5xx answers                     0
//	ballots counted                 exactly 10,000 (receipts, and the recount of the closed poll)
//	all acknowledged within         10 s
//	p95 acknowledgement latency     300 ms
//	ballots/s ÷ bare inserts/s      0.5
//
//	go test -run XXX -bench BallotFloors -benchtime 3x ./handlers/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run XXX -bench BallotFloors -benchtime 3x ./handlers/

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"gorm.io/gorm"
)

const (
	floorVoters   = 10000
	floorInFlight = 64
	floorTotal    = 10 * time.Second
	floorP95      = 300 * time.Millisecond
	floorRatio    = 0.5
)

// floorEnv is a round table under way with floorVoters verified members, each with a token.
type floorEnv struct {
	*pollBenchEnv
	voters []string
}

// newFloorEnv builds the round table of the poll benchmark and adds the voters in bulk (rows
// written straight, as a register import would: the benchmark is about ballots, not sign-ups).
func newFloorEnv(b *testing.B, dialect string) *floorEnv {
	b.Helper()
	env := &floorEnv{pollBenchEnv: newPollBenchEnv(b, dialect)}
	db := env.store.Gorm()
	var cid uint64
	if err := db.Table("meetings").Where("id = ?", env.meetingID).Pluck("community_id", &cid).Error; err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	users := make([]models.User, floorVoters)
	for i := range users {
		users[i] = models.User{Phone: fmt.Sprintf("136%08d", i), Name: fmt.Sprintf("选民%d", i), PasswordHash: fixtureHash(), Locale: "zh-CN"}
	}
	if err := db.CreateInBatches(users, 500).Error; err != nil {
		b.Fatal(err)
	}
	ms := make([]models.Membership, floorVoters)
	for i, u := range users {
		ms[i] = models.Membership{UserID: u.ID, CommunityID: cid, VerifiedAt: &now}
	}
	if err := db.CreateInBatches(ms, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO member_roles (membership_id, role) SELECT m.id, ? FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.community_id = ? AND u.phone LIKE ?`, models.RoleResident, cid, "136%").Error; err != nil {
		b.Fatal(err)
	}
	tok := &tokens{secret: []byte(testSecret), ttl: time.Hour, now: time.Now}
	sessions := make([]map[string]any, len(users))
	for i, u := range users {
		sessions[i] = map[string]any{"id": fmt.Sprintf("floor-session-%d", u.ID), "user_id": u.ID, "created_at": now}
	}
	if err := db.Table("sessions").CreateInBatches(sessions, 500).Error; err != nil {
		b.Fatal(err)
	}
	for _, u := range users {
		env.voters = append(env.voters, must(tok.issue(u.ID, fmt.Sprintf("floor-session-%d", u.ID))))
	}
	return env
}

// floorRun is what one poll's storm measured.
type floorRun struct {
	total     time.Duration
	latencies []time.Duration
	statuses  map[int]int
	firstBad  string
	counted   int64
	recountOK bool
}

// storm sends every voter's ballot 1 + i%3 times, the copies of one voter next to each other
// in the queue so they run at once, floorInFlight requests in flight.
func (env *floorEnv) storm(b *testing.B, secrecy string) floorRun {
	b.Helper()
	ctx := context.Background()
	p := must(env.store.CreateMeetingPoll(ctx, env.facilitator, env.meetingID, models.PollInput{Title: "楼道改造表决" + secrecy,
		Method: "approval", Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: secrecy,
		ResultsVisibility: models.ResultsAfterClose}))
	must(env.store.OpenPoll(ctx, env.facilitator, p.ID))
	path := "/api/v1/polls/" + strconv.FormatUint(p.ID, 10) + "/ballots"
	choices := []string{`{"choice":"yes"}`, `{"choice":"no"}`, `{"choice":"abstain"}`}
	type job struct{ voter int }
	jobs := make(chan job, 3*floorVoters)
	for v := range floorVoters {
		for range 1 + v%3 {
			jobs <- job{v}
		}
	}
	close(jobs)
	var mu sync.Mutex
	run := floorRun{statuses: map[int]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	for w := range floorInFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := "192.0.2." + strconv.Itoa(w+1) + ":1234"
			var lat []time.Duration
			seen := map[int]int{}
			bad := ""
			for j := range jobs {
				t0 := time.Now()
				rec := benchPost(env.e, path, choices[j.voter%3], env.voters[j.voter], addr)
				lat = append(lat, time.Since(t0))
				seen[rec.Code]++
				if rec.Code >= 500 && bad == "" {
					bad = rec.Body.String()
				}
			}
			mu.Lock()
			run.latencies = append(run.latencies, lat...)
			for c, n := range seen {
				run.statuses[c] += n
			}
			if run.firstBad == "" {
				run.firstBad = bad
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	run.total = time.Since(start)
	slices.Sort(run.latencies)
	must(env.store.ClosePoll(ctx, env.facilitator, p.ID))
	r := must(env.store.PollResults(ctx, env.facilitator, p.ID, true))
	run.counted = r.Voters
	run.recountOK = r.Recount != nil && r.Recount.Matches && r.Recount.Receipts == floorVoters
	return run
}

// bareRate is single-row insert transactions per second through the store's write handle, 64
// goroutines at once, for n rows.
func bareRate(b *testing.B, db *gorm.DB, n int) float64 {
	b.Helper()
	table := fmt.Sprintf("bench_rows_%d", time.Now().UnixNano())
	if err := db.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY AUTO_INCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
		if err := db.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY AUTOINCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
			b.Fatal(err)
		}
	}
	var fail firstErr
	var wg sync.WaitGroup
	start := time.Now()
	for v := range floorInFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := v; i < n; i += floorInFlight {
				if err := db.Transaction(func(tx *gorm.DB) error {
					return tx.Exec("INSERT INTO "+table+" (body) VALUES (?)", fmt.Sprintf("ballot %d", i)).Error
				}); err != nil {
					fail.set(err.Error())
					return
				}
			}
		}()
	}
	wg.Wait()
	rate := float64(n) / time.Since(start).Seconds()
	fail.check(b)
	return rate
}

func passMiss(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// BenchmarkBallotFloors prints the figures of the package comment; run it with -benchtime 1x
// (each round is a full 10,000-voter storm per poll and database).
func BenchmarkBallotFloors(b *testing.B) {
	for _, dialect := range benchDBs {
		if dialect == models.DialectMySQL && testenv.MySQLDSN() == "" {
			b.Run(dialect, func(b *testing.B) { b.Skip("YYT_TEST_MYSQL_DSN is not set") })
			continue
		}
		env := newFloorEnv(b, dialect)
		for _, secrecy := range []string{models.SecrecyNamed, models.SecrecySecret} {
			b.Run(dialect+"/"+secrecy, func(b *testing.B) {
				var ratios []float64
				for round := range b.N {
					load := benchkit.LoadAvg()
					bareBefore := bareRate(b, env.store.Gorm(), 10000)
					lost, fallbacks := env.store.LostLockRaces(), env.store.HeldFallbacks()
					run := env.storm(b, secrecy)
					lost, fallbacks = env.store.LostLockRaces()-lost, env.store.HeldFallbacks()-fallbacks
					bareAfter := bareRate(b, env.store.Gorm(), 10000)
					bare := max(bareBefore, bareAfter)
					load += " / " + benchkit.LoadAvg()
					fives := 0
					for c, n := range run.statuses {
						if c >= 500 {
							fives += n
						}
					}
					rate := float64(floorVoters) / run.total.Seconds()
					p95 := benchkit.Percentile(run.latencies, 95)
					ratio := rate / bare
					ratios = append(ratios, ratio)
					w := os.Stdout
					fmt.Fprintf(w, "\n%s, %s poll, round %d of %d: %d voters, %d requests, %d in flight; load average %s\n", dialect, secrecy,
						round+1, b.N, floorVoters, len(run.latencies), floorInFlight, load)
					fmt.Fprintf(w, "  5xx answers          %8d      floor 0         %s  (statuses %v)\n", fives, passMiss(fives == 0), run.statuses)
					fmt.Fprintf(w, "  ballots counted      %8d      floor %d     %s  (recount matches: %v)\n", run.counted, floorVoters,
						passMiss(run.counted == floorVoters && run.recountOK), run.recountOK)
					fmt.Fprintf(w, "  all acknowledged in  %8.2f s    floor < %.0f s    %s\n", run.total.Seconds(), floorTotal.Seconds(), passMiss(run.total < floorTotal))
					fmt.Fprintf(w, "  p95 acknowledgement  %8.1f ms   floor < %d ms   %s  (p50 %.1f ms, p99 %.1f ms)\n", ms(p95), floorP95.Milliseconds(),
						passMiss(p95 < floorP95), ms(benchkit.Percentile(run.latencies, 50)), ms(benchkit.Percentile(run.latencies, 99)))
					fmt.Fprintf(w, "  ballots/s            %8.0f\n", rate)
					fmt.Fprintf(w, "  bare inserts/s       %8.0f      (single-row insert transactions, %d at once, same handle; before %.0f, after %.0f)\n",
						bare, floorInFlight, bareBefore, bareAfter)
					fmt.Fprintf(w, "  ratio                %8.2f      floor ≥ %.1f     %s\n", ratio, floorRatio, passMiss(ratio >= floorRatio))
					fmt.Fprintf(w, "  lost lock races      %8d      (transaction runs rolled back and run again)\n", lost)
					fmt.Fprintf(w, "  batches one by one   %8d      (batches of ballots run again one savepoint a ballot)\n", fallbacks)
					if run.firstBad != "" {
						fmt.Fprintf(w, "  first 5xx: %s\n", run.firstBad)
					}
					b.ReportMetric(rate, "ballots/s")
					b.ReportMetric(ms(p95), "p95-ms")
					b.ReportMetric(ratio, "ratio")
					b.ReportMetric(float64(fives), "5xx")
				}
				if len(ratios) > 1 {
					slices.Sort(ratios)
					med := ratios[len(ratios)/2]
					if len(ratios)%2 == 0 {
						med = (ratios[len(ratios)/2-1] + med) / 2
					}
					fmt.Printf("\n%s, %s poll: median ratio of %d rounds %.2f (%.2f–%.2f)   floor ≥ %.1f     %s\n", dialect, secrecy,
						len(ratios), med, ratios[0], ratios[len(ratios)-1], floorRatio, passMiss(med >= floorRatio))
				}
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
