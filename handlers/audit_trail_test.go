package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

type eventViewJSON struct {
	ID        uint64 `json:"id"`
	Type      string `json:"type"`
	SubjectID uint64 `json:"subject_id"`
	ActorName string `json:"actor_name"`
	Changes   []struct {
		Field string          `json:"field"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
	} `json:"changes"`
}

type eventPageJSON struct {
	Items      []eventViewJSON `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

// TestAuditTrail_Search: the log searched by type (and family), subject, actor and days, each
// change with its value before and after; only the committee and admins read it; bad criteria
// are 422.
func TestAuditTrail_Search(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	jf := ta.buildJobsFixture(t, "2027-10")
	p := fmt.Sprintf
	ipath := p("/api/v1/items/%d", jf.item.ID)
	for _, pr := range []int{10, 40} {
		wantStatus(t, ta.do(req{method: "PATCH", path: ipath, as: f.Party, body: map[string]any{"progress": pr}}), http.StatusOK)
	}
	wantStatus(t, ta.do(req{method: "PATCH", path: ipath, as: f.Facilitator, body: map[string]any{"due_date": "2027-08-20"}}),
		http.StatusOK)
	search := func(as *models.User, q string) eventPageJSON {
		t.Helper()
		rec := ta.do(req{method: "GET", path: p("/api/v1/communities/%d/events?%s", f.A.ID, q), as: as})
		wantStatus(t, rec, http.StatusOK)
		return decode[eventPageJSON](t, rec)
	}
	got := search(f.Committee, p("type=item.changed&subject_type=item&subject_id=%d", jf.item.ID))
	if len(got.Items) != 3 {
		t.Fatalf("item.changed events: %+v", got)
	}
	progress := got.Items[1]
	if progress.ActorName != "党员" || len(progress.Changes) != 1 || progress.Changes[0].Field != "progress" ||
		string(progress.Changes[0].From) != "10" || string(progress.Changes[0].To) != "40" {
		t.Fatalf("second change: %+v", progress)
	}
	if first := got.Items[0]; len(first.Changes) != 1 || string(first.Changes[0].From) != "null" || string(first.Changes[0].To) != "10" {
		t.Fatalf("first change: %+v", first)
	}
	if due := got.Items[2]; due.ActorName != "主持人" || len(due.Changes) != 1 || due.Changes[0].Field != "due_date" ||
		string(due.Changes[0].To) != `"2027-08-20"` {
		t.Fatalf("due date change: %+v", due)
	}
	if n := len(search(f.AdminA, p("type=item.&actor_id=%d", f.Party.ID)).Items); n != 2 {
		t.Fatalf("the party member's item events: %d, want 2", n)
	}
	// Days in China Standard Time: the store's clock says 2027-08-10.
	if n := len(search(f.Committee, "type=item.changed&from=2027-08-10&to=2027-08-10").Items); n != 3 {
		t.Fatalf("events of 2027-08-10: %d, want 3", n)
	}
	if n := len(search(f.Committee, "type=item.changed&from=2027-08-11").Items); n != 0 {
		t.Fatalf("events from 2027-08-11: %d, want 0", n)
	}
	desc := search(f.Committee, "type=item.changed&order=desc&limit=2")
	if len(desc.Items) != 2 || desc.Items[0].ID != got.Items[2].ID || desc.NextCursor != p("%d", got.Items[1].ID) {
		t.Fatalf("newest first: %+v", desc)
	}
	if older := search(f.Committee, "type=item.changed&before="+desc.NextCursor); len(older.Items) != 1 || older.Items[0].ID != got.Items[0].ID {
		t.Fatalf("the page before: %+v", older)
	}
	for _, q := range []string{"type=item.chnaged", "from=2027-13-01", "subject_id=x", "from=2027-08-12&to=2027-08-10", "order=up"} {
		wantStatus(t, ta.do(req{method: "GET", path: p("/api/v1/communities/%d/events?%s", f.A.ID, q), as: f.Committee}),
			http.StatusUnprocessableEntity)
	}
	for _, u := range []*models.User{f.Resident, f.Facilitator} {
		wantStatus(t, ta.do(req{method: "GET", path: p("/api/v1/communities/%d/events", f.A.ID), as: u}), http.StatusForbidden)
	}
}

// TestAuditTrail_ChainCheck: the check's runs are recorded; the latest shows when the whole chain
// was last checked and how it came out, and a tampered row is found by the next run.
func TestAuditTrail_ChainCheck(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/communities/%d/audit/checks", f.A.ID)
	type check struct {
		ID        uint64  `json:"id"`
		OK        bool    `json:"ok"`
		Checked   int     `json:"checked"`
		BrokenSeq *uint64 `json:"broken_seq"`
		Reason    string  `json:"reason"`
		CheckedAt string  `json:"checked_at"`
	}
	latest := func() *check {
		rec := ta.do(req{method: "GET", path: path + "/latest", as: f.Committee})
		wantStatus(t, rec, http.StatusOK)
		return decode[struct {
			Last *check `json:"last"`
		}](t, rec).Last
	}
	if l := latest(); l != nil {
		t.Fatalf("a check before any ran: %+v", l)
	}
	wantStatus(t, ta.do(req{method: "POST", path: path, as: f.Resident, body: map[string]any{}}), http.StatusForbidden)
	wantStatus(t, ta.do(req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{}}), http.StatusForbidden)
	rec := ta.do(req{method: "POST", path: path, as: f.Committee, body: map[string]any{}})
	wantStatus(t, rec, http.StatusCreated)
	c := decode[check](t, rec)
	if !c.OK || c.Checked < 5 || c.CheckedAt == "" {
		t.Fatalf("check: %+v", c)
	}
	if l := latest(); l == nil || l.ID != c.ID {
		t.Fatalf("latest: %+v, want %+v", l, c)
	}
	evs := ta.events(f.A.ID)
	victim := evs[2]
	if err := ta.store.Gorm().Table("events").Where("id = ?", victim.ID).
		Update("payload", strings.Replace(victim.Payload, "}", `,"x":1}`, 1)).Error; err != nil {
		t.Fatal(err)
	}
	c = decode[check](t, ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{}}))
	if c.OK || c.BrokenSeq == nil || *c.BrokenSeq != victim.Seq || c.Reason != "hash_mismatch" {
		t.Fatalf("check after tampering: %+v (victim seq %d)", c, victim.Seq)
	}
	if l := latest(); l == nil || l.OK {
		t.Fatalf("latest after tampering: %+v", l)
	}
}

// TestAuditTrail_ResolutionStory: a resolution's whole story in one read — topic, its anonymous
// card (unnamed), the group, the vote and its result, the resolution, its items with updates and
// escalations, and for the committee every event about it in order (no ballots); a resident gets
// the records without the log; no one outside the community gets anything.
func TestAuditTrail_ResolutionStory(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	jf := ta.buildJobsFixture(t, "2027-11")
	p := fmt.Sprintf
	ipath := p("/api/v1/items/%d", jf.item.ID)
	wantStatus(t, ta.do(req{method: "POST", path: ipath + "/updates", as: f.Party, body: map[string]any{"note": "井道已开挖", "progress": 30}}),
		http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.Facilitator,
		body: map[string]any{"channel": "hotline", "department": "区住建局", "reason": "需审批"}}), http.StatusCreated)
	type storyJSON struct {
		Topic *struct {
			Title string `json:"title"`
		} `json:"topic"`
		Cards []struct {
			ID         uint64 `json:"id"`
			AuthorName string `json:"author_name"`
		} `json:"cards"`
		Groups []struct {
			Label string `json:"label"`
		} `json:"groups"`
		Poll *struct {
			ID uint64 `json:"id"`
		} `json:"poll"`
		Resolution struct {
			ID    uint64 `json:"id"`
			Title string `json:"title"`
		} `json:"resolution"`
		Items []struct {
			ID          uint64 `json:"id"`
			Progress    int    `json:"progress"`
			Updates     []any  `json:"updates"`
			Escalations []any  `json:"escalations"`
		} `json:"items"`
		Events     []eventViewJSON `json:"events"`
		EventsShow bool            `json:"events_shown"`
	}
	path := p("/api/v1/resolutions/%d/story", jf.res.ID)
	rec := ta.do(req{method: "GET", path: path, as: f.Committee})
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), authorName) {
		t.Fatal("the story names the anonymous card's author")
	}
	st := decode[storyJSON](t, rec)
	if st.Resolution.ID != jf.res.ID || len(st.Cards) != 1 || st.Cards[0].ID != jf.card.ID || st.Cards[0].AuthorName != "" ||
		len(st.Groups) != 1 || st.Poll == nil || len(st.Items) != 1 || st.Items[0].Progress != 30 ||
		len(st.Items[0].Updates) != 1 || len(st.Items[0].Escalations) != 1 || !st.EventsShow {
		t.Fatalf("story: %+v", st)
	}
	types := []string{}
	for i, e := range st.Events {
		if i > 0 && e.ID <= st.Events[i-1].ID {
			t.Fatalf("events out of order: %+v", st.Events)
		}
		if strings.HasPrefix(e.Type, "poll.ballot") {
			t.Fatalf("a ballot in the story: %+v", e)
		}
		types = append(types, e.Type)
	}
	for _, want := range []models.EventType{models.EvCardCreated, models.EvCardGrouped, models.EvPollClosed,
		models.EvResolutionDrafted, models.EventItemUpdatePosted, models.EvEscalationRaised} {
		if !strings.Contains(strings.Join(types, " "), string(want)) {
			t.Errorf("story events lack %s: %v", want, types)
		}
	}
	rec = ta.do(req{method: "GET", path: path, as: f.Resident})
	wantStatus(t, rec, http.StatusOK)
	if st := decode[storyJSON](t, rec); st.EventsShow || len(st.Events) != 0 || len(st.Items) != 1 {
		t.Fatalf("a resident's story: %+v", st)
	}
	wantStatus(t, ta.do(req{method: "GET", path: path, as: f.ResidentB}), http.StatusNotFound)
}
