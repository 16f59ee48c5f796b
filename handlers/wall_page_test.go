package handlers

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestWall_Page: a facilitator holds a page of the card wall (cards and one group); the wall by
// its display token and the console's read show it; putting a mode up without a page lets the
// wall turn pages again; a page out of range or with another mode is a field error that changes
// nothing (docs/wall.md).
func TestWall_Page(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-11")
	m := cf.meeting
	wantStatus(t, ta.placeCard(f.Facilitator, cf.cards[0].ID, &cf.group.ID, nil), http.StatusOK)

	page := func() int {
		t.Helper()
		w := decode[struct {
			Page *int `json:"page"`
		}](t, ta.wall(m.DisplayToken))
		if w.Page == nil {
			t.Fatal("the wall has no page field")
		}
		return *w.Page
	}

	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards"}), http.StatusOK)
	if p := page(); p != 0 {
		t.Fatalf("page=%d, want 0 (turning by itself)", p)
	}
	before := lastSeq(ta.events(f.A.ID))
	rec := ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards", "page": 2})
	wantStatus(t, rec, http.StatusOK)
	if w := decode[struct {
		Page int `json:"page"`
	}](t, rec); w.Page != 2 {
		t.Fatalf("put answered page %d: %s", w.Page, rec.Body)
	}
	if p := page(); p != 2 {
		t.Fatalf("wall page=%d, want 2", p)
	}
	evs := ta.events(f.A.ID)
	if e := evs[len(evs)-1]; e.Seq != before+1 || e.Type != models.EvProjectorChanged ||
		e.Payload != fmt.Sprintf(`{"meeting_id":%d,"mode":"cards","page":2}`, m.ID) {
		t.Fatalf("event=%+v", e)
	}
	got := decode[struct {
		Page int `json:"page"`
	}](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator}))
	if got.Page != 2 {
		t.Fatalf("console read page %d", got.Page)
	}

	// One group, page 3 held; then the same group without a page turns pages again.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cluster", "cluster_id": cf.group.ID, "page": 3}), http.StatusOK)
	if p := page(); p != 3 {
		t.Fatalf("cluster page=%d", p)
	}
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cluster", "cluster_id": cf.group.ID}), http.StatusOK)
	if p := page(); p != 0 {
		t.Fatalf("page=%d after a put without one", p)
	}

	// Refusals: field errors in both languages, nothing changed.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards", "page": 1}), http.StatusOK)
	before = lastSeq(ta.events(f.A.ID))
	cases := []struct {
		name string
		body map[string]any
		zh   string
		en   string
	}{
		{"Negative", map[string]any{"mode": "cards", "page": -1}, "大屏页码不能小于0", "Wall page must be at least 0"},
		{"TooHigh", map[string]any{"mode": "cards", "page": models.MaxWallPage + 1}, "大屏页码不能大于99", ""},
		{"OtherMode", map[string]any{"mode": "topic", "page": 2}, "只有投屏「卡片墙」或「一组卡片」时才能选页",
			"A page can only be chosen while the wall shows the card wall or one group"},
		{"Join", map[string]any{"mode": "join", "page": 1}, "只有投屏「卡片墙」或「一组卡片」时才能选页", ""},
	}
	for _, c := range cases {
		p := wantProblem(t, ta.setProjector(f.Facilitator, m.ID, c.body), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "page", c.zh)
		if c.en != "" {
			rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator,
				body: c.body, header: map[string]string{"Accept-Language": "en"}})
			wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "page", c.en)
		}
	}
	// Not a number: a 4xx, never a 500.
	rec = ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards", "page": "two"})
	if rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("page \"two\": %d %s", rec.Code, rec.Body)
	}
	if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
		t.Fatalf("refused changes appended %v", got)
	}
	if p := page(); p != 1 {
		t.Fatalf("a refusal changed the page to %d", p)
	}
	// Only who may run the wall may turn it.
	if rec := ta.setProjector(f.Resident, m.ID, map[string]any{"mode": "cards", "page": 2}); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("resident: %d", rec.Code)
	}
}
