package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// meetingResponse is a meeting as the API sends it, display token included.
type meetingResponse struct {
	models.Meeting
	DisplayToken string `json:"display_token"`
}

func (ta *testApp) schedule(t *testing.T, cycleID uint64, body map[string]any) meetingResponse {
	t.Helper()
	if body == nil {
		body = map[string]any{"title": "加装电梯圆桌会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "社区党群服务中心"}
	}
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", cycleID), as: ta.fx.Facilitator, body: body})
	wantStatus(t, rec, http.StatusCreated)
	return decode[meetingResponse](t, rec)
}

func (ta *testApp) join(as *models.User, code string) *httpRec {
	return ta.do(req{method: "POST", path: "/api/v1/meetings/join", as: as, body: map[string]any{"code": code}})
}

// eventTypes lists the types of a community's events after seq.
func (ta *testApp) eventTypes(cid, after uint64) []models.EventType {
	var out []models.EventType
	for _, e := range ta.events(cid) {
		if e.Seq > after {
			out = append(out, e.Type)
		}
	}
	return out
}

func lastSeq(evs []models.Event) uint64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func TestMeeting_Schedule(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	path := fmt.Sprintf("/api/v1/cycles/%d/meetings", cy.ID)
	t.Run("OK", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		m := ta.schedule(t, cy.ID, map[string]any{"title": "加装电梯圆桌会", "starts_at": "2026-12-20T19:30:00+08:00",
			"location": "社区党群服务中心", "quorum": 15, "agenda": []map[string]any{{"title": "介绍方案", "minutes": 10}, {"title": "自由发言", "minutes": 40}}})
		if m.Status != models.MeetingScheduled || len(m.JoinCode) != 6 || len(m.DisplayToken) < 40 || m.Quorum != 15 ||
			m.SpeechSeconds != 120 || m.SpeechesPerItem != 2 || len(m.Agenda) != 2 || m.Agenda[1].Position != 2 ||
			m.StartsAt.Format("2006-01-02T15:04:05Z07:00") != "2026-12-20T11:30:00Z" || m.QuorumMet {
			t.Fatalf("meeting=%+v", m)
		}
		if got := ta.eventTypes(f.A.ID, before); len(got) != 1 || got[0] != models.EvMeetingScheduled {
			t.Fatalf("events=%v, want meeting.scheduled", got)
		}
		// The join code is for those who run the meeting (and the wall): anyone else could sign
		// in from home with it.
		for _, u := range []*models.User{f.Facilitator, f.AdminA} {
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d", m.ID), as: u})
			wantStatus(t, rec, http.StatusOK)
			got := decode[map[string]any](t, rec)
			if _, ok := got["display_token"]; ok || got["join_code"] != m.JoinCode {
				t.Fatalf("GET meeting as %s=%v, want the join code and no display token", u.Name, got)
			}
			rec = ta.do(req{method: "GET", path: path, as: u})
			if items := decode[itemsPage[map[string]any]](t, rec).Items; len(items) != 1 || items[0]["join_code"] != m.JoinCode {
				t.Fatalf("list as %s=%v, want the join code", u.Name, items)
			}
		}
		for _, u := range []*models.User{f.Unverified, f.Resident, f.Party, f.GridWorker, f.Committee} {
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d", m.ID), as: u})
			wantStatus(t, rec, http.StatusOK)
			if got := decode[map[string]any](t, rec); got["join_code"] != nil || got["display_token"] != nil || got["id"] == nil {
				t.Fatalf("GET meeting as %s=%v, want no join code", u.Name, got)
			}
			rec = ta.do(req{method: "GET", path: path, as: u})
			wantStatus(t, rec, http.StatusOK)
			items := decode[itemsPage[map[string]any]](t, rec).Items
			if len(items) != 1 || items[0]["join_code"] != nil || uint64(items[0]["id"].(float64)) != m.ID {
				t.Fatalf("list as %s=%v, want the meeting without its join code", u.Name, items)
			}
		}
	})
	t.Run("ErrResident", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.Resident,
			body: map[string]any{"title": "会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("ErrOtherTenant", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: path, as: f.ResidentB})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
	})
	t.Run("ErrBadTime", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.Facilitator,
			body: map[string]any{"title": "会", "starts_at": "12月20日晚上", "location": "会议室"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "starts_at", "时间格式不对，应为 2026-12-20T19:30:00+08:00 这样")
	})
	t.Run("ErrBadLimits", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.Facilitator, header: map[string]string{"Accept-Language": "en"},
			body: map[string]any{"title": "会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室", "speech_seconds": 5,
				"agenda": []map[string]any{{"title": " ", "minutes": 10}}}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "speech_seconds", "Speech length (seconds) must be at least 30")
		wantField(t, p, "agenda[0].title", "Agenda item is required")
	})
	t.Run("ErrPhase", func(t *testing.T) {
		other := ta.openCycle(t, "2027-01")
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", other.ID), as: f.Facilitator,
			body: map[string]any{"title": "会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室"}})
		wantProblem(t, rec, http.StatusConflict, "phase_closed")
	})
}

func TestMeeting_StartEnd(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	card := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "分单元表决"})
	m := ta.schedule(t, cy.ID, nil)
	mp := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	t.Run("ErrEndBeforeStart", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator, body: map[string]any{"minutes": map[string]any{"summary": "纪要"}}})
		wantProblem(t, rec, http.StatusConflict, "meeting_not_started")
	})
	t.Run("ErrStartAsResident", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "POST", path: mp + "/start", as: f.Resident}), http.StatusForbidden, "forbidden")
	})
	t.Run("StartMovesThePhase", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: mp + "/start", as: f.Facilitator})
		wantStatus(t, rec, http.StatusOK)
		if got := decode[models.Meeting](t, rec); got.Status != models.MeetingStarted || got.StartedAt == nil {
			t.Fatalf("meeting=%+v", got)
		}
		if c := must(ta.store.GetCycle(context.Background(), f.Super.Actor(), cy.ID)); c.Phase != models.PhaseRoundTable {
			t.Fatalf("phase=%q, want round_table", c.Phase)
		}
		if got := ta.eventTypes(f.A.ID, before); fmt.Sprint(got) != "[cycle.advanced meeting.started]" {
			t.Fatalf("events=%v", got)
		}
		wantProblem(t, ta.do(req{method: "POST", path: mp + "/start", as: f.Facilitator}), http.StatusConflict, "meeting_already_started")
	})
	t.Run("SecondMeetingStartsInRoundTable", func(t *testing.T) {
		m2 := ta.schedule(t, cy.ID, nil)
		before := lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m2.ID), as: f.AdminA}), http.StatusOK)
		if got := ta.eventTypes(f.A.ID, before); fmt.Sprint(got) != "[meeting.started]" {
			t.Fatalf("events=%v", got)
		}
	})
	t.Run("ErrCardOfAnotherCycle", func(t *testing.T) {
		other := ta.cardCycleMonth(t, "2027-02")
		c2 := ta.submit(t, other.ID, f.Resident, map[string]any{"body": "别的月份"})
		rec := ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "纪要", "card_ids": []uint64{card.ID, c2.ID}}}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "minutes.card_ids", "有卡片不属于本期月月谈")
	})
	t.Run("ErrNoSummary", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator, body: map[string]any{"minutes": map[string]any{"card_ids": []uint64{}}}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "minutes.summary", "请填写纪要内容")
	})
	t.Run("EndWithMinutes", func(t *testing.T) {
		wantStatus(t, ta.join(f.Resident, m.JoinCode), http.StatusCreated)
		wantStatus(t, ta.join(f.Party, m.JoinCode), http.StatusCreated)
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "同意分单元表决", "card_ids": []uint64{card.ID, card.ID}}}})
		wantStatus(t, rec, http.StatusOK)
		got := decode[models.Meeting](t, rec)
		if got.Status != models.MeetingEnded || got.EndedAt == nil || got.AttendeeCount != 2 || got.Summary != "同意分单元表决" ||
			fmt.Sprint(got.MinutesCardIDs) != fmt.Sprint([]uint64{card.ID}) {
			t.Fatalf("meeting=%+v", got)
		}
		if got := ta.eventTypes(f.A.ID, before); fmt.Sprint(got) != "[meeting.ended]" {
			t.Fatalf("events=%v", got)
		}
		rec = ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator, body: map[string]any{"minutes": map[string]any{"summary": "再来"}}})
		wantProblem(t, rec, http.StatusConflict, "meeting_ended")
		// The code of an ended meeting no longer works, and a later sign-in by the facilitator is refused.
		p := wantProblem(t, ta.join(f.GridWorker, m.JoinCode), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "code", "签到码不对，或者会议已经结束，请核对后再试")
		rec = ta.do(req{method: "POST", path: mp + "/attendance", as: f.Facilitator, body: map[string]any{"name": "迟到的王奶奶"}})
		wantProblem(t, rec, http.StatusConflict, "meeting_ended")
	})
}

// cardCycleMonth is cardCycle for another month.
func (ta *testApp) cardCycleMonth(t *testing.T, month string) models.Cycle {
	t.Helper()
	cy := ta.openCycle(t, month)
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	tp := ta.propose(t, cy.ID, ta.fx.Resident, "楼道照明"+month)
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: ta.fx.Facilitator,
		body: map[string]any{"topic_id": tp.ID, "reason": "附议最多"}}), http.StatusOK)
	return ta.advance(t, cy.ID, models.PhaseCardCollection)
}

func TestMeeting_Join(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, map[string]any{"title": "圆桌会", "starts_at": "2026-12-20T19:30:00Z", "location": "会议室", "quorum": 2})
	t.Run("ErrNotStarted", func(t *testing.T) {
		for _, loc := range []string{"zh-CN", "en"} {
			rec := ta.do(req{method: "POST", path: "/api/v1/meetings/join", as: f.Resident, body: map[string]any{"code": m.JoinCode},
				header: map[string]string{"Accept-Language": loc}})
			p := wantProblem(t, rec, http.StatusConflict, "join_not_started")
			if p.Detail != T(loc, "join_not_started", nil) {
				t.Fatalf("detail=%q", p.Detail)
			}
		}
	})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
	t.Run("ErrNotVerified", func(t *testing.T) {
		// A self-registered account joins only once a grid worker has verified it; the
		// facilitator signs in anyone they see at the door.
		p := wantProblem(t, ta.join(f.Unverified, m.JoinCode), http.StatusForbidden, "not_verified")
		if p.Detail != T(LocaleZH, "not_verified", nil) {
			t.Fatalf("detail=%q", p.Detail)
		}
		var n int64
		ta.store.Gorm().Model(&models.Attendance{}).Where("meeting_id = ? AND user_id = ?", m.ID, f.Unverified.ID).Count(&n)
		if n != 0 {
			t.Fatal("an unverified account signed itself in")
		}
	})
	t.Run("OK", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.join(f.Resident, m.JoinCode)
		wantStatus(t, rec, http.StatusCreated)
		got := decode[joinResponse](t, rec)
		if got.Meeting.ID != m.ID || got.Attendance.UserID == nil || *got.Attendance.UserID != f.Resident.ID ||
			got.Attendance.Method != models.CheckInCode || got.Attendance.Name != "居民" || got.Meeting.JoinCode != "" {
			t.Fatalf("join=%+v %+v", got.Meeting, got.Attendance)
		}
		evs := ta.events(f.A.ID)
		last := evs[len(evs)-1]
		if last.Seq != before+1 || last.Type != models.EvAttendanceCheckedIn || last.Visibility != models.VisCommittee {
			t.Fatalf("event=%+v", last)
		}
		again := ta.do(req{method: "POST", path: "/api/v1/meetings/join", as: f.Resident, body: map[string]any{"code": m.JoinCode, "method": "qr"}})
		wantStatus(t, again, http.StatusOK)
		if a := decode[joinResponse](t, again).Attendance; a.ID != got.Attendance.ID || a.Method != models.CheckInCode {
			t.Fatalf("again=%+v, want the first attendance", a)
		}
		if n := len(ta.events(f.A.ID)); uint64(n) != before+1 {
			t.Fatalf("a repeated sign-in appended an event")
		}
	})
	t.Run("ErrWrongCode", func(t *testing.T) {
		wrong := "000000"
		if m.JoinCode == wrong {
			wrong = "000001"
		}
		rec := ta.do(req{method: "POST", path: "/api/v1/meetings/join", as: f.Resident, body: map[string]any{"code": wrong},
			header: map[string]string{"Accept-Language": "en"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "code", "This sign-in code is wrong or its meeting has ended; please check it and try again")
		p = wantProblem(t, ta.join(f.Resident, "12ab"), http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors["code"] == "" {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
	t.Run("ErrOtherCommunity", func(t *testing.T) {
		// A member of B gets what a wrong code gets: the code reveals nothing of A.
		wrong := ta.join(f.ResidentB, "999999").Body.String()
		rec := ta.join(f.ResidentB, m.JoinCode)
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if m.JoinCode != "999999" && rec.Body.String() != wrong {
			t.Fatalf("body=%s, want the same as a wrong code: %s", rec.Body.String(), wrong)
		}
		wantProblem(t, ta.join(nil, m.JoinCode), http.StatusUnauthorized, "login_required")
	})
	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		codes := make([]int, 30)
		ids := make([]uint64, 30)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := ta.join(f.Party, m.JoinCode)
				codes[i] = rec.Code
				if rec.Code < 300 {
					var r joinResponse
					if err := jsonUnmarshalRec(rec, &r); err == nil {
						ids[i] = r.Attendance.ID
					}
				}
			}()
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			if c == http.StatusCreated {
				created++
			}
			if (c != http.StatusCreated && c != http.StatusOK) || ids[i] != ids[0] || ids[i] == 0 {
				t.Fatalf("join %d: status=%d id=%d, want 200/201 and attendance %d", i, c, ids[i], ids[0])
			}
		}
		var n int64
		ta.store.Gorm().Model(&models.Attendance{}).Where("meeting_id = ? AND user_id = ?", m.ID, f.Party.ID).Count(&n)
		if created != 1 || n != 1 {
			t.Fatalf("created=%d rows=%d, want one attendance", created, n)
		}
		checked := 0
		for _, e := range ta.events(f.A.ID) {
			if e.Type == models.EvAttendanceCheckedIn && e.ActorID != nil && *e.ActorID == f.Party.ID {
				checked++
			}
		}
		if checked != 1 {
			t.Fatalf("%d attendance events for one person, want 1", checked)
		}
	})
}

func TestMeeting_Attendance(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, map[string]any{"title": "圆桌会", "starts_at": "2026-12-20T19:30:00Z", "location": "会议室", "quorum": 3})
	ap := fmt.Sprintf("/api/v1/meetings/%d/attendance", m.ID)
	started := false
	checkIn := func(as *models.User, body map[string]any) *httpRec {
		return ta.do(req{method: "POST", path: ap, as: as, body: body})
	}
	list := func(as *models.User) models.AttendanceList {
		t.Helper()
		rec := ta.do(req{method: "GET", path: ap, as: as})
		wantStatus(t, rec, http.StatusOK)
		return decode[models.AttendanceList](t, rec)
	}
	t.Run("Member", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := checkIn(f.Facilitator, map[string]any{"user_id": f.Resident.ID})
		wantStatus(t, rec, http.StatusCreated)
		a := decode[models.Attendance](t, rec)
		if a.Method != models.CheckInFacilitator || a.CheckedInBy != f.Facilitator.ID || a.Name != "居民" {
			t.Fatalf("attendance=%+v", a)
		}
		wantStatus(t, checkIn(f.AdminA, map[string]any{"user_id": f.Resident.ID}), http.StatusOK)
		// Staff sign people in at the door before the meeting starts; the member's own scan
		// once it runs answers the same attendance.
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
		started = true
		rec = ta.join(f.Resident, m.JoinCode)
		wantStatus(t, rec, http.StatusOK)
		if got := decode[joinResponse](t, rec).Attendance.ID; got != a.ID {
			t.Fatalf("join answered %d, want %d", got, a.ID)
		}
		if got := ta.eventTypes(f.A.ID, before); fmt.Sprint(got) != "[attendance.checked_in cycle.advanced meeting.started]" {
			t.Fatalf("events=%v", got)
		}
	})
	t.Run("WalkIn", func(t *testing.T) {
		if !started {
			t.Skip("the meeting did not start")
		}
		rec := checkIn(f.Facilitator, map[string]any{"name": " 王奶奶 "})
		wantStatus(t, rec, http.StatusCreated)
		a := decode[models.Attendance](t, rec)
		if a.UserID != nil || a.Name != "王奶奶" {
			t.Fatalf("attendance=%+v", a)
		}
		wantStatus(t, checkIn(f.Facilitator, map[string]any{"name": "王奶奶"}), http.StatusOK)
		evs := ta.events(f.A.ID)
		if p := evs[len(evs)-1].Payload; evs[len(evs)-1].Type != models.EvAttendanceCheckedIn || containsAny(p, "王奶奶") {
			t.Fatalf("last event=%s %s, want a check-in without the name", evs[len(evs)-1].Type, p)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		p := wantProblem(t, checkIn(f.Facilitator, map[string]any{}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "请从成员名单里选一位，或者填写来宾姓名（二选一）")
		wantProblem(t, checkIn(f.Facilitator, map[string]any{"user_id": f.Resident.ID, "name": "x"}), http.StatusUnprocessableEntity, "invalid_input")
		p = wantProblem(t, checkIn(f.Facilitator, map[string]any{"user_id": f.ResidentB.ID}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "这个人不是本社区成员")
		wantProblem(t, checkIn(f.Resident, map[string]any{"name": "x"}), http.StatusForbidden, "forbidden")
		wantProblem(t, checkIn(f.AdminB, map[string]any{"name": "x"}), http.StatusNotFound, "not_found")
	})
	t.Run("Privacy", func(t *testing.T) {
		for _, u := range []*models.User{f.Facilitator, f.AdminA, f.Committee} {
			l := list(u)
			if l.Count != 2 || !l.NamesVisible || len(l.Items) != 2 || l.Items[0].Name != "居民" || l.Items[1].Name != "王奶奶" {
				t.Fatalf("as %s: %+v", u.Name, l)
			}
		}
		for _, u := range []*models.User{f.Resident, f.Party, f.GridWorker, f.Unverified} {
			l := list(u)
			if l.Count != 2 || l.NamesVisible || len(l.Items) != 0 || l.CheckedIn != (u == f.Resident) {
				t.Fatalf("as %s: %+v", u.Name, l)
			}
		}
		wantProblem(t, ta.do(req{method: "GET", path: ap, as: f.ResidentB}), http.StatusNotFound, "not_found")
	})
	t.Run("Quorum", func(t *testing.T) {
		if l := list(f.Resident); l.QuorumMet || l.Quorum != 3 {
			t.Fatalf("2 of 3: %+v", l)
		}
		wantStatus(t, ta.join(f.Party, m.JoinCode), http.StatusCreated)
		if l := list(f.Resident); !l.QuorumMet || l.Count != 3 {
			t.Fatalf("3 of 3: %+v", l)
		}
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d", m.ID), as: f.Resident})
		if got := decode[models.Meeting](t, rec); !got.QuorumMet || got.AttendeeCount != 3 {
			t.Fatalf("meeting=%+v", got)
		}
	})
}

func TestMeeting_DisplayToken(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	got, err := ta.store.MeetingByDisplayToken(ctx, m.DisplayToken)
	if err != nil || got.ID != m.ID || got.JoinCode != m.JoinCode {
		t.Fatalf("by token: %+v, %v", got, err)
	}
	tp := fmt.Sprintf("/api/v1/meetings/%d/display-token", m.ID)
	wantProblem(t, ta.do(req{method: "POST", path: tp, as: f.Committee}), http.StatusForbidden, "forbidden")
	before := lastSeq(ta.events(f.A.ID))
	rec := ta.do(req{method: "POST", path: tp, as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	renewed := decode[displayTokenResponse](t, rec).DisplayToken
	if renewed == "" || renewed == m.DisplayToken {
		t.Fatalf("renewed=%q", renewed)
	}
	if _, err := ta.store.MeetingByDisplayToken(ctx, m.DisplayToken); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("old token: err=%v, want not found", err)
	}
	if got, err := ta.store.MeetingByDisplayToken(ctx, renewed); err != nil || got.ID != m.ID {
		t.Fatalf("new token: %+v, %v", got, err)
	}
	if _, err := ta.store.MeetingByDisplayToken(ctx, ""); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("empty token: err=%v", err)
	}
	if got := ta.eventTypes(f.A.ID, before); fmt.Sprint(got) != "[meeting.display_token_renewed]" {
		t.Fatalf("events=%v", got)
	}
	for _, e := range ta.events(f.A.ID) {
		if containsAny(e.Payload, m.DisplayToken, renewed, m.JoinCode) {
			t.Fatalf("event %s carries a secret: %s", e.Type, e.Payload)
		}
	}
}

// containsAny reports whether s holds one of the words.
func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if w != "" && strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// jsonUnmarshalRec decodes a response without failing the test, for goroutines.
func jsonUnmarshalRec(rec *httpRec, v any) error { return json.Unmarshal(rec.Body.Bytes(), v) }

// TestMeeting_ClusterSuggestions: cards written as residents write them come back grouped by
// idea; a lone card stays alone; hidden cards are left out.
func TestMeeting_ClusterSuggestions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	ids := map[string]uint64{}
	for key, body := range map[string]string{
		"cost1":  "电梯费用按楼层分摊，楼层越高出钱越多",
		"cost2":  "按楼层分摊费用，高层多出，低层少出",
		"cost3":  "费用按楼层高低分摊比较公平",
		"light1": "一楼住户采光受影响，应该给一楼补偿",
		"light2": "给一楼住户采光补偿",
		"tree":   "小区里多种点树",
	} {
		ids[key] = ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": body}).ID
	}
	hidden := ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": "电梯费用按楼层分摊"})
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", hidden.ID), as: ta.fx.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "重复"}}), http.StatusOK)

	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/cluster-suggestions", m.ID), as: ta.fx.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	items := decode[itemsPage[models.Suggestion]](t, rec).Items
	groups := map[string]bool{}
	for _, it := range items {
		var names []string
		for _, id := range it.CardIDs {
			if id == hidden.ID {
				t.Fatalf("a hidden card was suggested: %+v", it)
			}
			for k, v := range ids {
				if v == id {
					names = append(names, k)
				}
			}
		}
		sort.Strings(names)
		groups[strings.Join(names, ",")] = true
		if it.Score <= 0 || it.Score > 1 {
			t.Fatalf("score=%v", it.Score)
		}
	}
	if len(items) != 2 || !groups["cost1,cost2,cost3"] || !groups["light1,light2"] {
		t.Fatalf("suggestions=%v (%+v), want the cost cards together and the compensation cards together", groups, items)
	}
	wantProblem(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/cluster-suggestions", m.ID), as: ta.fx.Resident}),
		http.StatusForbidden, "forbidden")
}

// checkInMember signs a member in at a meeting as the facilitator does at the door, which a
// scheduled meeting allows (a member signs themself in only once it runs).
func (ta *testApp) checkInMember(meetingID uint64, u *models.User) *httpRec {
	return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", meetingID), as: ta.fx.Facilitator,
		body: map[string]any{"user_id": u.ID}})
}

// endMeeting ends a running meeting with minutes, as the facilitator does before the cycle
// moves on.
func (ta *testApp) endMeeting(t *testing.T, meetingID uint64) {
	t.Helper()
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/end", meetingID), as: ta.fx.Facilitator,
		body: map[string]any{"minutes": map[string]any{"summary": "会议结束"}}}), http.StatusOK)
}

// Any facilitator or admin of the meeting reads the wall's current link without retiring it; a
// renewal changes what they read; members, the committee and other communities get nothing.
func TestMeeting_WallLink(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	path := fmt.Sprintf("/api/v1/meetings/%d/wall-link", m.ID)
	link := func(as *models.User) wallLinkResponse {
		t.Helper()
		rec := ta.do(req{method: "GET", path: path, as: as})
		wantStatus(t, rec, http.StatusOK)
		return decode[wallLinkResponse](t, rec)
	}
	// The other facilitator (an admin here) did not make the meeting, and gets the same link.
	for _, as := range []*models.User{f.Facilitator, f.AdminA} {
		got := link(as)
		if got.DisplayToken != m.DisplayToken || !strings.HasSuffix(got.URL, "/display/"+m.DisplayToken) {
			t.Fatalf("link=%+v, want token %q", got, m.DisplayToken)
		}
	}
	// Reading it retires nothing: the wall still opens with the token it has.
	wantStatus(t, ta.do(req{method: "GET", path: "/api/v1/display/" + m.DisplayToken}), http.StatusOK)
	for _, c := range []struct {
		name   string
		as     *models.User
		status int
		code   string
	}{
		{"ErrResident", f.Resident, http.StatusForbidden, "forbidden"},
		{"ErrCommittee", f.Committee, http.StatusForbidden, "forbidden"},
		{"ErrOtherCommunity", f.ResidentB, http.StatusNotFound, "not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, ta.do(req{method: "GET", path: path, as: c.as}), c.status, c.code)
		})
	}
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/display-token", m.ID), as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	renewed := decode[displayTokenResponse](t, rec).DisplayToken
	if got := link(f.AdminA); got.DisplayToken != renewed {
		t.Fatalf("after renewal the link is %q, want %q", got.DisplayToken, renewed)
	}
	t.Run("ErrMadeBeforeTheTokenWasKept", func(t *testing.T) {
		if err := ta.store.Gorm().Table("meetings").Where("id = ?", m.ID).Update("display_token", nil).Error; err != nil {
			t.Fatal(err)
		}
		wantProblem(t, ta.do(req{method: "GET", path: path, as: f.Facilitator}), http.StatusConflict, "wall_link_unknown")
	})
}
