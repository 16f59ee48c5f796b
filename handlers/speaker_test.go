package handlers

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// testClock is the store's clock in speaker tests: it stands still until the test moves it.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// speakerMeeting is a started meeting with a three-item agenda, its clock, and helpers to call
// the speaker routes.
type speakerMeeting struct {
	ta    *testApp
	m     meetingResponse
	clock *testClock
}

func (ta *testApp) speakerMeeting(t *testing.T) *speakerMeeting {
	t.Helper()
	clock := &testClock{}
	clock.ns.Store(time.Date(2026, 12, 20, 11, 30, 0, 0, time.UTC).UnixNano())
	ta.store.Now = clock.now
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, map[string]any{"title": "加装电梯圆桌会", "starts_at": "2026-12-20T19:30:00+08:00",
		"location": "社区党群服务中心", "agenda": []map[string]any{{"title": "介绍方案", "minutes": 10},
			{"title": "费用分摊", "minutes": 30}, {"title": "表决方式", "minutes": 20}}})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: ta.fx.Facilitator}), http.StatusOK)
	return &speakerMeeting{ta: ta, m: m, clock: clock}
}

func (sm *speakerMeeting) path(rest string) string {
	return fmt.Sprintf("/api/v1/meetings/%d%s", sm.m.ID, rest)
}

func (sm *speakerMeeting) ask(as *models.User, body map[string]any) *httpRec {
	return sm.ta.do(req{method: "POST", path: sm.path("/speakers"), as: as, body: body})
}

// askOK signs the person in (when a member asks for themself) and queues them.
func (sm *speakerMeeting) askOK(t *testing.T, as *models.User, stance string) models.SpeakerSlot {
	t.Helper()
	if c := sm.ta.join(as, sm.m.JoinCode).Code; c != http.StatusOK && c != http.StatusCreated {
		t.Fatalf("join as %s: status=%d", as.Name, c)
	}
	rec := sm.ask(as, map[string]any{"stance": stance})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.SpeakerSlot](t, rec)
}

func (sm *speakerMeeting) board(t *testing.T, as *models.User) models.SpeakerBoard {
	t.Helper()
	rec := sm.ta.do(req{method: "GET", path: sm.path("/speakers"), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.SpeakerBoard](t, rec)
}

func (sm *speakerMeeting) slotCall(as *models.User, method string, id uint64, action string) *httpRec {
	return sm.ta.do(req{method: method, path: fmt.Sprintf("/api/v1/speakers/%d%s", id, action), as: as})
}

// speak starts a slot and, after d, finishes it, as the facilitator.
func (sm *speakerMeeting) speak(t *testing.T, id uint64, d time.Duration) {
	t.Helper()
	wantStatus(t, sm.slotCall(sm.ta.fx.Facilitator, "POST", id, "/start"), http.StatusOK)
	sm.clock.advance(d)
	wantStatus(t, sm.slotCall(sm.ta.fx.Facilitator, "POST", id, "/finish"), http.StatusOK)
}

// queueOrder is the queue as slot ids, with the reason of blocked ones.
func queueOrder(b models.SpeakerBoard) []string {
	out := []string{}
	for _, q := range b.Queue {
		s := fmt.Sprint(q.ID)
		if q.Blocked {
			s += " " + q.Reason
		}
		out = append(out, s)
	}
	return out
}

func TestSpeaker_Queue(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	t.Run("AlternatesStances", func(t *testing.T) {
		pro1 := sm.askOK(t, f.Resident, models.StancePro)
		sm.clock.advance(time.Second)
		pro2 := sm.askOK(t, f.Party, models.StancePro)
		sm.clock.advance(time.Second)
		con1 := sm.askOK(t, f.GridWorker, models.StanceCon)
		if pro1.Status != models.SlotWaiting || pro1.AgendaPosition != 1 || pro1.UserID == nil || *pro1.UserID != f.Resident.ID {
			t.Fatalf("slot=%+v", pro1)
		}
		b := sm.board(t, f.Unverified)
		if b.CurrentItem == nil || b.CurrentItem.Position != 1 || b.CurrentItem.Title != "介绍方案" || b.Speaking != nil ||
			b.SpeechSeconds != 120 || b.SpeechesPerItem != 2 {
			t.Fatalf("board=%+v", b)
		}
		want := fmt.Sprint([]uint64{pro1.ID, con1.ID, pro2.ID})
		if got := fmt.Sprint(slotIDs(b)); got != want {
			t.Fatalf("queue=%s, want %s (pro, con, pro)", got, want)
		}
		if b.Queue[0].Name != "居民" || b.Queue[1].Stance != models.StanceCon {
			t.Fatalf("queue=%+v", b.Queue)
		}
		sm.speak(t, pro1.ID, 60*time.Second)
		sm.speak(t, con1.ID, 60*time.Second)
		sm.speak(t, pro2.ID, 60*time.Second)
		if b := sm.board(t, f.Resident); len(b.Queue) != 0 || len(b.Done) != 3 || b.Done[0].ID != pro1.ID || b.Done[2].ID != pro2.ID {
			t.Fatalf("board=%+v", b)
		}
	})
	t.Run("FirstTimersFirst", func(t *testing.T) {
		// The resident has spoken once on item 1; a first-timer who asks later goes before them.
		again := sm.askOK(t, f.Resident, models.StanceCon)
		sm.clock.advance(time.Second)
		first := sm.askOK(t, f.Committee, models.StancePro)
		b := sm.board(t, f.Resident)
		if got, want := fmt.Sprint(slotIDs(b)), fmt.Sprint([]uint64{first.ID, again.ID}); got != want {
			t.Fatalf("queue=%s, want %s (first-timer before the repeat speaker)", got, want)
		}
		if b.Queue[0].Spoken != 0 || b.Queue[1].Spoken != 1 {
			t.Fatalf("queue=%+v", b.Queue)
		}
		sm.speak(t, again.ID, 30*time.Second)
		sm.speak(t, first.ID, 30*time.Second)
	})
	t.Run("ErrLimit", func(t *testing.T) {
		// Two speeches on item 1: the resident may not ask again, in either language.
		p := wantProblem(t, sm.ask(f.Resident, map[string]any{"stance": "pro"}), http.StatusConflict, "speech_limit")
		if p.Detail != "这一项议程每人最多发言2次，已经讲满了。" {
			t.Fatalf("detail=%q", p.Detail)
		}
	})
	t.Run("ItemSwitchResetsCounts", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 2}})
		wantStatus(t, rec, http.StatusOK)
		b := decode[models.SpeakerBoard](t, rec)
		if b.CurrentItem == nil || b.CurrentItem.Position != 2 || len(b.Done) != 0 {
			t.Fatalf("board=%+v", b)
		}
		evs := ta.events(f.A.ID)
		if last := evs[len(evs)-1]; last.Seq != before+1 || last.Type != models.EvMeetingItemChanged ||
			last.Payload != fmt.Sprintf(`{"from":1,"meeting_id":%d,"to":2}`, sm.m.ID) {
			t.Fatalf("event=%s %s", last.Type, last.Payload)
		}
		slot := sm.askOK(t, f.Resident, models.StancePro)
		if slot.AgendaPosition != 2 {
			t.Fatalf("slot=%+v", slot)
		}
		sm.speak(t, slot.ID, time.Minute)
		// Back on item 1, the two speeches given there count again.
		wantStatus(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 1}}), http.StatusOK)
		if b := sm.board(t, f.Resident); len(b.Done) != 5 {
			t.Fatalf("done on item 1=%d, want 5", len(b.Done))
		}
		wantProblem(t, sm.ask(f.Resident, map[string]any{"stance": "pro"}), http.StatusConflict, "speech_limit")
		// A slot asked on item 2 that waits when the meeting goes back to item 1 is blocked there.
		wantStatus(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 2}}), http.StatusOK)
		waiting := sm.askOK(t, f.Resident, models.StanceCon)
		wantStatus(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 1}}), http.StatusOK)
		if got := queueOrder(sm.board(t, f.Facilitator)); fmt.Sprint(got) != fmt.Sprintf("[%d speech_limit]", waiting.ID) {
			t.Fatalf("queue=%v", got)
		}
		wantProblem(t, sm.slotCall(f.Facilitator, "POST", waiting.ID, "/start"), http.StatusConflict, "speech_limit")
		wantStatus(t, sm.slotCall(f.Resident, "DELETE", waiting.ID, ""), http.StatusOK)
	})
	t.Run("ErrAgendaItem", func(t *testing.T) {
		p := wantProblem(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 9}}),
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "position", "议程里没有这一项")
		p = wantProblem(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 0}}),
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "position", "位置不能小于1")
		wantProblem(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Resident, body: map[string]any{"position": 2}}),
			http.StatusForbidden, "forbidden")
	})
}

func slotIDs(b models.SpeakerBoard) []uint64 {
	out := []uint64{}
	for _, q := range b.Queue {
		out = append(out, q.ID)
	}
	return out
}

func TestSpeaker_Timer(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	a := sm.askOK(t, f.Resident, models.StancePro)
	b := sm.askOK(t, f.Party, models.StanceCon)
	wantStatus(t, sm.slotCall(f.Facilitator, "POST", a.ID, "/start"), http.StatusOK)
	t.Run("OneAtATime", func(t *testing.T) {
		wantProblem(t, sm.slotCall(f.Facilitator, "POST", b.ID, "/start"), http.StatusConflict, "someone_speaking")
		wantProblem(t, sm.slotCall(f.Facilitator, "POST", a.ID, "/start"), http.StatusConflict, "slot_not_waiting")
		wantProblem(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 2}}),
			http.StatusConflict, "someone_speaking")
	})
	for _, step := range []struct {
		name      string
		advance   time.Duration
		remaining int
		phase     string
	}{
		{"Start", 0, 120, models.SpeechNormal},
		{"ThirtyOneLeft", 89 * time.Second, 31, models.SpeechNormal},
		{"ThirtyLeft", time.Second, 30, models.SpeechWarning},
		{"Zero", 30 * time.Second, 0, models.SpeechOver},
		{"OverrunNotCutOff", 15 * time.Second, -15, models.SpeechOver},
	} {
		t.Run(step.name, func(t *testing.T) {
			sm.clock.advance(step.advance)
			sp := sm.board(t, f.Resident).Speaking
			if sp == nil || sp.Slot.ID != a.ID || sp.Slot.Status != models.SlotSpeaking || sp.RemainingSeconds != step.remaining || sp.Phase != step.phase {
				t.Fatalf("speaking=%+v, want %d s %s", sp, step.remaining, step.phase)
			}
		})
	}
	t.Run("FinishByTheSpeaker", func(t *testing.T) {
		wantProblem(t, sm.slotCall(f.Party, "POST", a.ID, "/finish"), http.StatusForbidden, "forbidden")
		rec := sm.slotCall(f.Resident, "POST", a.ID, "/finish")
		wantStatus(t, rec, http.StatusOK)
		if got := decode[models.SpeakerSlot](t, rec); got.Status != models.SlotDone || got.EndedAt == nil ||
			got.EndedAt.Sub(*got.StartedAt) != 135*time.Second || got.StartedBy == nil || *got.StartedBy != f.Facilitator.ID {
			t.Fatalf("slot=%+v", got)
		}
		wantProblem(t, sm.slotCall(f.Resident, "POST", a.ID, "/finish"), http.StatusConflict, "slot_not_speaking")
		if sm.board(t, f.Resident).Speaking != nil {
			t.Fatal("still speaking after finish")
		}
		wantStatus(t, sm.slotCall(f.AdminA, "POST", b.ID, "/start"), http.StatusOK)
	})
	t.Run("Events", func(t *testing.T) {
		var types []string
		for _, e := range ta.events(f.A.ID) {
			if e.SubjectType == "speaker_slot" {
				types = append(types, string(e.Type))
				if containsAny(e.Payload, "居民", "党员") || !containsAny(e.Payload, fmt.Sprintf(`"meeting_id":%d`, sm.m.ID)) {
					t.Fatalf("event %s payload=%s, want ids without names", e.Type, e.Payload)
				}
			}
		}
		want := "[speaker.asked speaker.asked speaker.started speaker.finished speaker.started]"
		if fmt.Sprint(types) != want {
			t.Fatalf("events=%v, want %s", types, want)
		}
	})
}

func TestSpeaker_Ask(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	t.Run("ErrNotSignedIn", func(t *testing.T) {
		wantProblem(t, sm.ask(f.Resident, map[string]any{"stance": "pro"}), http.StatusConflict, "not_signed_in")
		wantProblem(t, sm.ask(f.Facilitator, map[string]any{"stance": "pro", "user_id": f.Resident.ID}), http.StatusConflict, "not_signed_in")
	})
	t.Run("ErrInput", func(t *testing.T) {
		p := wantProblem(t, sm.ask(f.Resident, map[string]any{"stance": "against"}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "stance", "立场只能是：pro, con, neutral")
		p = wantProblem(t, sm.ask(f.Facilitator, map[string]any{"stance": "pro", "user_id": f.Resident.ID, "name": "王奶奶"}),
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "请从成员名单里选一位，或者填写来宾姓名（二选一）")
		p = wantProblem(t, sm.ask(f.Facilitator, map[string]any{"stance": "pro", "user_id": f.ResidentB.ID}),
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "这个人不是本社区成员")
	})
	t.Run("ErrForSomeoneElseAsResident", func(t *testing.T) {
		wantStatus(t, ta.join(f.Party, sm.m.JoinCode), http.StatusCreated)
		wantProblem(t, sm.ask(f.Party, map[string]any{"stance": "pro", "name": "王奶奶"}), http.StatusForbidden, "forbidden")
		wantProblem(t, sm.ask(f.Party, map[string]any{"stance": "pro", "user_id": f.Resident.ID}), http.StatusForbidden, "forbidden")
		wantProblem(t, sm.ask(f.ResidentB, map[string]any{"stance": "pro"}), http.StatusNotFound, "not_found")
	})
	var walkIn models.SpeakerSlot
	t.Run("WalkInByName", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := sm.ask(f.Facilitator, map[string]any{"stance": "con", "name": " 王奶奶 "})
		wantStatus(t, rec, http.StatusCreated)
		walkIn = decode[models.SpeakerSlot](t, rec)
		if walkIn.UserID != nil || walkIn.Name != "王奶奶" || walkIn.AskedBy != f.Facilitator.ID {
			t.Fatalf("slot=%+v", walkIn)
		}
		wantStatus(t, sm.ask(f.AdminA, map[string]any{"stance": "con", "name": "王奶奶"}), http.StatusOK)
		evs := ta.events(f.A.ID)
		if lastSeq(evs) != before+1 {
			t.Fatalf("events after=%d, want one", lastSeq(evs)-before)
		}
		if last := evs[len(evs)-1]; last.Type != models.EvSpeakerAsked || containsAny(last.Payload, "王奶奶") {
			t.Fatalf("event=%s %s, want speaker.asked without the name", last.Type, last.Payload)
		}
		if b := sm.board(t, f.Unverified); len(b.Queue) != 1 || b.Queue[0].Name != "王奶奶" {
			t.Fatalf("queue=%+v", b.Queue)
		}
		// Two people without phones are two people, each first-time.
		other := sm.ask(f.Facilitator, map[string]any{"stance": "pro", "name": "李爷爷"})
		wantStatus(t, other, http.StatusCreated)
		sm.speak(t, walkIn.ID, time.Minute)
		b := sm.board(t, f.Facilitator)
		if len(b.Queue) != 1 || b.Queue[0].Spoken != 0 || b.Queue[0].Name != "李爷爷" {
			t.Fatalf("queue=%+v", b.Queue)
		}
	})
	t.Run("ForAMember", func(t *testing.T) {
		rec := sm.ask(f.Facilitator, map[string]any{"stance": "neutral", "user_id": f.Party.ID})
		wantStatus(t, rec, http.StatusCreated)
		if s := decode[models.SpeakerSlot](t, rec); s.UserID == nil || *s.UserID != f.Party.ID || s.Name != "党员" {
			t.Fatalf("slot=%+v", s)
		}
		// The member's own ask answers the same slot.
		rec = sm.ask(f.Party, map[string]any{"stance": "pro"})
		wantStatus(t, rec, http.StatusOK)
		if s := decode[models.SpeakerSlot](t, rec); s.Stance != models.StanceNeutral {
			t.Fatalf("slot=%+v, want the first (neutral) slot", s)
		}
	})
	t.Run("Withdraw", func(t *testing.T) {
		b := sm.board(t, f.Facilitator)
		var party uint64
		for _, q := range b.Queue {
			if q.UserID != nil && *q.UserID == f.Party.ID {
				party = q.ID
			}
		}
		wantProblem(t, sm.slotCall(f.Resident, "DELETE", party, ""), http.StatusForbidden, "forbidden")
		wantProblem(t, sm.slotCall(f.ResidentB, "DELETE", party, ""), http.StatusNotFound, "not_found")
		rec := sm.slotCall(f.Party, "DELETE", party, "")
		wantStatus(t, rec, http.StatusOK)
		if s := decode[models.SpeakerSlot](t, rec); s.Status != models.SlotWithdrawn {
			t.Fatalf("slot=%+v", s)
		}
		wantProblem(t, sm.slotCall(f.Party, "DELETE", party, ""), http.StatusConflict, "slot_not_waiting")
		wantProblem(t, sm.slotCall(f.Facilitator, "POST", party, "/start"), http.StatusConflict, "slot_not_waiting")
		// After withdrawing, a new hand is a new slot.
		wantStatus(t, sm.ask(f.Party, map[string]any{"stance": "pro"}), http.StatusCreated)
		if n := len(sm.board(t, f.Party).Queue); n != 2 {
			t.Fatalf("queue has %d, want 2", n)
		}
		wantProblem(t, sm.slotCall(f.Facilitator, "DELETE", walkIn.ID, ""), http.StatusConflict, "slot_not_waiting")
	})
	t.Run("ErrMeetingState", func(t *testing.T) {
		cy := ta.cardCycleMonth(t, "2027-03")
		m := ta.schedule(t, cy.ID, nil)
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Facilitator,
			body: map[string]any{"stance": "pro", "name": "王奶奶"}})
		wantProblem(t, rec, http.StatusConflict, "meeting_not_started")
		wantStatus(t, ta.do(req{method: "POST", path: sm.path("/end"), as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "纪要"}}}), http.StatusOK)
		wantProblem(t, sm.ask(f.Party, map[string]any{"stance": "con"}), http.StatusConflict, "meeting_ended")
		wantProblem(t, sm.slotCall(f.Party, "DELETE", walkIn.ID, ""), http.StatusConflict, "meeting_ended")
		// The record stays readable.
		if b := sm.board(t, f.Resident); len(b.Queue) != 2 {
			t.Fatalf("queue after the meeting=%+v", b.Queue)
		}
	})
}

// TestSpeaker_ConcurrentAsks: twenty taps at once make one waiting slot and one event.
func TestSpeaker_ConcurrentAsks(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	wantStatus(t, ta.join(f.Resident, sm.m.JoinCode), http.StatusCreated)
	const n = 20
	codes := make([]int, n)
	ids := make([]uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := sm.ask(f.Resident, map[string]any{"stance": "pro"})
			codes[i] = rec.Code
			var s models.SpeakerSlot
			if jsonUnmarshalRec(rec, &s) == nil {
				ids[i] = s.ID
			}
		}()
	}
	wg.Wait()
	created := 0
	for i, c := range codes {
		if c == http.StatusCreated {
			created++
		}
		if (c != http.StatusCreated && c != http.StatusOK) || ids[i] == 0 || ids[i] != ids[0] {
			t.Fatalf("ask %d: status=%d slot=%d, want 200/201 and slot %d", i, c, ids[i], ids[0])
		}
	}
	var rows int64
	ta.store.Gorm().Model(&models.SpeakerSlot{}).Where("meeting_id = ? AND user_id = ?", sm.m.ID, f.Resident.ID).Count(&rows)
	asked := 0
	for _, e := range ta.events(f.A.ID) {
		if e.Type == models.EvSpeakerAsked {
			asked++
		}
	}
	if created != 1 || rows != 1 || asked != 1 {
		t.Fatalf("created=%d rows=%d events=%d, want one each", created, rows, asked)
	}
}
