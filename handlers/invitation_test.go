package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

func invitationPath(id uint64, answer string) string {
	return fmt.Sprintf("/api/v1/invitations/%d/%s", id, answer)
}

// invite is community A's admin adding a person by phone.
func (ta *testApp) inviteMember(t *testing.T, as *models.User, phone, name string, extra map[string]any) (*httpRec, models.Invitation) {
	t.Helper()
	body := map[string]any{"phone": phone, "name": name, "password": "initial-pass-1", "roles": []string{"resident", "facilitator"},
		"household_id": ta.fx.HouseholdA.ID}
	for k, v := range extra {
		body[k] = v
	}
	rec := ta.do(req{method: "POST", path: membersPath(ta.fx.A.ID), as: as, body: body})
	wantStatus(t, rec, http.StatusAccepted)
	return rec, decode[models.Invitation](t, rec)
}

// stripTyped removes what differs between two invitations by construction (id, what the admin
// typed, the clock) and returns the rest as JSON.
func stripTyped(t *testing.T, rec *httpRec) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "name", "phone", "created_at", "expires_at"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("invitation lacks %q: %s", k, rec.Body)
		}
		delete(m, k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestInvitation_RevealsNothing: a community admin adding a phone of another community's account
// gets an invitation exactly like one for a phone new to the product — no name, no account, no
// membership, no verification — and the event log says no more.
func TestInvitation_RevealsNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	before := len(ta.events(f.A.ID))
	recNew, _ := ta.inviteMember(t, f.AdminA, "13612300001", "王阿姨", nil)
	recOld, old := ta.inviteMember(t, f.AdminA, f.ResidentB.Phone, "王阿姨", nil)
	if a, b := stripTyped(t, recNew), stripTyped(t, recOld); a != b {
		t.Fatalf("the answers differ beyond what the admin typed:\nnew phone: %s\nexisting:  %s", a, b)
	}
	for _, leak := range []string{f.ResidentB.Name, fmt.Sprintf(`"user_id":%d`, f.ResidentB.ID), "天门墩"} {
		if strings.Contains(recOld.Body.String(), leak) {
			t.Fatalf("the admin's answer shows %q: %s", leak, recOld.Body)
		}
	}
	if old.Status != "pending" || old.Name != "王阿姨" || !old.Verified {
		t.Fatalf("invitation=%+v", old)
	}
	// Nobody joined: the member list and resident B's memberships are unchanged.
	ms := decode[itemsPage[models.MemberView]](t, ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?limit=200", as: f.AdminA}))
	for _, m := range ms.Items {
		if m.UserID == f.ResidentB.ID || m.Phone == "13612300001" {
			t.Fatalf("an invited person is a member before accepting: %+v", m)
		}
	}
	if me := decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", as: f.ResidentB})); len(me.Memberships) != 1 {
		t.Fatalf("resident B has %d memberships, want 1", len(me.Memberships))
	}
	evs := ta.events(f.A.ID)[before:]
	if len(evs) != 2 || evs[0].Type != models.EvMemberInvited || evs[1].Type != models.EvMemberInvited {
		t.Fatalf("events=%+v", evs)
	}
	strip := func(e models.Event) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &m); err != nil || m["invitation_id"] != float64(e.SubjectID) {
			t.Fatalf("payload %s (%v)", e.Payload, err)
		}
		delete(m, "invitation_id")
		b, _ := json.Marshal(m)
		return string(b)
	}
	if strip(evs[0]) != strip(evs[1]) || strings.Contains(string(evs[1].Payload), "user_id") {
		t.Fatalf("the log tells the two apart: %s / %s", evs[0].Payload, evs[1].Payload)
	}
	// Both need the initial password, so its absence tells nothing either.
	for _, phone := range []string{"13612300002", f.ResidentB.Phone} {
		rec := ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, body: map[string]any{"phone": phone, "name": "x",
			"roles": []string{"resident"}}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "password", "请设置初始密码；对方如果已有账号，仍用自己原来的密码登录")
	}
	// Only admins invite.
	wantStatus(t, ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.GridWorker, body: map[string]any{"phone": "13612300003",
		"name": "x", "password": "initial-pass-1", "roles": []string{"resident"}}}), http.StatusForbidden)
}

// TestInvitation_Answer: the invited person sees the invitation and accepts (joining with the
// offered roles, verified in the admin's name) or declines (nothing joins); answers are theirs only.
func TestInvitation_Answer(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	mine := func(t *testing.T, u *models.User) []models.Invitation {
		t.Helper()
		rec := ta.do(req{method: "GET", path: "/api/v1/me/invitations", as: u})
		wantStatus(t, rec, http.StatusOK)
		return decode[itemsPage[models.Invitation]](t, rec).Items
	}
	t.Run("OKAcceptExistingAccount", func(t *testing.T) {
		_, inv := ta.inviteMember(t, f.AdminA, f.ResidentB.Phone, "随便写", nil)
		got := mine(t, f.ResidentB)
		if len(got) != 1 || got[0].ID != inv.ID || got[0].CommunityName != "西桥社区" || got[0].InvitedByName != "管理员甲" ||
			got[0].Name != "随便写" || got[0].HouseholdRoom != "101" {
			t.Fatalf("invitations=%+v", got)
		}
		// Nobody else can answer it, and they see it as not found.
		wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: f.Resident}), http.StatusNotFound, "not_found")
		wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "decline"), as: f.AdminA}), http.StatusNotFound, "not_found")
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: f.ResidentB})
		wantStatus(t, rec, http.StatusOK)
		m := decode[models.MemberView](t, rec)
		if m.UserID != f.ResidentB.ID || m.CommunityID != f.A.ID || !m.Verified || m.VerifiedByName != "管理员甲" ||
			joined(m.Roles) != "facilitator,resident" || m.Name != f.ResidentB.Name {
			t.Fatalf("member=%+v", m)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvMemberAdded)
		if p["invitation_id"] != float64(inv.ID) || p["user_id"] != float64(f.ResidentB.ID) {
			t.Fatalf("payload=%v", p)
		}
		if len(mine(t, f.ResidentB)) != 0 {
			t.Fatal("an accepted invitation is still waiting")
		}
		wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: f.ResidentB}), http.StatusConflict, "invitation_closed")
		// The account's password did not change.
		ta.login(t, f.ResidentB.Phone, fixturePassword)
	})
	t.Run("OKNewPhoneLogsInAndAccepts", func(t *testing.T) {
		_, inv := ta.inviteMember(t, f.AdminA, "13612300010", "赵大爷", map[string]any{"verified": false})
		s, _ := ta.login(t, "13612300010", "initial-pass-1")
		if s.User.Name != "赵大爷" {
			t.Fatalf("user=%+v", s.User)
		}
		rec := ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), header: bearer(s.AccessToken)})
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); m.Verified {
			t.Fatalf("member=%+v, want unverified: the admin did not vouch", m)
		}
	})
	t.Run("OKDeclineThenAskedAgain", func(t *testing.T) {
		_, inv := ta.inviteMember(t, f.AdminA, "13612300011", "钱阿姨", nil)
		u := ta.userByPhone(t, "13612300011")
		wantStatus(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "decline"), as: u}), http.StatusNoContent)
		wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: u}), http.StatusConflict, "invitation_closed")
		if len(mine(t, u)) != 0 {
			t.Fatal("a declined invitation is still waiting")
		}
		_, again := ta.inviteMember(t, f.AdminA, "13612300011", "钱阿姨", nil)
		if again.ID != inv.ID || again.Status != "pending" || len(mine(t, u)) != 1 {
			t.Fatalf("asked again: %+v", again)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, inv := ta.inviteMember(t, f.AdminA, "13612300012", "孙师傅", nil)
		u := ta.userByPhone(t, "13612300012")
		real := ta.store.Now
		defer func() { ta.store.Now = real }()
		ta.store.Now = func() time.Time { return real().Add(models.InvitationTTL + time.Minute) }
		if len(mine(t, u)) != 0 {
			t.Fatal("an expired invitation is still listed")
		}
		wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: u}), http.StatusConflict, "invitation_closed")
	})
	t.Run("ErrAdminNoLonger", func(t *testing.T) {
		admin2 := must(ta.store.AddMember(t.Context(), f.Super.Actor(), f.A.ID, models.AddMemberInput{Phone: "13612300013",
			Name: "副管理员", Password: "initial-pass-1", Roles: []string{models.RoleAdmin}}))
		adminUser := ta.userByPhone(t, "13612300013")
		_, inv := ta.inviteMember(t, adminUser, "13612300014", "周阿姨", nil)
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, admin2.UserID), as: f.Super,
			body: map[string]any{"roles": []string{"resident"}}}), http.StatusOK)
		u := ta.userByPhone(t, "13612300014")
		p := wantProblem(t, ta.do(req{method: "POST", path: invitationPath(inv.ID, "accept"), as: u,
			header: map[string]string{"Accept-Language": "en"}}), http.StatusConflict, "invitation_withdrawn")
		if !strings.Contains(p.Detail, "no longer runs the community") {
			t.Fatalf("detail=%q", p.Detail)
		}
	})
}

// userByPhone loads an account straight from the database.
func (ta *testApp) userByPhone(t *testing.T, phone string) *models.User {
	t.Helper()
	var u models.User
	if err := ta.store.Gorm().Where("phone = ?", phone).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}
