package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/deskseed"
	"github.com/yueyuetan/yueyuetan/models"
)

// deskHistory is a small history of community A written straight into the tables, whose
// dashboard figures are worked out by hand below (docs/desk.md "The dashboard").
type deskHistory struct {
	compoundX                   uint64
	c0, c1, c2, c3, c4          uint64
	r1, r2, r3                  uint64
	i1, i2, i3a, i5, i6, i7, i8 uint64
	e3                          uint64
}

func seedDeskHistory(t testing.TB, ta *testApp) deskHistory {
	t.Helper()
	f := ta.fx
	b, err := deskseed.New(ta.store.Gorm())
	if err != nil {
		t.Fatal(err)
	}
	var h deskHistory
	cid, A := f.A.ID, f.CompoundA.ID
	res, party, grid, fac, adm := f.Resident.ID, f.Party.ID, f.GridWorker.ID, f.Facilitator.ID, f.AdminA.ID
	h.compoundX = b.Compound(cid, "东苑")
	b.Compound(cid, "西苑") // no cycle yet: the rotation shows it waiting
	hh := b.Households(A, 4)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ptr := func(v time.Time) *time.Time { return &v }

	// 2025-12, before the range: everything here must stay out of the figures.
	h.c0 = b.Cycle(cid, A, "2025-12", models.PhaseClosed, fac)
	b.Topic(cid, h.c0, "旧议题", models.TopicSelected, res, []uint64{res, party, grid, fac, adm})
	b.Cards(cid, h.c0, models.OriginOnline, 10, res)
	m0 := b.Meeting(cid, h.c0, fac, []uint64{res, party})
	p0 := b.Poll(cid, h.c0, m0, fac, []uint64{res, party})
	r0 := b.Resolution(cid, h.c0, m0, p0, "旧决议", models.ResolutionImplementing, fac)
	b.Item(cid, r0, nil, "旧事项", "2025-12-31", models.ItemTodo, nil, fac)

	// 2026-01, compound A, closed.
	h.c1 = b.Cycle(cid, A, "2026-01", models.PhaseClosed, fac)
	b.Topic(cid, h.c1, "楼道堆物", models.TopicSelected, res, []uint64{res, party, grid})
	b.Topic(cid, h.c1, "路灯不亮", models.TopicOpen, res, []uint64{res})
	b.Cards(cid, h.c1, models.OriginOnline, 4, res)
	b.Cards(cid, h.c1, models.OriginPaper, 2, grid)
	m1 := b.Meeting(cid, h.c1, fac, []uint64{res, party, grid, fac})
	p1 := b.Poll(cid, h.c1, m1, fac, []uint64{res, party, grid})
	h.r1 = b.Resolution(cid, h.c1, m1, p1, "清理楼道", models.ResolutionAccepted, fac)
	// done the evening of its due date in China (20:00 UTC the day before is 04:00 CST): on time
	h.i1 = b.Item(cid, h.r1, nil, "清运杂物", "2026-02-10", models.ItemDone, ptr(at("2026-02-09T20:00:00Z")), fac)
	b.Update(cid, h.i1, party, at("2026-02-01T02:00:00Z"), 150)
	b.Claim(cid, h.i1, party, models.ClaimConfirmed)
	// 17:00 UTC on the due date is 01:00 the next day in China: done late, and no update before
	h.i2 = b.Item(cid, h.r1, nil, "张贴告示", "2026-02-10", models.ItemDone, ptr(at("2026-02-10T17:00:00Z")), fac)
	i3 := b.Item(cid, h.r1, nil, "安装货架", "2026-02-28", models.ItemDone, ptr(at("2026-02-05T02:00:00Z")), fac)
	h.i3a = b.Item(cid, h.r1, &i3, "买货架", "2026-02-28", models.ItemDone, ptr(at("2026-02-05T02:00:00Z")), fac)
	b.Update(cid, h.i3a, res, at("2026-02-20T02:00:00Z"), 200)
	b.Item(cid, h.r1, &i3, "装货架", "2026-02-28", models.ItemCancelled, nil, fac)
	b.Answer(h.r1, hh[0], models.SurveySatisfied)
	b.Answer(h.r1, hh[1], models.SurveySatisfied)
	b.Answer(h.r1, hh[2], models.SurveyBasicallySatisfied)
	b.Answer(h.r1, hh[3], models.SurveyDissatisfied)

	// 2026-02, compound X, closed.
	h.c2 = b.Cycle(cid, h.compoundX, "2026-02", models.PhaseClosed, fac)
	b.Topic(cid, h.c2, "停车难", models.TopicSelected, party, []uint64{party, fac})
	b.Cards(cid, h.c2, models.OriginTable, 3, fac)
	m2 := b.Meeting(cid, h.c2, fac, []uint64{res, party})
	p2 := b.Poll(cid, h.c2, m2, fac, []uint64{res})
	h.r2 = b.Resolution(cid, h.c2, m2, p2, "划停车位", models.ResolutionImplementing, fac)
	i4 := b.Item(cid, h.r2, nil, "测量车位", "2026-06-30", models.ItemInProgress, nil, fac) // open, responded
	b.Update(cid, i4, fac, at("2026-05-01T02:00:00Z"), 0)
	h.i5 = b.Item(cid, h.r2, nil, "画线", "2026-06-01", models.ItemTodo, nil, fac)
	h.i6 = b.Item(cid, h.r2, nil, "装地锁", "2026-06-10", models.ItemInProgress, nil, fac)
	b.Update(cid, h.i6, grid, at("2026-06-12T02:00:00Z"), 300)
	b.Claim(cid, h.i6, party, models.ClaimPending)
	b.Claim(cid, h.i6, grid, models.ClaimDeclined)
	h.i7 = b.Item(cid, h.r2, nil, "告知车主", "2026-07-31", models.ItemDone, ptr(at("2026-06-01T02:00:00Z")), fac)
	h.i8 = b.Item(cid, h.r2, nil, "验收车位", "2026-08-31", models.ItemTodo, nil, fac)

	// Escalations: one answered in time (5 days), one answered late (8 days), one awaiting past
	// its response date; the old cycle's is out of the range.
	b.Escalation(cid, h.r1, h.i1, "whistle", at("2026-01-20T02:00:00Z"), "2026-01-27", "2026-01-25")
	b.Escalation(cid, h.r1, h.i2, "hotline", at("2026-02-01T02:00:00Z"), "2026-02-05", "2026-02-09")
	h.e3 = b.Escalation(cid, h.r2, h.i6, "hotline", at("2026-06-01T02:00:00Z"), "2026-06-08", "")
	b.Escalation(cid, r0, h.i1, "hotline", at("2025-12-10T02:00:00Z"), "2025-12-12", "")

	// 2026-03, compound A, cancelled.
	h.c3 = b.Cycle(cid, A, "2026-03", models.PhaseCancelled, fac)

	// 2026-04, compound X, resolved; its poll's meeting had no sign-ins.
	h.c4 = b.Cycle(cid, h.compoundX, "2026-04", models.PhaseResolved, fac)
	m4 := b.Meeting(cid, h.c4, fac, nil)
	p4 := b.Poll(cid, h.c4, m4, fac, []uint64{party})
	h.r3 = b.Resolution(cid, h.c4, m4, p4, "加装雨棚", models.ResolutionAdopted, fac)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	return h
}

// deskToday pins the store's clock to 2026-06-15 in China.
func deskToday(ta *testApp) {
	ta.store.Now = func() time.Time { return time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC) }
}

type dashView struct {
	From, To string
	Cycles   struct {
		Total, Held, Cancelled int64
		ByMonth                []struct {
			Month  string
			Cycles int64
		} `json:"by_month"`
		List []struct {
			ID    uint64
			Month string
		}
	}
	Participation struct {
		Topics, Endorsements, Cards, Meetings, Attendance, Polls, Ballots int64
		CardsByOrigin                                                     map[string]int64 `json:"cards_by_origin"`
		Turnout                                                           *float64
	}
	Resolutions struct {
		Total    int64
		ByStatus map[string]int64 `json:"by_status"`
	}
	Items struct {
		Total, Open, Done, Cancelled, Responded, Judged int64
		OnTime                                          int64 `json:"on_time"`
		Overdue                                         int64
		DoneLate                                        int64 `json:"done_late"`
	}
	Rates struct {
		Response, Resolution, Satisfaction *float64
	}
	Satisfaction struct {
		Answers int64
		ByLevel map[string]int64 `json:"by_level"`
	}
	Claims struct {
		Made, Confirmed, Claimants int64
		ItemsClaimed               int64   `json:"items_claimed"`
		ServiceHours               float64 `json:"service_hours"`
	}
	Escalations struct {
		Total, Awaiting, Responded, Overdue int64
		RespondedLate                       int64    `json:"responded_late"`
		MeanResponseDays                    *float64 `json:"mean_response_days"`
	}
	Rotation []struct {
		CompoundName string `json:"compound_name"`
		Months       []string
	}
	Communities []struct {
		ID     uint64
		Name   string
		Cycles int64
	}
}

func wantRate(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if want < 0 {
		if got != nil {
			t.Fatalf("%s = %v, want null", name, *got)
		}
		return
	}
	if got == nil || math.Abs(*got-want) > 1e-9 {
		t.Fatalf("%s = %v, want %v", name, got, want)
	}
}

func wantCount(t *testing.T, name string, got, want int64) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %d, want %d", name, got, want)
	}
}

// TestDesk_DashboardFigures checks every figure of the dashboard against the history above,
// computed by hand, for the whole community and for one compound.
func TestDesk_DashboardFigures(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	h := seedDeskHistory(t, ta)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2026-01&to=2026-06", f.A.ID)
	rec := ta.do(req{method: "GET", path: path, as: f.Committee})
	wantStatus(t, rec, http.StatusOK)
	d := decode[dashView](t, rec)

	wantCount(t, "cycles.total", d.Cycles.Total, 4)
	wantCount(t, "cycles.held", d.Cycles.Held, 3)
	wantCount(t, "cycles.cancelled", d.Cycles.Cancelled, 1)
	if len(d.Cycles.ByMonth) != 6 || d.Cycles.ByMonth[0].Cycles != 1 || d.Cycles.ByMonth[1].Cycles != 1 ||
		d.Cycles.ByMonth[2].Cycles != 0 || d.Cycles.ByMonth[3].Cycles != 1 || d.Cycles.ByMonth[5].Month != "2026-06" {
		t.Fatalf("by_month %+v", d.Cycles.ByMonth)
	}
	p := d.Participation
	wantCount(t, "topics", p.Topics, 3)
	wantCount(t, "endorsements", p.Endorsements, 6)
	wantCount(t, "cards", p.Cards, 9)
	wantCount(t, "cards online", p.CardsByOrigin["online"], 4)
	wantCount(t, "cards paper", p.CardsByOrigin["paper"], 2)
	wantCount(t, "cards table", p.CardsByOrigin["table"], 3)
	wantCount(t, "meetings", p.Meetings, 3)
	wantCount(t, "attendance", p.Attendance, 6)
	wantCount(t, "polls", p.Polls, 3)
	wantCount(t, "ballots", p.Ballots, 5)
	wantRate(t, "turnout", p.Turnout, 4.0/6) // the poll of a meeting without sign-ins is left out
	wantCount(t, "resolutions", d.Resolutions.Total, 3)
	for st, n := range map[string]int64{"accepted": 1, "implementing": 1, "adopted": 1} {
		wantCount(t, "resolutions "+st, d.Resolutions.ByStatus[st], n)
	}
	it := d.Items
	wantCount(t, "items.total", it.Total, 9) // leaves only: the parent of i3a is not counted
	wantCount(t, "items.cancelled", it.Cancelled, 1)
	wantCount(t, "items.done", it.Done, 4)
	wantCount(t, "items.on_time", it.OnTime, 3)
	wantCount(t, "items.done_late", it.DoneLate, 1)
	wantCount(t, "items.overdue", it.Overdue, 2)
	wantCount(t, "items.open", it.Open, 4)
	wantCount(t, "items.responded", it.Responded, 4)
	wantCount(t, "items.judged", it.Judged, 7)
	wantRate(t, "rates.response", d.Rates.Response, 4.0/7)
	wantRate(t, "rates.resolution", d.Rates.Resolution, 4.0/8)
	wantRate(t, "rates.satisfaction", d.Rates.Satisfaction, 3.0/4)
	wantCount(t, "answers", d.Satisfaction.Answers, 4)
	wantCount(t, "claims.made", d.Claims.Made, 3)
	wantCount(t, "claims.confirmed", d.Claims.Confirmed, 1)
	wantCount(t, "claims.items", d.Claims.ItemsClaimed, 1)
	wantCount(t, "claims.claimants", d.Claims.Claimants, 1)
	if d.Claims.ServiceHours != 1.5 { // only the confirmed claimant's own hours on the claimed item
		t.Fatalf("service hours %v", d.Claims.ServiceHours)
	}
	// The rotation: which compound had which month, and which had none (a cancelled month is none).
	if got := fmt.Sprint(d.Rotation); got != "[{安友花园 [2026-01]} {东苑 [2026-02 2026-04]} {西苑 []}]" {
		t.Fatalf("rotation %s", got)
	}
	wantCount(t, "escalations", d.Escalations.Total, 3)
	wantCount(t, "escalations awaiting", d.Escalations.Awaiting, 1)
	wantCount(t, "escalations overdue", d.Escalations.Overdue, 1)
	wantCount(t, "escalations responded", d.Escalations.Responded, 2)
	wantCount(t, "escalations late", d.Escalations.RespondedLate, 1)
	wantRate(t, "mean response days", d.Escalations.MeanResponseDays, 6.5)
	if strings.Contains(rec.Body.String(), f.Party.Name) || strings.Contains(rec.Body.String(), f.Party.Phone) {
		t.Fatal("the dashboard names a person")
	}

	// One compound.
	d = decode[dashView](t, ta.do(req{method: "GET", path: path + fmt.Sprintf("&compound_id=%d", h.compoundX), as: f.AdminA}))
	wantCount(t, "X cycles", d.Cycles.Total, 2)
	wantCount(t, "X topics", d.Participation.Topics, 1)
	wantCount(t, "X endorsements", d.Participation.Endorsements, 2)
	wantCount(t, "X cards", d.Participation.Cards, 3)
	wantCount(t, "X attendance", d.Participation.Attendance, 2)
	wantCount(t, "X ballots", d.Participation.Ballots, 2)
	wantRate(t, "X turnout", d.Participation.Turnout, 1.0/2)
	wantCount(t, "X resolutions", d.Resolutions.Total, 2)
	wantCount(t, "X items", d.Items.Total, 5)
	wantCount(t, "X on time", d.Items.OnTime, 1)
	wantCount(t, "X overdue", d.Items.Overdue, 2)
	wantRate(t, "X response", d.Rates.Response, 2.0/4)
	wantRate(t, "X resolution", d.Rates.Resolution, 1.0/5)
	wantRate(t, "X satisfaction", d.Rates.Satisfaction, -1)
	wantCount(t, "X claims", d.Claims.Made, 2)

	// The range decides: December 2025 alone is the old cycle with its overdue item.
	d = decode[dashView](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2025-12-01&to=2025-12-31", f.A.ID), as: f.Committee}))
	wantCount(t, "2025 cycles", d.Cycles.Total, 1)
	wantCount(t, "2025 endorsements", d.Participation.Endorsements, 5)
	wantCount(t, "2025 overdue", d.Items.Overdue, 1)

	// The closed cycles' tallies (kept as the server starts, for cycles closed before them)
	// give every figure above unchanged.
	paths := []string{path, path + fmt.Sprintf("&compound_id=%d", h.compoundX),
		fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2025-12-01&to=2025-12-31", f.A.ID)}
	live := map[string]string{}
	for _, p := range paths {
		live[p] = ta.do(req{method: "GET", path: p, as: f.Committee}).Body.String()
	}
	if n, err := ta.store.TallyClosedCycles(context.Background()); err != nil || n != 3 {
		t.Fatalf("tallied %d closed cycles (err %v), want 3", n, err)
	}
	for _, p := range paths {
		if got := ta.do(req{method: "GET", path: p, as: f.Committee}).Body.String(); got != live[p] {
			t.Fatalf("%s from the tallies:\n%s\nlive:\n%s", p, got, live[p])
		}
	}
}

// TestDesk_DashboardRecords: each figure opens the records behind it, and they add up to it.
func TestDesk_DashboardRecords(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	h := seedDeskHistory(t, ta)
	f := ta.fx
	base := fmt.Sprintf("/api/v1/communities/%d/dashboard/records?from=2026-01&to=2026-06", f.A.ID)
	type recs struct {
		Items []struct {
			ID           uint64
			Status       string
			Count        int64
			ResolutionID *uint64 `json:"resolution_id"`
			CycleID      uint64  `json:"cycle_id"`
		}
	}
	get := func(q string) recs {
		t.Helper()
		rec := ta.do(req{method: "GET", path: base + q, as: f.Committee})
		wantStatus(t, rec, http.StatusOK)
		return decode[recs](t, rec)
	}
	ids := func(r recs) []uint64 {
		var out []uint64
		for _, x := range r.Items {
			out = append(out, x.ID)
		}
		return out
	}
	if got := ids(get("&kind=items&status=overdue")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.i5, h.i6}) {
		t.Fatalf("overdue items %v, want %v", got, []uint64{h.i5, h.i6})
	}
	if got := ids(get("&kind=items&status=done_late")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.i2}) {
		t.Fatalf("late items %v", got)
	}
	if got := ids(get("&kind=items&status=on_time")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.i1, h.i3a, h.i7}) {
		t.Fatalf("on-time items %v", got)
	}
	if got := ids(get("&kind=resolutions")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.r1, h.r2, h.r3}) {
		t.Fatalf("resolutions %v", got)
	}
	if got := ids(get("&kind=cycles")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.c1, h.c2, h.c3, h.c4}) {
		t.Fatalf("cycles %v", got)
	}
	var endorsements, cards int64
	for _, r := range get("&kind=topics").Items {
		endorsements += r.Count
	}
	for _, r := range get("&kind=cards").Items {
		cards += r.Count
	}
	if endorsements != 6 || cards != 9 {
		t.Fatalf("endorsements %d cards %d", endorsements, cards)
	}
	if got := ids(get("&kind=escalations&status=overdue")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.e3}) {
		t.Fatalf("overdue escalations %v", got)
	}
	if got := ids(get("&kind=claims")); fmt.Sprint(got) != fmt.Sprint([]uint64{h.i1}) {
		t.Fatalf("claimed items %v", got)
	}
	// Bad input is a field error; a resident may not look.
	for q, field := range map[string]string{"&kind=people": "kind", "&compound_id=x": "compound_id"} {
		p := wantProblem(t, ta.do(req{method: "GET", path: base + q, as: f.Committee}), http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors[field] == "" {
			t.Fatalf("%q: %v", q, p.Errors)
		}
	}
	wantStatus(t, ta.do(req{method: "GET", path: base + "&kind=items", as: f.Resident}), http.StatusForbidden)
}

// TestDesk_DashboardInput: bad ranges and compounds are field errors, never 500s; who may read.
func TestDesk_DashboardInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	base := fmt.Sprintf("/api/v1/communities/%d/dashboard", f.A.ID)
	for q, field := range map[string]string{
		"?from=2026-13":            "from",
		"?from=yesterday":          "from",
		"?to=2026-1":               "to",
		"?from=2026-05&to=2026-01": "to",
		"?compound_id=abc":         "compound_id",
		"?compound_id=0":           "compound_id",
		fmt.Sprintf("?compound_id=%d", f.CompoundB.ID): "compound_id",
	} {
		p := wantProblem(t, ta.do(req{method: "GET", path: base + q, as: f.Committee}), http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors[field] == "" {
			t.Fatalf("%s: %v", q, p.Errors)
		}
	}
	for _, u := range []*models.User{f.Resident, f.Facilitator, f.Party, f.GridWorker} {
		wantStatus(t, ta.do(req{method: "GET", path: base, as: u}), http.StatusForbidden)
	}
	wantStatus(t, ta.do(req{method: "GET", path: base, as: f.AdminB}), http.StatusNotFound)
	wantStatus(t, ta.do(req{method: "GET", path: base}), http.StatusUnauthorized)
	for _, u := range []*models.User{f.Committee, f.AdminA, f.Super} {
		wantStatus(t, ta.do(req{method: "GET", path: base, as: u}), http.StatusOK)
	}
}

// deskObserver makes a street for community A's street and an observer of it, with an account
// and no membership anywhere.
func deskObserver(t testing.TB, ta *testApp) (*models.User, uint64) {
	t.Helper()
	f := ta.fx
	u := &models.User{Phone: "13800000099", Name: "街道观察员", PasswordHash: fixtureHash(), Locale: "zh-CN"}
	if err := ta.store.Gorm().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	rec := ta.do(req{method: "POST", path: "/api/v1/streets", as: f.Super, body: map[string]any{"name": f.A.Street, "district": f.A.District, "city": f.A.City}})
	wantStatus(t, rec, http.StatusCreated)
	st := decode[struct {
		ID          uint64
		Communities []struct{ ID uint64 }
	}](t, rec)
	if len(st.Communities) != 2 {
		t.Fatalf("street communities %+v", st.Communities)
	}
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/streets/%d/observers", st.ID), as: f.Super, body: map[string]any{"user_id": u.ID}}), http.StatusNoContent)
	return u, st.ID
}

// TestDesk_StreetObserver: an observer reads the dashboards of every community of its street
// and the street's sum; nobody else reads the street's; only the superadmin manages streets.
func TestDesk_StreetObserver(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	seedDeskHistory(t, ta)
	f := ta.fx
	obs, sid := deskObserver(t, ta)
	q := "?from=2026-01&to=2026-06"
	for _, cid := range []uint64{f.A.ID, f.B.ID} {
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard%s", cid, q), as: obs}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard/records%s&kind=items", cid, q), as: obs}), http.StatusOK)
	}
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard%s", sid, q), as: obs})
	wantStatus(t, rec, http.StatusOK)
	d := decode[dashView](t, rec)
	wantCount(t, "street cycles", d.Cycles.Total, 4) // community B has none
	wantCount(t, "street items", d.Items.Total, 9)
	wantRate(t, "street resolution rate", d.Rates.Resolution, 4.0/8)
	if len(d.Communities) != 2 || d.Communities[0].ID != f.A.ID || d.Communities[0].Cycles != 3 || d.Communities[1].Cycles != 0 {
		t.Fatalf("community lines %+v", d.Communities)
	}
	// The observer's list of streets; others see none; the street's dashboard is hidden from them.
	ls := decode[struct{ Items []struct{ ID uint64 } }](t, ta.do(req{method: "GET", path: "/api/v1/streets", as: obs}))
	if len(ls.Items) != 1 || ls.Items[0].ID != sid {
		t.Fatalf("observer's streets %+v", ls.Items)
	}
	ls = decode[struct{ Items []struct{ ID uint64 } }](t, ta.do(req{method: "GET", path: "/api/v1/streets", as: f.AdminA}))
	if len(ls.Items) != 0 {
		t.Fatalf("admin's streets %+v", ls.Items)
	}
	for _, u := range []*models.User{f.AdminA, f.Committee, f.Resident} {
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard", sid), as: u}), http.StatusNotFound)
	}
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard", sid), as: f.Super}), http.StatusOK)
	// Only the superadmin records streets and observers; bad input changes nothing.
	wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/streets", as: obs, body: map[string]any{"name": "新街道", "district": "江汉区", "city": "武汉市"}}), http.StatusForbidden)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/streets/%d/observers", sid), as: obs, body: map[string]any{"user_id": f.Resident.ID}}), http.StatusForbidden)
	p := wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/streets", as: f.Super, body: map[string]any{"name": f.A.Street, "district": f.A.District, "city": f.A.City}}), http.StatusUnprocessableEntity, "invalid_input")
	if p.Errors["name"] == "" {
		t.Fatalf("duplicate street: %v", p.Errors)
	}
	p = wantProblem(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/streets/%d/observers", sid), as: f.Super, body: map[string]any{"user_id": 987654}}), http.StatusUnprocessableEntity, "invalid_input")
	if p.Errors["user_id"] == "" {
		t.Fatalf("unknown user: %v", p.Errors)
	}
	wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/streets/987654/observers", as: f.Super, body: map[string]any{"user_id": obs.ID}}), http.StatusNotFound)
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard?from=x", sid), as: obs}), http.StatusUnprocessableEntity)
}

// TestDesk_ObserverWritesNothing walks every route that writes (every method but GET) with the
// ids of community A's records in its path parameters, as the street observer: no answer is a
// success or a server error, and the community's event log and records stay as they were.
func TestDesk_ObserverWritesNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	h := seedDeskHistory(t, ta)
	f := ta.fx
	obs, sid := deskObserver(t, ta)
	ids := []uint64{f.A.ID, f.CompoundA.ID, h.c1, h.c2, h.r1, h.r2, h.i1, h.i5, h.i6}
	seen := map[uint64]bool{}
	var uniq []uint64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	snapshot := func() string {
		var parts []string
		for _, tbl := range []string{"events", "cycles", "topics", "endorsements", "cards", "meetings", "attendances", "polls",
			"resolutions", "action_items", "item_updates", "item_claims", "survey_answers", "memberships", "streets", "street_observers"} {
			var n int64
			if err := ta.store.Gorm().Table(tbl).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			parts = append(parts, fmt.Sprintf("%s=%d", tbl, n))
		}
		var sum struct{ S, P int64 }
		ta.store.Gorm().Table("action_items").Select("COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) AS s, COALESCE(SUM(progress), 0) AS p").Scan(&sum)
		parts = append(parts, fmt.Sprintf("done=%d progress=%d", sum.S, sum.P))
		return strings.Join(parts, " ")
	}
	before := snapshot()
	bodies := []any{map[string]any{}, map[string]any{"progress": 50, "status": "done", "note": "进展", "text": "异议",
		"title": "议题", "body": "卡片", "month": "2026-09", "compound_id": f.CompoundA.ID, "reason": "理由", "decision": "accept",
		"level": "satisfied", "days": 0, "roles": []string{"admin"}, "verified": true, "name": "名字", "user_id": obs.ID}}
	n := 0
	for _, r := range ta.e.Routes() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		// The observer's own account (logging out, closing it) is not a community's record, and
		// would end the walk early.
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/me" || strings.HasPrefix(r.Path, "/api/v1/me/") ||
			strings.HasPrefix(r.Path, "/api/v1/auth/") {
			continue
		}
		for _, id := range uniq {
			path := r.Path
			for _, seg := range strings.Split(r.Path, "/") {
				if strings.HasPrefix(seg, ":") {
					path = strings.Replace(path, seg, fmt.Sprint(id), 1)
				}
			}
			for _, body := range bodies {
				n++
				rec := ta.do(req{method: r.Method, path: path, as: obs, body: body})
				if rec.Code < 400 || rec.Code >= 500 || rec.Code == http.StatusUnauthorized {
					t.Errorf("%s %s as observer: %d %s", r.Method, path, rec.Code, rec.Body)
				}
			}
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("the observer changed records:\n%s\n%s", before, after)
	}
	if n < 200 {
		t.Fatalf("only %d writes tried", n)
	}
	// And it still reads.
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard", sid), as: obs}), http.StatusOK)
}
