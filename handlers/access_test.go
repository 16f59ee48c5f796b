package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// caller is one column of the access matrix.
type caller struct {
	name string
	user *models.User
}

// callers are the matrix columns, in the order the want strings list them.
func (ta *testApp) callers() []caller {
	f := ta.fx
	return []caller{
		{"anonymous", nil}, {"superadmin", f.Super}, {"admin A", f.AdminA}, {"facilitator A", f.Facilitator},
		{"grid worker A", f.GridWorker}, {"committee A", f.Committee}, {"party member A", f.Party},
		{"resident A", f.Resident}, {"unverified A", f.Unverified}, {"admin B", f.AdminB}, {"resident B", f.ResidentB},
	}
}

// accessRow is one route asked by every caller. want lists the expected status class per caller
// (anon super adminA facil grid committee party resident unverified adminB residentB).
type accessRow struct {
	route string // "METHOD pattern" as registered
	path  string
	body  func(n int) any // n is unique per request, for names that must not repeat
	want  string
}

// rawBody is a row body sent as is with its own content type (a multipart upload).
type rawBody struct{ data, contentType string }

// Common columns. A = community A's objects, B = community B's.
const (
	wAll       = "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx"
	wUser      = "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx"
	wNone      = "401 401 401 401 401 401 401 401 401 401 401"
	wMemberA   = "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx 404 404"
	wMemberB   = "401 2xx 404 404 404 404 404 404 404 2xx 2xx"
	wAdminA    = "401 2xx 2xx 403 403 403 403 403 403 404 404"
	wAdminB    = "401 2xx 404 404 404 404 404 404 404 2xx 403"
	wStaffA    = "401 2xx 2xx 2xx 2xx 2xx 403 403 403 404 404"
	wAuditA    = "401 2xx 2xx 403 403 2xx 403 403 403 404 404"
	wVerifyA   = "401 2xx 2xx 403 2xx 403 403 403 403 404 404"
	wSuperOnly = "401 2xx 403 403 403 403 403 403 403 403 403"
	wFacilA    = "401 2xx 2xx 2xx 403 403 403 403 403 404 404"
	wVerifiedA = "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx 403 404 404"
	wNotMine   = "401 404 404 404 404 404 404 404 404 404 404"
)

func (ta *testApp) accessRows() []accessRow {
	f := ta.fx
	A, B := f.A.ID, f.B.ID
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	return append([]accessRow{
		{"POST /api/v1/auth/register", "/api/v1/auth/register", func(n int) any {
			return map[string]any{"phone": p("1370000%04d", n), "name": "新人", "password": "register-pass-1",
				"community_id": A, "privacy_consent": true}
		}, wAll},
		{"POST /api/v1/auth/login", "/api/v1/auth/login", body(map[string]string{"phone": f.Resident.Phone, "password": fixturePassword}), wAll},
		{"POST /api/v1/auth/refresh", "/api/v1/auth/refresh", none, wNone},
		{"POST /api/v1/auth/logout", "/api/v1/auth/logout", none, wAll},
		{"GET /api/v1/register/communities", "/api/v1/register/communities", none, wAll},
		{"GET /api/v1/register/communities/:cid/places", p("/api/v1/register/communities/%d/places", A), none, wAll},
		{"GET /api/v1/register/communities/:cid/places", p("/api/v1/register/communities/%d/places", B), none, wAll},
		{"GET /api/v1/me", "/api/v1/me", none, wUser},
		{"GET /api/v1/me/invitations", "/api/v1/me/invitations", none, wUser},
		// The server's backups: the superadmin and the admin of any community (ops).
		{"GET /api/v1/ops/backups", "/api/v1/ops/backups", none, "401 2xx 2xx 403 403 403 403 403 403 2xx 403"},
		// An invitation is answered by its addressee only: anyone else finds none.
		{"POST /api/v1/invitations/:id/accept", "/api/v1/invitations/999999/accept", none, wNotMine},
		{"POST /api/v1/invitations/:id/decline", "/api/v1/invitations/999999/decline", none, wNotMine},
		{"PATCH /api/v1/me", "/api/v1/me", body(map[string]any{"large_text": false}), wUser},
		{"GET /api/v1/me/export", "/api/v1/me/export", none, wUser},
		{"POST /api/v1/me/close", "/api/v1/me/close", body(map[string]string{"password": "not-the-password"}),
			"401 422 422 422 422 422 422 422 422 422 422"},
		{"POST /api/v1/me/password", "/api/v1/me/password",
			body(map[string]string{"current_password": "not-the-password", "new_password": "a-new-pass-1"}),
			"401 422 422 422 422 422 422 422 422 422 422"},
		{"GET /api/v1/auth/options", "/api/v1/auth/options", none, wAll},
		{"POST /api/v1/auth/password-reset", "/api/v1/auth/password-reset", func(n int) any {
			return map[string]string{"phone": p("1350000%04d", n), "code": "12345678", "new_password": "a-new-pass-1"}
		}, "422 422 422 422 422 422 422 422 422 422 422"},
		{"POST /api/v1/auth/password-reset/sms", "/api/v1/auth/password-reset/sms",
			body(map[string]string{"phone": f.Resident.Phone}), "422 422 422 422 422 422 422 422 422 422 422"},
		{"POST /api/v1/communities/:cid/members/:uid/password-reset",
			p("/api/v1/communities/%d/members/%d/password-reset", A, f.Resident.ID), none, wVerifyA},
		{"POST /api/v1/communities/:cid/members/:uid/password-reset",
			p("/api/v1/communities/%d/members/%d/password-reset", B, f.ResidentB.ID), none, wAdminB},

		{"GET /api/v1/communities", "/api/v1/communities", none, wUser},
		{"POST /api/v1/communities", "/api/v1/communities", func(n int) any {
			return map[string]string{"name": p("新社区%d", n), "street": "唐家墩街道", "district": "江汉区", "city": "武汉市"}
		}, wSuperOnly},
		{"GET /api/v1/communities/:cid", p("/api/v1/communities/%d", A), none, wMemberA},
		{"GET /api/v1/communities/:cid", p("/api/v1/communities/%d", B), none, wMemberB},
		{"PATCH /api/v1/communities/:cid", p("/api/v1/communities/%d", A), body(map[string]string{"city": "武汉市"}), wAdminA},
		{"PATCH /api/v1/communities/:cid", p("/api/v1/communities/%d", B), body(map[string]string{"city": "武汉市"}), wAdminB},
		{"GET /api/v1/communities/:cid/compounds", p("/api/v1/communities/%d/compounds", A), none, wMemberA},
		{"GET /api/v1/communities/:cid/compounds", p("/api/v1/communities/%d/compounds", B), none, wMemberB},
		{"POST /api/v1/communities/:cid/compounds", p("/api/v1/communities/%d/compounds", A), func(n int) any {
			return map[string]string{"name": p("小区%d", n)}
		}, wAdminA},
		{"POST /api/v1/communities/:cid/compounds", p("/api/v1/communities/%d/compounds", B), func(n int) any {
			return map[string]string{"name": p("小区%d", n)}
		}, wAdminB},
		{"GET /api/v1/compounds/:id/buildings", p("/api/v1/compounds/%d/buildings", f.CompoundA.ID), none, wMemberA},
		{"GET /api/v1/compounds/:id/buildings", p("/api/v1/compounds/%d/buildings", f.CompoundB.ID), none, wMemberB},
		{"POST /api/v1/compounds/:id/buildings", p("/api/v1/compounds/%d/buildings", f.CompoundA.ID), func(n int) any {
			return map[string]string{"name": p("%d栋", n)}
		}, wAdminA},
		{"POST /api/v1/compounds/:id/buildings", p("/api/v1/compounds/%d/buildings", f.CompoundB.ID), func(n int) any {
			return map[string]string{"name": p("%d栋", n)}
		}, wAdminB},
		{"GET /api/v1/compounds/:id/households", p("/api/v1/compounds/%d/households", f.CompoundA.ID), none, wStaffA},
		{"GET /api/v1/compounds/:id/households", p("/api/v1/compounds/%d/households", f.CompoundB.ID), none, wAdminB},
		{"POST /api/v1/compounds/:id/households", p("/api/v1/compounds/%d/households", f.CompoundA.ID), func(n int) any {
			return map[string]any{"building_id": f.BuildingA.ID, "room": p("9%02d", n), "area": 60}
		}, wAdminA},
		{"POST /api/v1/compounds/:id/households", p("/api/v1/compounds/%d/households", f.CompoundB.ID), func(n int) any {
			return map[string]any{"building_id": f.BuildingB.ID, "room": p("9%02d", n), "area": 60}
		}, wAdminB},

		{"GET /api/v1/communities/:cid/members", p("/api/v1/communities/%d/members", A), none, wStaffA},
		{"GET /api/v1/communities/:cid/members", p("/api/v1/communities/%d/members", B), none, wAdminB},
		{"POST /api/v1/communities/:cid/members", p("/api/v1/communities/%d/members", A), func(n int) any {
			return map[string]any{"phone": p("1360000%04d", n), "name": "新成员", "password": "member-pass-1", "roles": []string{"resident"}}
		}, wAdminA},
		{"POST /api/v1/communities/:cid/members", p("/api/v1/communities/%d/members", B), func(n int) any {
			return map[string]any{"phone": p("1360000%04d", n), "name": "新成员", "password": "member-pass-1", "roles": []string{"resident"}}
		}, wAdminB},
		// Verifying an already verified resident changes nothing, so every allowed caller gets 200.
		{"PATCH /api/v1/communities/:cid/members/:uid", p("/api/v1/communities/%d/members/%d", A, f.Resident.ID),
			body(map[string]bool{"verified": true}), wVerifyA},
		{"PATCH /api/v1/communities/:cid/members/:uid", p("/api/v1/communities/%d/members/%d", A, f.Resident.ID),
			body(map[string][]string{"roles": {"resident"}}), wAdminA},
		{"PATCH /api/v1/communities/:cid/members/:uid", p("/api/v1/communities/%d/members/%d", B, f.ResidentB.ID),
			body(map[string]bool{"verified": true}), wAdminB},
		{"GET /api/v1/communities/:cid/organizations", p("/api/v1/communities/%d/organizations", A), none, wMemberA},
		{"GET /api/v1/communities/:cid/organizations", p("/api/v1/communities/%d/organizations", B), none, wMemberB},
		{"POST /api/v1/communities/:cid/organizations", p("/api/v1/communities/%d/organizations", A), func(n int) any {
			return map[string]string{"name": p("组织%d", n), "kind": "property"}
		}, wAdminA},
		{"POST /api/v1/communities/:cid/organizations", p("/api/v1/communities/%d/organizations", B), func(n int) any {
			return map[string]string{"name": p("组织%d", n), "kind": "property"}
		}, wAdminB},

		{"GET /api/v1/communities/:cid/events", p("/api/v1/communities/%d/events", A), none, wAuditA},
		{"GET /api/v1/communities/:cid/events", p("/api/v1/communities/%d/events", B), none, wAdminB},
		{"GET /api/v1/communities/:cid/audit/verify", p("/api/v1/communities/%d/audit/verify", A), none, wAuditA},
		{"GET /api/v1/communities/:cid/audit/verify", p("/api/v1/communities/%d/audit/verify", B), none, wAdminB},
		// The audit trail (docs/audit-trail.md).
		{"POST /api/v1/communities/:cid/audit/checks", p("/api/v1/communities/%d/audit/checks", A), body(map[string]any{}), wAuditA},
		{"POST /api/v1/communities/:cid/audit/checks", p("/api/v1/communities/%d/audit/checks", B), body(map[string]any{}), wAdminB},
		{"GET /api/v1/communities/:cid/audit/checks/latest", p("/api/v1/communities/%d/audit/checks/latest", A), none, wAuditA},
		{"GET /api/v1/communities/:cid/audit/checks/latest", p("/api/v1/communities/%d/audit/checks/latest", B), none, wAdminB},
	}, append(ta.cycleRows(), append(append(ta.meetingRows(), ta.speakerRows()...), append(ta.displayRows(), append(ta.clusterRows(), append(ta.seatRows(), append(ta.pollRows(), append(ta.resolutionRows(), append(ta.followRows(), append(ta.notifyRows(), append(ta.ledgerRows(), append(ta.deskRows(), ta.noticeRows()...)...)...)...)...)...)...)...)...)...)...)...)
}

func statusClass(code int) string {
	if code >= 200 && code < 300 {
		return "2xx"
	}
	return fmt.Sprint(code)
}

// TestAccess_Matrix asks every /api/v1 route as every kind of caller, in both communities. A new
// route fails this test until it has a row.
func TestAccess_Matrix(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	rows := ta.accessRows()
	callers := ta.callers()

	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.route] = true
	}
	t.Run("EveryRouteHasARow", func(t *testing.T) {
		for _, rt := range ta.e.Routes() {
			if !strings.HasPrefix(rt.Path, API+"/") || rt.Path == API+"/*" {
				continue
			}
			if key := rt.Method + " " + rt.Path; !covered[key] {
				t.Errorf("route %s has no row in the access matrix", key)
			}
		}
	})

	notFound := ta.do(req{method: "GET", path: "/api/v1/communities/999999", as: ta.fx.AdminA}).Body.String()
	var n atomic.Int64
	t.Run("Rows", func(t *testing.T) {
		for _, r := range rows {
			wants := strings.Fields(r.want)
			if len(wants) != len(callers) {
				t.Fatalf("%s %s: want has %d columns, need %d", r.route, r.path, len(wants), len(callers))
			}
			method, _, _ := strings.Cut(r.route, " ")
			// Rows are independent (names that must be unique use n), so they run side by side.
			t.Run(r.route, func(t *testing.T) {
				t.Parallel()
				for i, c := range callers {
					b := r.body(int(n.Add(1)))
					var hdr map[string]string
					if rb, ok := b.(rawBody); ok {
						b, hdr = rb.data, map[string]string{"Content-Type": rb.contentType}
					}
					rec := ta.do(req{method: method, path: r.path, body: b, as: c.user, header: hdr})
					if got := statusClass(rec.Code); got != wants[i] {
						t.Errorf("%s %s as %s: status=%d, want %s; body=%s", method, r.path, c.name, rec.Code, wants[i], rec.Body.String())
						continue
					}
					if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
						t.Errorf("%s %s as %s: content-type=%q, want problem+json", method, r.path, c.name, rec.Header().Get("Content-Type"))
					}
					// Another tenant's object answers exactly like an object that does not exist.
					if rec.Code == http.StatusNotFound && rec.Body.String() != notFound {
						t.Errorf("%s %s as %s: 404 body=%s, want the plain not-found %s", method, r.path, c.name, rec.Body.String(), notFound)
					}
				}
			})
		}
	})
}

// TestAccess_OtherTenantLooksMissing compares the answer for another community's object with the
// answer for an id that does not exist: nothing tells them apart.
func TestAccess_OtherTenantLooksMissing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cases := []struct{ method, other, missing string }{
		{"GET", fmt.Sprintf("/api/v1/communities/%d", f.B.ID), "/api/v1/communities/987654"},
		{"GET", fmt.Sprintf("/api/v1/compounds/%d/households", f.CompoundB.ID), "/api/v1/compounds/987654/households"},
		{"GET", fmt.Sprintf("/api/v1/compounds/%d/buildings", f.CompoundB.ID), "/api/v1/compounds/987654/buildings"},
		{"GET", fmt.Sprintf("/api/v1/communities/%d/events", f.B.ID), "/api/v1/communities/987654/events"},
		{"PATCH", fmt.Sprintf("/api/v1/communities/%d/members/%d", f.B.ID, f.ResidentB.ID), "/api/v1/communities/987654/members/987654"},
		// A member of A asking A for someone who is only in B.
		{"PATCH", fmt.Sprintf("/api/v1/communities/%d/members/%d", f.A.ID, f.ResidentB.ID), fmt.Sprintf("/api/v1/communities/%d/members/987654", f.A.ID)},
	}
	for _, c := range cases {
		var body any
		if c.method == "PATCH" {
			body = map[string]bool{"verified": true}
		}
		other := ta.do(req{method: c.method, path: c.other, as: f.AdminA, body: body})
		missing := ta.do(req{method: c.method, path: c.missing, as: f.AdminA, body: body})
		wantProblem(t, other, http.StatusNotFound, "not_found")
		if other.Body.String() != missing.Body.String() {
			t.Fatalf("%s %s: body=%s, want the same as for a missing id: %s", c.method, c.other, other.Body.String(), missing.Body.String())
		}
	}
	// B's member was not verified or changed by the refused request.
	var m models.Membership
	if err := ta.store.Gorm().Where("user_id = ? AND community_id = ?", f.ResidentB.ID, f.A.ID).Take(&m).Error; err == nil {
		t.Fatalf("resident B gained a membership in A: %+v", m)
	}
}

// TestAccess_MemberPrivacy checks what each staff role sees of other members: phone numbers masked
// for all but admins; party membership, skills and work unit hidden from grid workers.
func TestAccess_MemberPrivacy(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d/members/%d", f.A.ID, f.Party.ID), as: f.AdminA,
		body: map[string]any{"skills": []string{"电工", "律师"}, "work_unit": "某供电公司"}})
	wantStatus(t, rec, http.StatusOK)

	list := func(as *models.User, query string) map[uint64]models.MemberView {
		t.Helper()
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/members%s", f.A.ID, query), as: as})
		wantStatus(t, rec, http.StatusOK)
		out := map[uint64]models.MemberView{}
		for _, m := range decode[itemsPage[models.MemberView]](t, rec).Items {
			out[m.UserID] = m
		}
		return out
	}
	t.Run("PhoneFullForAdmins", func(t *testing.T) {
		for _, u := range []*models.User{f.AdminA, f.Super} {
			if got := list(u, "")[f.Resident.ID].Phone; got != "13800000006" {
				t.Fatalf("phone=%q as %s, want 13800000006", got, u.Name)
			}
		}
	})
	t.Run("PhoneMaskedForOtherStaff", func(t *testing.T) {
		for _, u := range []*models.User{f.GridWorker, f.Facilitator, f.Committee} {
			ms := list(u, "")
			if len(ms) != 7 {
				t.Fatalf("as %s: %d members, want 7", u.Name, len(ms))
			}
			for id, m := range ms {
				if strings.Count(m.Phone, "*") != 4 || len(m.Phone) != 11 {
					t.Fatalf("as %s: phone of user %d=%q, want masked", u.Name, id, m.Phone)
				}
			}
			if got := ms[f.Resident.ID].Phone; got != "138****0006" {
				t.Fatalf("as %s: phone=%q, want 138****0006", u.Name, got)
			}
		}
	})
	t.Run("PartyMembershipHiddenFromGridWorkers", func(t *testing.T) {
		m := list(f.GridWorker, "")[f.Party.ID]
		if strings.Join(m.Roles, ",") != "resident" || len(m.Skills) != 0 || m.WorkUnit != "" {
			t.Fatalf("grid worker sees roles=%v skills=%v work_unit=%q, want resident only", m.Roles, m.Skills, m.WorkUnit)
		}
		if got := list(f.GridWorker, "?role=party_member"); len(got) != 0 {
			t.Fatalf("grid worker filtering by party_member got %d members, want none", len(got))
		}
		// The answer to the grid worker's own write is shaped the same way.
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d/members/%d", f.A.ID, f.Party.ID),
			as: f.GridWorker, body: map[string]bool{"verified": true}})
		wantStatus(t, rec, http.StatusOK)
		if v := decode[models.MemberView](t, rec); joined(v.Roles) != "resident" || len(v.Skills) != 0 || v.Phone != "138****0005" {
			t.Fatalf("grid worker's PATCH answer=%+v, want masked and without party data", v)
		}
	})
	t.Run("PartyMembershipShownToAssigners", func(t *testing.T) {
		for _, u := range []*models.User{f.AdminA, f.Facilitator, f.Committee} {
			m := list(u, "")[f.Party.ID]
			if joined(m.Roles) != "party_member,resident" || joined(m.Skills) != "律师,电工" || m.WorkUnit != "某供电公司" {
				t.Fatalf("as %s: roles=%v skills=%v work_unit=%q", u.Name, m.Roles, m.Skills, m.WorkUnit)
			}
			if got := list(u, "?role=party_member"); len(got) != 1 {
				t.Fatalf("as %s: role=party_member gave %d members, want 1", u.Name, len(got))
			}
		}
	})
	t.Run("PhoneSearchAdminOnly", func(t *testing.T) {
		if got := list(f.AdminA, "?q=0006"); len(got) != 1 || got[f.Resident.ID].UserID == 0 {
			t.Fatalf("admin q=0006 got %v, want the resident", got)
		}
		if got := list(f.GridWorker, "?q=0006"); len(got) != 0 {
			t.Fatalf("grid worker q=0006 got %d members, want none (no search by phone)", len(got))
		}
	})
	t.Run("ResidentsCannotList", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Party, f.Unverified} {
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/members", f.A.ID), as: u})
			wantProblem(t, rec, http.StatusForbidden, "forbidden")
		}
	})
}

// joined joins a string list for comparison.
func joined(s []string) string { return strings.Join(s, ",") }
