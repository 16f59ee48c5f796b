package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

func seatsPath(meetingID uint64) string { return fmt.Sprintf("/api/v1/meetings/%d/seats", meetingID) }
func seatPath(id uint64) string         { return fmt.Sprintf("/api/v1/seats/%d", id) }

// seatMeeting schedules a meeting in a fresh cycle of community A that collects cards.
func (ta *testApp) seatMeeting(t *testing.T) meetingResponse {
	t.Helper()
	cy := ta.cardCycle(t)
	return ta.schedule(t, cy.ID, nil)
}

// invite plans a seat as the facilitator and wants 201.
func (ta *testApp) invite(t *testing.T, meetingID uint64, body map[string]any) models.Seat {
	t.Helper()
	rec := ta.do(req{method: "POST", path: seatsPath(meetingID), as: ta.fx.Facilitator, body: body})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.Seat](t, rec)
}

func (ta *testApp) seats(t *testing.T, meetingID uint64, as *models.User) models.SeatList {
	t.Helper()
	rec := ta.do(req{method: "GET", path: seatsPath(meetingID), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.SeatList](t, rec)
}

// lastSeatEvent is the newest event of community A, with its payload decoded.
func (ta *testApp) lastSeatEvent(t *testing.T) (models.Event, map[string]any) {
	t.Helper()
	evs := ta.events(ta.fx.A.ID)
	e := evs[len(evs)-1]
	var p map[string]any
	if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
		t.Fatalf("payload of %s: %v", e.Type, err)
	}
	return e, p
}

// seatLayout is "label:name" of each seat in order, for comparing whole tables.
func seatLayout(l models.SeatList) string {
	var parts []string
	for i, s := range l.Items {
		if s.Position != i+1 {
			return fmt.Sprintf("seat %d at position %d", s.ID, s.Position)
		}
		parts = append(parts, s.Label+":"+s.Name)
	}
	return strings.Join(parts, " ")
}

func TestSeat_Invite(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	m := ta.seatMeeting(t)
	property := must(ta.store.CreateOrganization(ctx, f.Super.Actor(), f.A.ID, "安友物业", "property"))
	bureau := must(ta.store.CreateOrganization(ctx, f.Super.Actor(), f.A.ID, "江汉区住房和城市更新局", "district_department"))
	otherOrg := must(ta.store.CreateOrganization(ctx, f.Super.Actor(), f.B.ID, "天门物业", "property"))

	t.Run("OK", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		st := ta.invite(t, m.ID, map[string]any{"kind": "resident_con", "label": " 一楼住户代表 ",
			"invitee": map[string]any{"user_id": f.Resident.ID}})
		if st.Kind != models.SeatResidentCon || st.Label != "一楼住户代表" || st.Position != 1 || st.UserID == nil ||
			*st.UserID != f.Resident.ID || st.Name != "居民" || st.InvitedAt == nil || st.CreatedBy != f.Facilitator.ID ||
			st.Present == nil || *st.Present || st.Phone != "138****0006" {
			t.Fatalf("seat=%+v", st)
		}
		e, p := ta.lastSeatEvent(t)
		if e.Seq != before+1 || e.Type != models.EvSeatInvited || e.SubjectType != "seat" || e.SubjectID != st.ID ||
			e.Visibility != models.VisCommittee || p["meeting_id"] != float64(m.ID) || p["user_id"] != float64(f.Resident.ID) ||
			p["kind"] != "resident_con" || p["label"] != "一楼住户代表" {
			t.Fatalf("event=%+v payload=%v", e, p)
		}
		org := ta.invite(t, m.ID, map[string]any{"kind": "property", "label": "物业",
			"invitee": map[string]any{"organization_id": property.ID}})
		guest := ta.invite(t, m.ID, map[string]any{"kind": "department", "label": "区住建局",
			"invitee": map[string]any{"organization_id": bureau.ID, "name": "李科长"}})
		open := ta.invite(t, m.ID, map[string]any{"kind": "resident_pro", "label": "高层住户代表"})
		if org.OrganizationName != "安友物业" || org.Name != "" || org.Position != 2 || guest.Name != "李科长" ||
			guest.OrganizationName != "江汉区住房和城市更新局" || open.InvitedAt != nil || open.Name != "" || open.Position != 4 {
			t.Fatalf("org=%+v guest=%+v open=%+v", org, guest, open)
		}
		// The same organization may send another person; two open seats of one kind are fine.
		ta.invite(t, m.ID, map[string]any{"kind": "department", "label": "区住建局", "invitee": map[string]any{"organization_id": bureau.ID}})
		ta.invite(t, m.ID, map[string]any{"kind": "resident_pro", "label": "高层住户代表", "invitee": map[string]any{}})
		l := ta.seats(t, m.ID, f.Committee)
		if got := seatLayout(l); got != "一楼住户代表:居民 物业: 区住建局:李科长 高层住户代表: 区住建局: 高层住户代表:" ||
			l.SeatCount != 6 || l.SeatsPresent != 0 || !l.PresenceVisible {
			t.Fatalf("seats=%s count=%d present=%d", got, l.SeatCount, l.SeatsPresent)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		before := ta.events(f.A.ID)
		count := ta.seats(t, m.ID, f.AdminA).SeatCount
		post := func(body map[string]any, lang string) *httpRec {
			var h map[string]string
			if lang != "" {
				h = map[string]string{"Accept-Language": lang}
			}
			return ta.do(req{method: "POST", path: seatsPath(m.ID), as: f.Facilitator, body: body, header: h})
		}
		cases := []struct {
			name, field, zh, en string
			body                map[string]any
		}{
			{"blank label", "label", "请填写席位名称，比如「一楼住户代表」", `Please name the seat, e.g. "ground-floor residents"`,
				map[string]any{"kind": "property", "label": "  "}},
			{"long label", "label", "席位名称最多30个字", "A seat's name has at most 30 characters",
				map[string]any{"kind": "property", "label": strings.Repeat("代", 31)}},
			{"unknown kind", "kind", "没有这种席位类型，请从列表里选", "There is no such kind of seat; choose one from the list",
				map[string]any{"kind": "landlord", "label": "房东"}},
			{"no kind", "kind", "请选择席位类型", "Please choose the kind of seat", map[string]any{"label": "房东"}},
			{"member and guest", "invitee.user_id", "请从成员名单里选一位，或者填写来宾姓名（二选一）",
				"Choose a member from the list or type a guest's name (one of the two)",
				map[string]any{"kind": "expert", "label": "专家", "invitee": map[string]any{"user_id": f.Party.ID, "name": "王工"}}},
			{"long guest name", "invitee.name", "来宾姓名最多50个字", "Guest's name must be at most 50 characters",
				map[string]any{"kind": "expert", "label": "专家", "invitee": map[string]any{"name": strings.Repeat("王", 51)}}},
			{"duplicate member", "invitee.user_id", "已经在本次会议的席位名单里了，不用重复邀请",
				"Already has a seat at this meeting; no need to invite them twice",
				map[string]any{"kind": "resident_pro", "label": "又一个", "invitee": map[string]any{"user_id": f.Resident.ID}}},
			{"duplicate organization", "invitee.organization_id", "已经在本次会议的席位名单里了，不用重复邀请",
				"Already has a seat at this meeting; no need to invite them twice",
				map[string]any{"kind": "property", "label": "物业", "invitee": map[string]any{"organization_id": property.ID}}},
			{"duplicate guest", "invitee.name", "已经在本次会议的席位名单里了，不用重复邀请",
				"Already has a seat at this meeting; no need to invite them twice",
				map[string]any{"kind": "department", "label": "区住建局", "invitee": map[string]any{"organization_id": bureau.ID, "name": "李科长"}}},
		}
		for _, c := range cases {
			p := wantProblem(t, post(c.body, ""), http.StatusUnprocessableEntity, "invalid_input")
			wantField(t, p, c.field, c.zh)
			p = wantProblem(t, post(c.body, "en"), http.StatusUnprocessableEntity, "invalid_input")
			wantField(t, p, c.field, c.en)
		}
		// Bad JSON and unknown fields are the binder's.
		wantProblem(t, ta.do(req{method: "POST", path: seatsPath(m.ID), as: f.Facilitator, body: `{"kind": "property", "label": "物业", "phone": "1"}`}),
			http.StatusBadRequest, "unknown_field")
		wantProblem(t, ta.do(req{method: "POST", path: seatsPath(m.ID), as: f.Facilitator, body: `{"kind": 3}`}),
			http.StatusUnprocessableEntity, "invalid_input")
		if got := ta.events(f.A.ID); len(got) != len(before) {
			t.Fatalf("refused invitations appended %d events", len(got)-len(before))
		}
		if got := ta.seats(t, m.ID, f.AdminA).SeatCount; got != count {
			t.Fatalf("seats=%d after refusals, want %d", got, count)
		}
	})

	t.Run("ErrOtherTenantLooksMissing", func(t *testing.T) {
		before := ta.events(f.A.ID)
		invitee := func(inv map[string]any) *httpRec {
			return ta.do(req{method: "POST", path: seatsPath(m.ID), as: f.Facilitator,
				body: map[string]any{"kind": "resident_pro", "label": "代表", "invitee": inv}})
		}
		// A member of community B is to A what nobody is.
		other := invitee(map[string]any{"user_id": f.ResidentB.ID})
		missing := invitee(map[string]any{"user_id": 987654})
		p := wantProblem(t, other, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "invitee.user_id", "这个人不是本社区成员")
		if other.Body.String() != missing.Body.String() {
			t.Fatalf("another tenant's member: %s, want the same as a missing user: %s", other.Body, missing.Body)
		}
		other = invitee(map[string]any{"organization_id": otherOrg.ID})
		missing = invitee(map[string]any{"organization_id": 987654})
		p = wantProblem(t, other, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "invitee.organization_id", "找不到这个组织")
		if other.Body.String() != missing.Body.String() {
			t.Fatalf("another tenant's organization: %s, want the same as a missing one: %s", other.Body, missing.Body)
		}
		// B's admin asking about A's meeting, or A's seat, finds nothing.
		notFound := ta.do(req{method: "GET", path: seatsPath(987654), as: f.AdminB}).Body.String()
		for _, r := range []req{
			{method: "GET", path: seatsPath(m.ID), as: f.AdminB},
			{method: "POST", path: seatsPath(m.ID), as: f.AdminB, body: map[string]any{"kind": "property", "label": "物业"}},
			{method: "PATCH", path: seatPath(ta.seats(t, m.ID, f.AdminA).Items[0].ID), as: f.AdminB, body: map[string]any{"label": "x"}},
			{method: "DELETE", path: seatPath(ta.seats(t, m.ID, f.AdminA).Items[0].ID), as: f.AdminB},
		} {
			rec := ta.do(r)
			wantProblem(t, rec, http.StatusNotFound, "not_found")
			if rec.Body.String() != notFound {
				t.Fatalf("%s %s as B's admin: %s, want %s", r.method, r.path, rec.Body, notFound)
			}
		}
		if got := ta.events(f.A.ID); len(got) != len(before) {
			t.Fatalf("refused requests appended %d events", len(got)-len(before))
		}
	})

	t.Run("ErrNotFacilitator", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Committee, f.GridWorker, f.Party} {
			wantProblem(t, ta.do(req{method: "POST", path: seatsPath(m.ID), as: u, body: map[string]any{"kind": "property", "label": "物业"}}),
				http.StatusForbidden, "forbidden")
		}
	})
}

// TestSeat_Presence signs invitees in by code and by the facilitator and reads who of the
// invited stakeholders is present, as each kind of member may see it.
func TestSeat_Presence(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	m := ta.seatMeeting(t)
	ta.invite(t, m.ID, map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": f.Resident.ID}})
	guest := ta.invite(t, m.ID, map[string]any{"kind": "expert", "label": "电梯专家", "invitee": map[string]any{"name": "王工"}})
	party := ta.invite(t, m.ID, map[string]any{"kind": "party_member", "label": "下沉党员", "invitee": map[string]any{"user_id": f.Party.ID}})
	ta.invite(t, m.ID, map[string]any{"kind": "resident_pro", "label": "高层住户代表"})

	present := func(l models.SeatList) string {
		var out []string
		for _, s := range l.Items {
			switch {
			case s.Present == nil:
				out = append(out, "?")
			case *s.Present:
				out = append(out, "yes")
			default:
				out = append(out, "no")
			}
		}
		return strings.Join(out, " ")
	}
	if got := present(ta.seats(t, m.ID, f.Facilitator)); got != "no no no no" {
		t.Fatalf("before sign-in present=%s", got)
	}

	// The resident is signed in at the door; the facilitator signs the expert in by name.
	wantStatus(t, ta.checkInMember(m.ID, f.Resident), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", m.ID), as: f.Facilitator,
		body: map[string]any{"name": "王工"}}), http.StatusCreated)
	// Someone else signing in changes no seat.
	wantStatus(t, ta.checkInMember(m.ID, f.GridWorker), http.StatusCreated)

	t.Run("Staff", func(t *testing.T) {
		for _, u := range []*models.User{f.Facilitator, f.AdminA, f.Committee} {
			l := ta.seats(t, m.ID, u)
			if got := present(l); got != "yes yes no no" || l.SeatsPresent != 2 || l.SeatCount != 4 || !l.PresenceVisible {
				t.Fatalf("as %s: present=%s figures=%d/%d", u.Name, got, l.SeatsPresent, l.SeatCount)
			}
			if l.Items[0].CheckedInAt == nil || l.Items[1].CheckedInAt == nil || l.Items[2].CheckedInAt != nil {
				t.Fatalf("as %s: checked_in_at=%v %v %v", u.Name, l.Items[0].CheckedInAt, l.Items[1].CheckedInAt, l.Items[2].CheckedInAt)
			}
			wantPhone := "138****0006"
			if u == f.AdminA {
				wantPhone = f.Resident.Phone
			}
			if l.Items[0].Phone != wantPhone || l.Items[1].Phone != "" || l.Items[2].Name != "党员" {
				t.Fatalf("as %s: seats=%+v", u.Name, l.Items)
			}
		}
	})
	t.Run("Members", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Unverified, f.GridWorker, f.Party} {
			rec := ta.do(req{method: "GET", path: seatsPath(m.ID), as: u})
			wantStatus(t, rec, http.StatusOK)
			l := decode[models.SeatList](t, rec)
			if got := present(l); got != "? ? ? ?" || l.PresenceVisible || l.SeatsPresent != 2 || l.SeatCount != 4 {
				t.Fatalf("as %s: present=%s visible=%v figures=%d/%d", u.Name, got, l.PresenceVisible, l.SeatsPresent, l.SeatCount)
			}
			if l.Items[0].Name != "居民" || l.Items[1].Name != "王工" || l.Items[0].Label != "一楼住户代表" {
				t.Fatalf("as %s: seats=%+v", u.Name, l.Items)
			}
			// A 下沉党员 seat tells who is a party member: not to these roles.
			if p := l.Items[2]; p.ID != party.ID || p.UserID != nil || p.Name != "" || p.Kind != "party_member" {
				t.Fatalf("as %s: party seat=%+v, want it without its person", u.Name, p)
			}
			body := rec.Body.String()
			for _, secret := range []string{"0006", "0005", `"checked_in_at":"`, `"name":"党员"`, fmt.Sprintf(`"user_id":%d`, f.Party.ID)} {
				if strings.Contains(body, secret) {
					t.Fatalf("as %s: the seats show %q: %s", u.Name, secret, body)
				}
			}
		}
	})
	t.Run("MeetingFigures", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d", m.ID), as: f.Resident})
		wantStatus(t, rec, http.StatusOK)
		if got := decode[models.Meeting](t, rec); got.SeatCount != 4 || got.SeatsPresent != 2 {
			t.Fatalf("meeting seats=%d present=%d, want 4 and 2", got.SeatCount, got.SeatsPresent)
		}
	})
	t.Run("ChangedInviteeFollowsAttendance", func(t *testing.T) {
		// The guest seat goes to a name nobody signed in under: it is no longer present.
		rec := ta.do(req{method: "PATCH", path: seatPath(guest.ID), as: f.Facilitator,
			body: map[string]any{"invitee": map[string]any{"name": "王工程师"}}})
		wantStatus(t, rec, http.StatusOK)
		if st := decode[models.Seat](t, rec); st.Present == nil || *st.Present || st.Name != "王工程师" {
			t.Fatalf("seat=%+v, want 王工程师 not present", st)
		}
		if got := present(ta.seats(t, m.ID, f.Facilitator)); got != "yes no no no" {
			t.Fatalf("present=%s", got)
		}
	})
}

func TestSeat_Change(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	m := ta.seatMeeting(t)
	a := ta.invite(t, m.ID, map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": f.Resident.ID}})
	b := ta.invite(t, m.ID, map[string]any{"kind": "resident_pro", "label": "高层住户代表"})
	c := ta.invite(t, m.ID, map[string]any{"kind": "grid_worker", "label": "网格员", "invitee": map[string]any{"user_id": f.GridWorker.ID}})
	patch := func(id uint64, body any) *httpRec {
		return ta.do(req{method: "PATCH", path: seatPath(id), as: f.Facilitator, body: body})
	}

	t.Run("OKInvitee", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := patch(b.ID, map[string]any{"invitee": map[string]any{"user_id": f.Party.ID}, "label": "五楼住户代表"})
		wantStatus(t, rec, http.StatusOK)
		st := decode[models.Seat](t, rec)
		if st.UserID == nil || *st.UserID != f.Party.ID || st.Name != "党员" || st.Label != "五楼住户代表" || st.InvitedAt == nil {
			t.Fatalf("seat=%+v", st)
		}
		e, p := ta.lastSeatEvent(t)
		changes, _ := p["changes"].(map[string]any)
		inv, _ := changes["invitee"].(map[string]any)
		to, _ := inv["to"].(map[string]any)
		if e.Seq != before+1 || e.Type != models.EvSeatChanged || e.SubjectID != b.ID || to["user_id"] != float64(f.Party.ID) ||
			changes["label"] == nil || changes["kind"] != nil || p["meeting_id"] != float64(m.ID) {
			t.Fatalf("event=%s payload=%v", e.Type, p)
		}
		// The same again changes nothing and appends nothing.
		rec = patch(b.ID, map[string]any{"invitee": map[string]any{"user_id": f.Party.ID}, "label": "五楼住户代表", "kind": "resident_pro"})
		wantStatus(t, rec, http.StatusOK)
		if got := lastSeq(ta.events(f.A.ID)); got != before+1 {
			t.Fatalf("a change to the same appended %d events", got-before-1)
		}
		// An empty invitee opens the seat; an absent one keeps it.
		wantStatus(t, patch(c.ID, map[string]any{"kind": "building_head"}), http.StatusOK)
		rec = patch(c.ID, map[string]any{"invitee": map[string]any{}})
		wantStatus(t, rec, http.StatusOK)
		if st := decode[models.Seat](t, rec); st.UserID != nil || st.InvitedAt != nil || st.Kind != "building_head" || st.Name != "" {
			t.Fatalf("opened seat=%+v", st)
		}
		// The grid worker, free again, can take another seat.
		wantStatus(t, patch(c.ID, map[string]any{"invitee": map[string]any{"user_id": f.GridWorker.ID}}), http.StatusOK)
	})
	t.Run("OKPosition", func(t *testing.T) {
		wantStatus(t, patch(c.ID, map[string]any{"position": 1}), http.StatusOK)
		if got := seatLayout(ta.seats(t, m.ID, f.Facilitator)); got != "网格员:网格员 一楼住户代表:居民 五楼住户代表:党员" {
			t.Fatalf("after moving to the front: %s", got)
		}
		wantStatus(t, patch(c.ID, map[string]any{"position": 3}), http.StatusOK)
		if got := seatLayout(ta.seats(t, m.ID, f.Facilitator)); got != "一楼住户代表:居民 五楼住户代表:党员 网格员:网格员" {
			t.Fatalf("after moving to the end: %s", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		layout := seatLayout(ta.seats(t, m.ID, f.Facilitator))
		p := wantProblem(t, patch(b.ID, map[string]any{"invitee": map[string]any{"user_id": f.Resident.ID}}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "invitee.user_id", "已经在本次会议的席位名单里了，不用重复邀请")
		p = wantProblem(t, patch(b.ID, map[string]any{"invitee": map[string]any{"user_id": f.ResidentB.ID}}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "invitee.user_id", "这个人不是本社区成员")
		p = wantProblem(t, patch(b.ID, map[string]any{"position": 4}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "position", "位置超出了范围")
		p = wantProblem(t, patch(b.ID, map[string]any{"label": ""}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "label", "请填写席位名称，比如「一楼住户代表」")
		p = wantProblem(t, patch(b.ID, map[string]any{"kind": "mayor"}), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "kind", "没有这种席位类型，请从列表里选")
		// A refused change with a move in it moves nothing either.
		wantProblem(t, patch(a.ID, map[string]any{"position": 3, "invitee": map[string]any{"user_id": f.Party.ID}}),
			http.StatusUnprocessableEntity, "invalid_input")
		wantProblem(t, ta.do(req{method: "PATCH", path: seatPath(b.ID), as: f.Resident, body: map[string]any{"label": "x"}}),
			http.StatusForbidden, "forbidden")
		wantProblem(t, patch(987654, map[string]any{"label": "x"}), http.StatusNotFound, "not_found")
		if got := len(ta.events(f.A.ID)); got != before {
			t.Fatalf("refused changes appended %d events", got-before)
		}
		if got := seatLayout(ta.seats(t, m.ID, f.Facilitator)); got != layout {
			t.Fatalf("after refusals: %s, want %s", got, layout)
		}
	})
	t.Run("OKRemove", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "DELETE", path: seatPath(a.ID), as: f.AdminA}), http.StatusNoContent)
		e, p := ta.lastSeatEvent(t)
		if e.Seq != before+1 || e.Type != models.EvSeatRemoved || e.SubjectID != a.ID || p["user_id"] != float64(f.Resident.ID) ||
			p["label"] != "一楼住户代表" || p["position"] != float64(1) {
			t.Fatalf("event=%s payload=%v", e.Type, p)
		}
		if got := seatLayout(ta.seats(t, m.ID, f.Facilitator)); got != "五楼住户代表:党员 网格员:网格员" {
			t.Fatalf("after removing the first seat: %s", got)
		}
		// Removing it again changes nothing; changing it is refused.
		wantStatus(t, ta.do(req{method: "DELETE", path: seatPath(a.ID), as: f.Facilitator}), http.StatusNoContent)
		wantProblem(t, patch(a.ID, map[string]any{"label": "x"}), http.StatusConflict, "seat_removed")
		if got := lastSeq(ta.events(f.A.ID)); got != before+1 {
			t.Fatalf("removing twice appended %d events", got-before)
		}
		// The resident is free to be invited again.
		ta.invite(t, m.ID, map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": f.Resident.ID}})
	})
}

// TestSeat_EndedMeetingIsFrozen: after the meeting ends its seats are part of the record.
func TestSeat_EndedMeetingIsFrozen(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	m := ta.seatMeeting(t)
	st := ta.invite(t, m.ID, map[string]any{"kind": "resident_con", "label": "一楼住户代表", "invitee": map[string]any{"user_id": f.Resident.ID}})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
	// While the meeting runs, seats still change.
	open := ta.invite(t, m.ID, map[string]any{"kind": "property", "label": "物业"})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/end", m.ID), as: f.Facilitator,
		body: map[string]any{"minutes": map[string]any{"summary": "先做费用测算"}}}), http.StatusOK)
	before := len(ta.events(f.A.ID))
	for _, r := range []req{
		{method: "POST", path: seatsPath(m.ID), as: f.Facilitator, body: map[string]any{"kind": "expert", "label": "专家"}},
		{method: "PATCH", path: seatPath(st.ID), as: f.Facilitator, body: map[string]any{"label": "改名"}},
		{method: "PATCH", path: seatPath(open.ID), as: f.AdminA, body: map[string]any{"invitee": map[string]any{"name": "王经理"}}},
		{method: "DELETE", path: seatPath(st.ID), as: f.AdminA},
	} {
		p := wantProblem(t, ta.do(r), http.StatusConflict, "meeting_ended")
		if p.Detail != "这次会议已经结束了。" {
			t.Fatalf("%s %s: detail=%q", r.method, r.path, p.Detail)
		}
	}
	if got := len(ta.events(f.A.ID)); got != before {
		t.Fatalf("refused changes appended %d events", got-before)
	}
	l := ta.seats(t, m.ID, f.Resident)
	if got := seatLayout(l); got != "一楼住户代表:居民 物业:" {
		t.Fatalf("seats after the end: %s", got)
	}
}

// TestSeat_ConcurrentInvites invites one member to a meeting from many requests at once: the
// unique key lets exactly one through, the others get the localized duplicate answer, never a 500.
func TestSeat_ConcurrentInvites(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	m := ta.seatMeeting(t)
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := ta.do(req{method: "POST", path: seatsPath(m.ID), as: f.Facilitator,
				body: map[string]any{"kind": "resident_con", "label": fmt.Sprintf("代表%d", i), "invitee": map[string]any{"user_id": f.Resident.ID}}})
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("statuses=%v, want one 201 and 422s", codes)
		}
	}
	l := ta.seats(t, m.ID, f.Facilitator)
	if created != 1 || l.SeatCount != 1 || l.Items[0].Position != 1 {
		t.Fatalf("created=%d seats=%d", created, l.SeatCount)
	}
	invited := 0
	for _, e := range ta.events(f.A.ID) {
		if e.Type == models.EvSeatInvited {
			invited++
		}
	}
	if invited != 1 {
		t.Fatalf("seat.invited events=%d, want 1", invited)
	}
}

// TestSeat_KindsMatch keeps the kinds the binder accepts equal to the model's, in its order.
func TestSeat_KindsMatch(t *testing.T) {
	for _, v := range []any{inviteSeatRequest{}, updateSeatRequest{}} {
		f, _ := reflect.TypeOf(v).FieldByName("Kind")
		_, kinds, _ := strings.Cut(f.Tag.Get("validate"), "oneof=")
		if got, want := kinds, strings.Join(models.SeatKinds, " "); got != want {
			t.Errorf("%T: oneof=%s, want %s", v, got, want)
		}
	}
}
