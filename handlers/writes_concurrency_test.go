package handlers

// Concurrent writes through the real app answer no 5xx on either database and leave exactly the
// rows they acknowledged: on MySQL/MariaDB a write either takes its locks in one order or, chosen
// as a deadlock victim, is run again by the store (models/db.go); it never surfaces as a 500.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// storm sends n requests, at most inFlight at a time, and returns each answer by index.
func storm(n, inFlight int, send func(i int) *httpRec) []*httpRec {
	out := make([]*httpRec, n)
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = send(i)
		}()
	}
	wg.Wait()
	return out
}

// no5xxCounts counts the answers by status and fails the test on any 5xx, naming the first.
func no5xxCounts(t *testing.T, recs []*httpRec) map[int]int {
	t.Helper()
	counts := map[int]int{}
	var first *httpRec
	for _, r := range recs {
		counts[r.Code]++
		if r.Code >= 500 && first == nil {
			first = r
		}
	}
	if first != nil {
		t.Fatalf("statuses %v; first 5xx: %s", counts, first.Body.String())
	}
	return counts
}

// wantCounts fails unless the statuses are exactly want.
func wantCounts(t *testing.T, recs []*httpRec, want map[int]int) {
	t.Helper()
	got := no5xxCounts(t, recs)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// count is a raw row count straight from the database.
func (ta *testApp) count(t *testing.T, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := ta.store.Gorm().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantChain fails unless the community's event chain verifies and holds n events of the type
// more than before.
func (ta *testApp) wantChain(t *testing.T, cid uint64, typ models.EventType, before, n int64) {
	t.Helper()
	res, err := ta.store.VerifyChain(t.Context(), cid)
	if err != nil || !res.OK {
		t.Fatalf("chain of community %d: %+v, %v", cid, res, err)
	}
	if got := ta.count(t, "events", "community_id = ? AND type = ?", cid, typ); got-before != n {
		t.Fatalf("%d %s events appended, want %d", got-before, typ, n)
	}
}

// TestWrites_Registration: 100 residents registering at once all get their account, their one
// resident role and their session; nobody gets a 5xx.
func TestWrites_Registration(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	cid := ta.fx.A.ID
	before := ta.count(t, "events", "community_id = ? AND type = ?", cid, models.EvMemberRegistered)
	recs := storm(100, 100, func(i int) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/auth/register", remote: fmt.Sprintf("198.51.100.%d:4000", i+1),
			body: map[string]any{"phone": fmt.Sprintf("1390000%04d", i), "name": fmt.Sprintf("新居民%d", i),
				"password": "register-pass-1", "community_id": cid, "household_id": ta.fx.HouseholdA.ID, "privacy_consent": true}})
	})
	wantCounts(t, recs, map[int]int{http.StatusCreated: 100})
	if n := ta.count(t, "users", "phone LIKE ?", "1390000%"); n != 100 {
		t.Fatalf("%d users, want 100", n)
	}
	if n := ta.count(t, "member_roles", "role = ? AND membership_id IN (SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.phone LIKE ?)",
		models.RoleResident, "1390000%"); n != 100 {
		t.Fatalf("%d resident roles, want 100", n)
	}
	if n := ta.count(t, "refresh_tokens", "user_id IN (SELECT id FROM users WHERE phone LIKE ?)", "1390000%"); n != 100 {
		t.Fatalf("%d sessions, want 100", n)
	}
	ta.wantChain(t, cid, models.EvMemberRegistered, before, 100)
}

// TestWrites_Members: the superadmin's concurrent additions of different people all land; the same
// person added eight times at once becomes one member; concurrent role changes of different
// people and of one person end with each person holding exactly one of the sets asked for.
func TestWrites_Members(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cid := f.A.ID
	add := func(phone string, roles ...string) *httpRec {
		return ta.do(req{method: "POST", path: membersPath(cid), as: f.Super, body: map[string]any{
			"phone": phone, "name": "新成员", "password": "initial-pass-1", "roles": roles, "household_id": f.HouseholdA.ID}})
	}
	t.Run("Different", func(t *testing.T) {
		before := ta.count(t, "events", "community_id = ? AND type = ?", cid, models.EvMemberAdded)
		recs := storm(40, 8, func(i int) *httpRec {
			return add(fmt.Sprintf("1391000%04d", i), models.RoleResident, models.RolePartyMember)
		})
		wantCounts(t, recs, map[int]int{http.StatusCreated: 40})
		if n := ta.count(t, "member_roles", "membership_id IN (SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.phone LIKE ?)",
			"1391000%"); n != 80 {
			t.Fatalf("%d roles, want 80", n)
		}
		ta.wantChain(t, cid, models.EvMemberAdded, before, 40)
	})
	t.Run("Same", func(t *testing.T) {
		before := ta.count(t, "events", "community_id = ? AND type = ?", cid, models.EvMemberAdded)
		recs := storm(8, 8, func(int) *httpRec { return add("13920000000", models.RoleResident) })
		counts := no5xxCounts(t, recs)
		if counts[http.StatusCreated] != 1 || counts[http.StatusUnprocessableEntity] != 7 {
			t.Fatalf("statuses %v, want one 201 and seven 422", counts)
		}
		if n := ta.count(t, "memberships", "user_id IN (SELECT id FROM users WHERE phone = ?)", "13920000000"); n != 1 {
			t.Fatalf("%d memberships, want 1", n)
		}
		ta.wantChain(t, cid, models.EvMemberAdded, before, 1)
	})
	t.Run("Roles", func(t *testing.T) {
		var users []uint64
		if err := ta.store.Gorm().Table("users").Where("phone LIKE ?", "1391000%").Order("id").Pluck("id", &users).Error; err != nil || len(users) != 40 {
			t.Fatalf("%d people added before, want 40 (%v)", len(users), err)
		}
		sets := [][]string{{models.RoleResident}, {models.RoleGridWorker, models.RoleResident}, {models.RoleFacilitator, models.RolePartyMember},
			{models.RoleCommittee}}
		// Each of the 40 people gets four changes at once, 16 requests in flight: different
		// people side by side and the same person against themself.
		recs := storm(160, 16, func(i int) *httpRec {
			return ta.do(req{method: "PATCH", path: memberPath(cid, users[i%40]), as: f.AdminA,
				body: map[string]any{"roles": sets[(i/40+i)%4]}})
		})
		wantCounts(t, recs, map[int]int{http.StatusOK: 160})
		for _, uid := range users {
			var roles []string
			if err := ta.store.Gorm().Table("member_roles").Joins("JOIN memberships m ON m.id = member_roles.membership_id").
				Where("m.user_id = ? AND m.community_id = ?", uid, cid).Order("role").Pluck("role", &roles).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(sets, func(s []string) bool { return slices.Equal(s, roles) }) {
				t.Fatalf("user %d holds %v, not one of the sets asked for", uid, roles)
			}
		}
		res, err := ta.store.VerifyChain(t.Context(), cid)
		if err != nil || !res.OK {
			t.Fatalf("chain: %+v, %v", res, err)
		}
	})
}

// TestWrites_Ballots: 400 voters each sending their dot ballot three times at once, 64 requests
// in flight, in a named and in a secret poll: no 5xx, one receipt a voter, totals equal a
// recount, one ballot_cast event a voter.
func TestWrites_Ballots(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-05")
	const n = 400
	voters := ta.addVoters(t, 0, n, nil)
	for _, secrecy := range []string{"named", "secret"} {
		t.Run(secrecy, func(t *testing.T) {
			p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "并发表决" + secrecy, "method": "dot", "dots_per_voter": 3,
				"max_dots_per_option": 2, "secrecy": secrecy, "results_visibility": "after_close",
				"options": []map[string]any{{"label": "甲"}, {"label": "乙"}, {"label": "丙"}}})
			before := ta.count(t, "events", "community_id = ? AND type = ?", ta.fx.A.ID, models.EvPollBallotCast)
			recs := storm(3*n, 64, func(i int) *httpRec {
				v := i / 3
				return ta.vote(p, voters[v], map[string]any{"dots": map[string]int{p.opt(v % 3): 2, p.opt((v + 1) % 3): 1}})
			})
			counts := no5xxCounts(t, recs)
			dup := http.StatusOK
			if secrecy == "secret" {
				dup = http.StatusConflict
			}
			if counts[http.StatusCreated] != n || counts[dup] != 2*n {
				t.Fatalf("statuses %v, want %d × 201 and %d × %d", counts, n, 2*n, dup)
			}
			if c := ta.count(t, "poll_receipts", "poll_id = ?", p.ID); c != n {
				t.Fatalf("%d receipts, want %d", c, n)
			}
			ta.wantChain(t, ta.fx.A.ID, models.EvPollBallotCast, before, n)
			ta.closePoll(t, p)
			r := ta.results(t, p, ta.fx.Committee, "?recount=1")
			if got := r.totals(); r.Voters != n || !r.Recount.Matches || len(got) != 3 || got[0]+got[1]+got[2] != 3*n {
				t.Fatalf("voters=%d totals=%v recount=%+v, want %d voters' 3 dots each counted once", r.Voters, got, r.Recount, n)
			}
		})
	}
}

// TestWrites_BusyAnswer: a write whose every run loses its lock race (here: another connection
// holds the community's event-chain head, and the server's connections do not wait for locks)
// is answered 503 with Retry-After and a localized problem, and changes nothing.
func TestWrites_BusyAnswer(t *testing.T) {
	base := testenv.MySQLDSN()
	if base == "" {
		t.Skip("needs MySQL/MariaDB (YYT_TEST_MYSQL_DSN)")
	}
	t.Parallel()
	dsn, dir := testenv.DSN(t)
	// The schema and the fixture are written through a store that waits for locks as usual; the
	// app runs on a second store of the same database whose connections never wait.
	setup, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setup.Close() })
	if err := migrations.Up(setup.Gorm()); err != nil {
		t.Fatal(err)
	}
	fx := buildFixture(t, setup)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	store, err := models.Open(models.OpenOptions{DSN: dsn + sep + "innodb_lock_wait_timeout=0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ta := &testApp{t: t, store: store, tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}, fx: fx}
	ta.e = New(Config{Store: store, JWTSecret: []byte(testSecret), Logger: discardLogger(),
		Ready: func(context.Context) error { return nil }})
	cid := ta.fx.A.ID
	sqlDB, err := store.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := sqlDB.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("SELECT seq FROM event_heads WHERE community_id = ? FOR UPDATE", cid); err != nil {
		t.Fatal(err)
	}
	members := ta.count(t, "memberships", "community_id = ?", cid)
	for _, c := range []struct{ lang, detail string }{
		{"", "现在操作的人比较多，您这次的操作没有保存。请稍等一两秒再试一次。"},
		{"en", "Many people are doing this right now and your change was not saved. Please wait a second or two and try again."},
	} {
		rec := ta.do(req{method: "POST", path: membersPath(cid), as: ta.fx.Super, header: map[string]string{"Accept-Language": c.lang},
			body: map[string]any{"phone": "13930000000", "name": "忙时新人", "password": "initial-pass-1", "roles": []string{"resident"}}})
		p := wantProblem(t, rec, http.StatusServiceUnavailable, "busy_try_again")
		if p.Detail != c.detail || rec.Header().Get("Retry-After") != "1" {
			t.Fatalf("detail=%q Retry-After=%q, want %q and 1", p.Detail, rec.Header().Get("Retry-After"), c.detail)
		}
	}
	if n := ta.count(t, "memberships", "community_id = ?", cid); n != members {
		t.Fatalf("%d memberships, want %d: a busy answer changed something", n, members)
	}
	if n := ta.count(t, "users", "phone = ?", "13930000000"); n != 0 {
		t.Fatalf("the busy request created its user")
	}
}

// TestWrites_Participation: what residents do at once in a month's cycle — endorse a topic, send
// cards (each twice under one Idempotency-Key), join the round table by its code and sign the
// resolution, every request sent twice, 32 in flight — answers no 5xx and leaves exactly one row
// and one event a person.
func TestWrites_Participation(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cid := f.A.ID
	const n = 60
	people := ta.addVoters(t, 0, n, nil)
	twice := func(t *testing.T, send func(u *models.User, copy int) *httpRec) map[int]int {
		t.Helper()
		return no5xxCounts(t, storm(2*n, 32, func(i int) *httpRec { return send(people[i/2], i%2) }))
	}
	events := func(typ models.EventType) int64 {
		return ta.count(t, "events", "community_id = ? AND type = ?", cid, typ)
	}
	cy := must(s.CreateCycle(ctx, sa, cid, models.CycleInput{Month: "2027-08", CompoundID: f.CompoundA.ID, Reason: "楼道堆物反映最多"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
	topic := must(s.ProposeTopic(ctx, f.Resident.Actor(), cy.ID, models.TopicInput{Title: "楼道堆物清理"}))

	t.Run("Endorsements", func(t *testing.T) {
		before := events(models.EvTopicEndorsed)
		got := twice(t, func(u *models.User, _ int) *httpRec {
			return ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", topic.ID), as: u})
		})
		if got[http.StatusOK] != 2*n {
			t.Fatalf("statuses %v, want %d × 200", got, 2*n)
		}
		if c := ta.count(t, "endorsements", "topic_id = ?", topic.ID); c != n {
			t.Fatalf("%d endorsements, want %d", c, n)
		}
		ta.wantChain(t, cid, models.EvTopicEndorsed, before, n)
	})
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cy.ID, topic.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))

	t.Run("Cards", func(t *testing.T) {
		before := events(models.EvCardCreated)
		got := twice(t, func(u *models.User, _ int) *httpRec {
			return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: u,
				header: map[string]string{"Idempotency-Key": fmt.Sprintf("card-%d", u.ID)},
				body:   map[string]any{"body": fmt.Sprintf("%s建议：楼道每周清理一次", u.Name)}})
		})
		if got[http.StatusCreated] != 2*n {
			t.Fatalf("statuses %v, want %d × 201", got, 2*n)
		}
		if c := ta.count(t, "cards", "cycle_id = ?", cy.ID); c != n {
			t.Fatalf("%d cards, want %d", c, n)
		}
		ta.wantChain(t, cid, models.EvCardCreated, before, n)
	})
	m := must(s.ScheduleMeeting(ctx, sa, cy.ID, models.MeetingInput{Title: "楼道圆桌会", StartsAt: time.Now(), Location: "活动室"}))
	must(s.StartMeeting(ctx, sa, m.ID))

	t.Run("Joins", func(t *testing.T) {
		before := events(models.EvAttendanceCheckedIn)
		got := twice(t, func(u *models.User, _ int) *httpRec {
			return ta.do(req{method: "POST", path: "/api/v1/meetings/join", as: u, body: map[string]any{"code": m.JoinCode}})
		})
		if got[http.StatusOK]+got[http.StatusCreated] != 2*n {
			t.Fatalf("statuses %v, want only 200 and 201", got)
		}
		if c := ta.count(t, "attendances", "meeting_id = ?", m.ID); c != n {
			t.Fatalf("%d attendances, want %d", c, n)
		}
		ta.wantChain(t, cid, models.EvAttendanceCheckedIn, before, n)
	})

	t.Run("Signatures", func(t *testing.T) {
		r := ta.draftFrom(cy.ID, ta.formalVote(m.ID, "每周清理楼道", 3, 0).ID, "")
		before := events(models.EvResolutionSigned)
		got := twice(t, func(u *models.User, _ int) *httpRec {
			return ta.do(req{method: "POST", path: resolutionPath(r.ID) + "/signatures", as: u, body: map[string]any{}})
		})
		if got[http.StatusCreated] != n || got[http.StatusOK] != n {
			t.Fatalf("statuses %v, want %d × 201 and %d × 200", got, n, n)
		}
		if c := ta.count(t, "resolution_signatures", "resolution_id = ?", r.ID); c != n {
			t.Fatalf("%d signatures, want %d", c, n)
		}
		ta.wantChain(t, cid, models.EvResolutionSigned, before, n)
	})
}
