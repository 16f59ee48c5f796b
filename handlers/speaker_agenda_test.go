package handlers

import (
	"net/http"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestSpeaker_ItemTimer checks the shared item timer: the board says when the meeting moved onto
// its current item and what the server's clock reads, so a console, a second laptop and the wall
// count the same minutes.
func TestSpeaker_ItemTimer(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	start := sm.clock.now()
	setItem := func(as *models.User, pos int) *httpRec {
		return ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: as, body: map[string]any{"position": pos}})
	}
	wantItem := func(t *testing.T, b models.SpeakerBoard, pos int, since time.Time) {
		t.Helper()
		if b.CurrentItem == nil || b.CurrentItem.Position != pos {
			t.Fatalf("current_item=%+v, want position %d", b.CurrentItem, pos)
		}
		if b.ItemStartedAt == nil || !b.ItemStartedAt.Equal(since) {
			t.Fatalf("item_started_at=%v, want %v", b.ItemStartedAt, since)
		}
		if !b.Now.Equal(sm.clock.now()) {
			t.Fatalf("now=%v, want %v", b.Now, sm.clock.now())
		}
	}

	t.Run("FirstItemFromTheStart", func(t *testing.T) {
		sm.clock.advance(5 * time.Minute)
		wantItem(t, sm.board(t, f.Resident), 1, start)
	})
	moved := sm.clock.now()
	t.Run("MoveRestartsTheTimer", func(t *testing.T) {
		rec := setItem(f.Facilitator, 2)
		wantStatus(t, rec, http.StatusOK)
		wantItem(t, decode[models.SpeakerBoard](t, rec), 2, moved)
		sm.clock.advance(90 * time.Second)
		wantItem(t, sm.board(t, f.Resident), 2, moved)
	})
	t.Run("SameItemKeepsTheTimer", func(t *testing.T) {
		wantStatus(t, setItem(f.AdminA, 2), http.StatusOK)
		wantItem(t, sm.board(t, f.Resident), 2, moved)
	})
	t.Run("RefusalsChangeNothing", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		wantProblem(t, setItem(f.Resident, 3), http.StatusForbidden, "forbidden")
		wantProblem(t, setItem(f.Facilitator, 9), http.StatusUnprocessableEntity, "invalid_input")
		wantItem(t, sm.board(t, f.Resident), 2, moved)
		if after := len(ta.events(f.A.ID)); after != before {
			t.Fatalf("events %d -> %d after refusals", before, after)
		}
	})
	t.Run("Event", func(t *testing.T) {
		var n int
		for _, e := range ta.events(f.A.ID) {
			if e.Type == models.EvMeetingItemChanged {
				n++
				if !containsAny(e.Payload, `"from":1`) || !containsAny(e.Payload, `"to":2`) {
					t.Fatalf("payload=%s, want from 1 to 2", e.Payload)
				}
			}
		}
		if n != 1 {
			t.Fatalf("meeting.item_changed events=%d, want 1", n)
		}
	})
	t.Run("NoTimerAfterTheEnd", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "POST", path: sm.path("/end"), as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "先做费用测算"}}}), http.StatusOK)
		if b := sm.board(t, f.Resident); b.ItemStartedAt != nil {
			t.Fatalf("item_started_at=%v after the end, want null", b.ItemStartedAt)
		}
	})
}
