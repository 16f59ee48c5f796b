package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/deskseed"
	"github.com/yueyuetan/yueyuetan/models"
)

// seedStreetHistory gives community B and a third community of the same street a history of
// their own (community A has seedDeskHistory's): cycles over several months with cards, votes,
// items in every state, updates, claims by the same person in both, survey answers and
// escalations. It returns the third community's id.
func seedStreetHistory(t testing.TB, ta *testApp) uint64 {
	t.Helper()
	f := ta.fx
	b, err := deskseed.New(ta.store.Gorm())
	if err != nil {
		t.Fatal(err)
	}
	third := b.Community("常青社区", f.A.Street)
	people := []uint64{f.Resident.ID, f.Party.ID, f.GridWorker.ID, f.Facilitator.ID, f.AdminA.ID, f.Committee.ID}
	statuses := []string{models.ItemDone, models.ItemTodo, models.ItemInProgress, models.ItemDone, models.ItemCancelled}
	levels := []string{models.SurveySatisfied, models.SurveyBasicallySatisfied, models.SurveyDissatisfied, models.SurveyVeryDissatisfied}
	for ci, cid := range []uint64{f.B.ID, third} {
		compounds := []uint64{b.Compound(cid, fmt.Sprintf("一区%d", ci)), b.Compound(cid, fmt.Sprintf("二区%d", ci))}
		hh := b.Households(compounds[0], 5)
		for mo := 0; mo < 8; mo++ {
			month := time.Date(2025, time.Month(11+mo), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			phase := models.PhaseClosed
			if (mo+ci)%5 == 4 {
				phase = models.PhaseCancelled
			}
			cy := b.Cycle(cid, compounds[mo%2], month, phase, f.Facilitator.ID)
			b.Topic(cid, cy, "议题", models.TopicSelected, people[mo%6], people[:1+(mo+ci)%6])
			if phase == models.PhaseCancelled {
				continue
			}
			b.Cards(cid, cy, models.OriginOnline, 2+mo, f.Resident.ID)
			b.Cards(cid, cy, models.OriginPaper, 1+ci, f.GridWorker.ID)
			var signed []uint64
			if mo%3 != 0 {
				signed = people[:2+mo%4]
			}
			m := b.Meeting(cid, cy, f.Facilitator.ID, signed)
			p := b.Poll(cid, cy, m, f.Facilitator.ID, people[:1+(mo+ci)%4])
			st := models.ResolutionAccepted
			if mo > 5 {
				st = models.ResolutionImplementing
			}
			r := b.Resolution(cid, cy, m, p, "决议", st, f.Facilitator.ID)
			t0 := time.Date(2025, time.Month(11+mo), 18, 3, 0, 0, 0, time.UTC)
			due := t0.AddDate(0, 0, 20).Format(time.DateOnly)
			parent := b.Item(cid, r, nil, "总事项", due, models.ItemInProgress, nil, f.Facilitator.ID)
			for k := 0; k < 4; k++ {
				s := statuses[(mo+k+ci)%len(statuses)]
				var done *time.Time
				if s == models.ItemDone {
					d := t0.AddDate(0, 0, 5+(mo*7+k*9)%30)
					done = &d
				}
				var par *uint64
				if k < 2 {
					par = &parent
				}
				it := b.Item(cid, r, par, fmt.Sprintf("事项%d", k), due, s, done, f.Facilitator.ID)
				if s != models.ItemTodo && s != models.ItemCancelled {
					b.Update(cid, it, people[k], t0.AddDate(0, 0, 2+k*8), int64(50*(k+1)))
				}
				if k == 1 || (k == 2 && ci == 1) {
					b.Claim(cid, it, f.Party.ID, models.ClaimConfirmed)
					b.Update(cid, it, f.Party.ID, t0.AddDate(0, 0, 4), 125)
				}
				if k == 3 {
					b.Claim(cid, it, f.GridWorker.ID, models.ClaimDeclined)
				}
				if k == 0 && mo%2 == 0 {
					respondedOn := ""
					if mo%4 == 0 {
						respondedOn = t0.AddDate(0, 0, 3+mo).Format(time.DateOnly)
					}
					b.Escalation(cid, r, it, "hotline", t0, t0.AddDate(0, 0, 5).Format(time.DateOnly), respondedOn)
				}
			}
			for h := 0; h < 2+(mo+ci)%4; h++ {
				b.Answer(r, hh[h], levels[(h+mo)%len(levels)])
			}
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	return third
}

// dashNumbers flattens the counts of a dashboard answer (every number but the rates, the
// turnout, the mean and the lists) to "section.key" → value.
func dashNumbers(t *testing.T, d map[string]any) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case float64:
			out[prefix] = x
		case map[string]any:
			for k, vv := range x {
				walk(prefix+"."+k, vv)
			}
		}
	}
	for _, sec := range []string{"cycles", "participation", "resolutions", "items", "satisfaction", "claims", "escalations"} {
		m, ok := d[sec].(map[string]any)
		if !ok {
			t.Fatalf("dashboard without %s", sec)
		}
		for k, v := range m {
			switch k {
			case "turnout", "mean_response_days", "list", "by_month":
				continue
			}
			walk(sec+"."+k, v)
		}
	}
	return out
}

// TestDesk_StreetMatchesCommunities: the street's dashboard is computed for all its communities
// at once, and each community's line, and the street's totals, must be what the communities' own
// dashboards say (docs/desk.md "The street observer").
func TestDesk_StreetMatchesCommunities(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	seedDeskHistory(t, ta)
	_, sid := deskObserver(t, ta) // the street's communities are found by name: the third joins it
	third := seedStreetHistory(t, ta)
	f := ta.fx
	// First every cycle counted live, then with the closed cycles' tallies (as after the
	// server's start): the same answers, to the byte.
	first := map[string]string{}
	for _, tallied := range []bool{false, true} {
		if tallied {
			if n, err := ta.store.TallyClosedCycles(context.Background()); err != nil || n == 0 {
				t.Fatalf("tallied %d closed cycles (err %v)", n, err)
			}
		}
		for _, q := range []string{"?from=2025-11&to=2026-06", "?from=2026-01&to=2026-03", "?from=2026-05&to=2026-06"} {
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard%s", sid, q), as: f.Super})
			if !tallied {
				first[q] = rec.Body.String()
			} else if rec.Body.String() != first[q] {
				t.Fatalf("%s: the tallies changed the street's dashboard:\nlive    %s\ntallied %s", q, first[q], rec.Body.String())
			}
			street := decode[map[string]any](t, rec)
			lines, _ := street["communities"].([]any)
			if len(lines) != 3 {
				t.Fatalf("%s: %d community lines, want 3", q, len(lines))
			}
			sum := map[string]float64{}
			var items float64
			for i, cid := range []uint64{f.A.ID, f.B.ID, third} {
				rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard%s", cid, q), as: f.Super})
				wantStatus(t, rec, http.StatusOK)
				own := decode[map[string]any](t, rec)
				line := lines[i].(map[string]any)
				if uint64(line["id"].(float64)) != cid {
					t.Fatalf("%s: line %d is community %v, want %d", q, i, line["id"], cid)
				}
				ownCycles, ownRes := own["cycles"].(map[string]any), own["resolutions"].(map[string]any)
				if line["cycles"] != ownCycles["held"] || line["resolutions"] != ownRes["total"] {
					t.Fatalf("%s community %d: line cycles %v resolutions %v, own held %v total %v", q, cid,
						line["cycles"], line["resolutions"], ownCycles["held"], ownRes["total"])
				}
				if got, want := fmt.Sprint(line["items"]), fmt.Sprint(own["items"]); got != want {
					t.Fatalf("%s community %d items:\nstreet %s\nown    %s", q, cid, got, want)
				}
				if got, want := fmt.Sprint(line["rates"]), fmt.Sprint(own["rates"]); got != want {
					t.Fatalf("%s community %d rates:\nstreet %s\nown    %s", q, cid, got, want)
				}
				for k, v := range dashNumbers(t, own) {
					sum[k] += v
				}
				items += own["items"].(map[string]any)["total"].(float64)
			}
			if items == 0 {
				t.Fatalf("%s: no items in the range, the comparison proves little", q)
			}
			got := dashNumbers(t, street)
			for k, v := range sum {
				if math.Abs(got[k]-v) > 1e-9 {
					t.Errorf("%s: street %s = %v, the communities' sum is %v", q, k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := sum[k]; !ok {
					t.Errorf("%s: street %s has no counterpart in the communities' figures", q, k)
				}
			}
		}
	}
	// The claimant claims in two communities: each counts them, and so does the street's sum.
	d := decode[dashView](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2025-11&to=2026-06", third), as: f.Super}))
	wantCount(t, "third claimants", d.Claims.Claimants, 1)
	if d.Claims.ItemsClaimed < 2 || d.Escalations.Total == 0 || d.Participation.Turnout == nil || d.Satisfaction.Answers == 0 {
		t.Fatalf("the third community's history is too thin: %+v %+v", d.Claims, d.Escalations)
	}
}

// TestDesk_StreetScreenAPI: what the superadmin's street screen does — observers added by phone,
// listed and removed, a community put in a street — and the errors it shows.
func TestDesk_StreetScreenAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	rec := ta.do(req{method: "POST", path: "/api/v1/streets", as: f.Super, body: map[string]any{"name": "北湖街道", "district": "江汉区", "city": "武汉市"}})
	wantStatus(t, rec, http.StatusCreated)
	st := decode[struct {
		ID          uint64
		Communities []struct{ ID uint64 }
	}](t, rec)
	if len(st.Communities) != 0 {
		t.Fatalf("a new street has communities %+v", st.Communities)
	}
	obsPath := fmt.Sprintf("/api/v1/streets/%d/observers", st.ID)
	count := func(tbl string) int64 {
		var n int64
		if err := ta.store.Gorm().Table(tbl).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Bad input: a clear message on the field, and nothing recorded.
	p := wantProblem(t, ta.do(req{method: "POST", path: obsPath, as: f.Super, body: map[string]any{"phone": "13911112222"}}), http.StatusUnprocessableEntity, "invalid_input")
	wantField(t, p, "phone", "这个手机号还没有账号，请先让本人注册或由社区添加")
	p = wantProblem(t, ta.do(req{method: "POST", path: obsPath, as: f.Super, header: map[string]string{"Accept-Language": "en"}, body: map[string]any{"phone": "1391111"}}), http.StatusUnprocessableEntity, "invalid_input")
	if p.Errors["phone"] == "" {
		t.Fatalf("a short phone: %v", p.Errors)
	}
	p = wantProblem(t, ta.do(req{method: "POST", path: obsPath, as: f.Super, body: map[string]any{}}), http.StatusUnprocessableEntity, "invalid_input")
	wantField(t, p, "phone", "请填写观察员手机号")
	if n := count("street_observers"); n != 0 {
		t.Fatalf("bad input recorded %d observers", n)
	}

	// By phone, twice (no error), then listed with name and phone.
	for i := 0; i < 2; i++ {
		wantStatus(t, ta.do(req{method: "POST", path: obsPath, as: f.Super, body: map[string]any{"phone": f.ResidentB.Phone}}), http.StatusNoContent)
	}
	ls := decode[struct {
		Items []struct {
			UserID      uint64 `json:"user_id"`
			Name, Phone string
		}
	}](t, ta.do(req{method: "GET", path: obsPath, as: f.Super}))
	if len(ls.Items) != 1 || ls.Items[0].UserID != f.ResidentB.ID || ls.Items[0].Phone != f.ResidentB.Phone || ls.Items[0].Name != f.ResidentB.Name {
		t.Fatalf("observers %+v", ls.Items)
	}
	wantStatus(t, ta.do(req{method: "GET", path: obsPath, as: f.ResidentB}), http.StatusForbidden)
	wantStatus(t, ta.do(req{method: "GET", path: "/api/v1/streets/987654/observers", as: f.Super}), http.StatusNotFound)

	// Putting community B in the street: B takes its names, the street lists it, the observer
	// reads B's dashboard, and the change is in B's log.
	events := count("events")
	rec = ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/streets/%d/communities/%d", st.ID, f.B.ID), as: f.Super})
	wantStatus(t, rec, http.StatusOK)
	st = decode[struct {
		ID          uint64
		Communities []struct{ ID uint64 }
	}](t, rec)
	if len(st.Communities) != 1 || st.Communities[0].ID != f.B.ID {
		t.Fatalf("street communities %+v", st.Communities)
	}
	var b models.Community
	if err := ta.store.Gorm().Take(&b, f.B.ID).Error; err != nil {
		t.Fatal(err)
	}
	if b.Street != "北湖街道" || b.District != "江汉区" || b.City != "武汉市" {
		t.Fatalf("community B's place %q %q %q", b.Street, b.District, b.City)
	}
	if count("events") != events+1 {
		t.Fatal("putting a community in a street is not logged")
	}
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/dashboard", f.B.ID), as: f.ResidentB}), http.StatusOK)
	wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/streets/%d/communities/987654", st.ID), as: f.Super}), http.StatusNotFound)
	wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/streets/987654/communities/%d", f.A.ID), as: f.Super}), http.StatusNotFound)

	// Removing the observer ends their reading; removing again is no error.
	for i := 0; i < 2; i++ {
		wantStatus(t, ta.do(req{method: "DELETE", path: fmt.Sprintf("%s/%d", obsPath, f.ResidentB.ID), as: f.Super}), http.StatusNoContent)
	}
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/streets/%d/dashboard", st.ID), as: f.ResidentB}), http.StatusNotFound)
	if n := count("street_observers"); n != 0 {
		t.Fatalf("%d observers left", n)
	}
}
