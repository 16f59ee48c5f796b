package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

func verifyPath(cid uint64) string { return fmt.Sprintf("/api/v1/communities/%d/audit/verify", cid) }

func (ta *testApp) verify(t *testing.T, cid uint64) models.VerifyResult {
	t.Helper()
	rec := ta.do(req{method: "GET", path: verifyPath(cid), as: ta.fx.Committee})
	if cid != ta.fx.A.ID {
		rec = ta.do(req{method: "GET", path: verifyPath(cid), as: ta.fx.Super})
	}
	wantStatus(t, rec, http.StatusOK)
	return decode[models.VerifyResult](t, rec)
}

// TestEvents_OnePerChange walks through state changes of every kind and checks that each appends
// exactly one event of its type, with the community's sequence going up by one.
func TestEvents_OnePerChange(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	A := f.A.ID
	var compound models.Compound
	var building models.Building
	var newUser models.MemberView
	var invitation models.Invitation
	steps := []struct {
		typ models.EventType
		do  func() *httpRec
	}{
		{models.EvCommunityUpdated, func() *httpRec {
			return ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d", A), as: f.AdminA, body: map[string]string{"city": "武汉"}})
		}},
		{models.EvCompoundCreated, func() *httpRec {
			rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/compounds", A), as: f.AdminA, body: map[string]string{"name": "西桥小区"}})
			compound = decode[models.Compound](t, rec)
			return rec
		}},
		{models.EvBuildingCreated, func() *httpRec {
			rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/buildings", compound.ID), as: f.AdminA, body: map[string]string{"name": "1栋"}})
			building = decode[models.Building](t, rec)
			return rec
		}},
		{models.EvHouseholdCreated, func() *httpRec {
			return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/households", compound.ID), as: f.AdminA,
				body: map[string]any{"building_id": building.ID, "room": "201", "area": 75.25}})
		}},
		{models.EvOrganizationCreated, func() *httpRec {
			return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/organizations", A), as: f.AdminA,
				body: map[string]string{"name": "物业中心", "kind": "property"}})
		}},
		{models.EvMemberInvited, func() *httpRec {
			rec := ta.do(req{method: "POST", path: membersPath(A), as: f.AdminA,
				body: map[string]any{"phone": f.AdminB.Phone, "name": "x", "password": "initial-pass-1", "roles": []string{"committee"}}})
			invitation = decode[models.Invitation](t, rec)
			return rec
		}},
		{models.EvMemberAdded, func() *httpRec {
			rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/invitations/%d/accept", invitation.ID), as: f.AdminB})
			newUser = decode[models.MemberView](t, rec)
			return rec
		}},
		{models.EvMemberRolesChanged, func() *httpRec {
			return ta.do(req{method: "PATCH", path: memberPath(A, newUser.UserID), as: f.AdminA, body: map[string]any{"roles": []string{"committee", "resident"}}})
		}},
		{models.EvMemberUpdated, func() *httpRec {
			return ta.do(req{method: "PATCH", path: memberPath(A, newUser.UserID), as: f.AdminA, body: map[string]any{"work_unit": "区政府"}})
		}},
		{models.EvMemberVerified, func() *httpRec {
			return ta.do(req{method: "PATCH", path: memberPath(A, f.Unverified.ID), as: f.GridWorker, body: map[string]bool{"verified": true}})
		}},
		{models.EvMemberRegistered, func() *httpRec {
			return ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "13755550000", "name": "新人",
				"password": "register-pass-1", "community_id": A, "privacy_consent": true}})
		}},
		{models.EvMemberRenamed, func() *httpRec {
			return ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]string{"name": "老居民"}})
		}},
	}
	bBefore := len(ta.events(f.B.ID))
	for _, s := range steps {
		before := ta.events(A)
		rec := s.do()
		if rec.Code >= 300 {
			t.Fatalf("%s: status=%d body=%s", s.typ, rec.Code, rec.Body.String())
		}
		after := ta.events(A)
		if len(after) != len(before)+1 {
			t.Fatalf("%s: %d events appended, want 1", s.typ, len(after)-len(before))
		}
		ev := after[len(after)-1]
		last := before[len(before)-1]
		if ev.Type != s.typ || ev.Seq != last.Seq+1 || ev.PrevHash != last.Hash || ev.Hash == "" || ev.CommunityID != A {
			t.Fatalf("%s: event=%+v after %+v", s.typ, ev, last)
		}
	}
	// B's chain did not move: adding B's admin to A is A's event.
	if n := len(ta.events(f.B.ID)); n != bBefore {
		t.Fatalf("B's chain grew by %d", n-bBefore)
	}
	if res := ta.verify(t, A); !res.OK || res.Checked != len(ta.events(A)) || res.Head != uint64(len(ta.events(A))) {
		t.Fatalf("verify=%+v", res)
	}
	// Refused requests append nothing.
	before := len(ta.events(A))
	for _, r := range []req{
		{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/compounds", A), as: f.Committee, body: map[string]string{"name": "不该有"}},
		{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/compounds", A), as: f.AdminA, body: map[string]string{"name": "西桥小区"}},
		{method: "PATCH", path: memberPath(A, f.AdminA.ID), as: f.AdminA, body: map[string]any{"roles": []string{"resident"}}},
		{method: "PATCH", path: memberPath(A, f.Resident.ID), as: f.AdminA, body: map[string]any{"roles": []string{"resident"}}},
	} {
		ta.do(r)
	}
	if n := len(ta.events(A)) - before; n != 0 {
		t.Fatalf("refused and no-op requests appended %d events", n)
	}
}

func TestEvents_List(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/communities/%d/events", f.A.ID)
	all := ta.events(f.A.ID)
	t.Run("OKPaging", func(t *testing.T) {
		var got []uint64
		after := uint64(0)
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatal("paging does not end")
			}
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("%s?limit=3&after=%d", path, after), as: f.Committee})
			wantStatus(t, rec, http.StatusOK)
			p := decode[itemsPage[models.Event]](t, rec)
			for _, e := range p.Items {
				if e.ID <= after || e.CommunityID != f.A.ID {
					t.Fatalf("event %+v after %d", e, after)
				}
				got = append(got, e.Seq)
				after = e.ID
			}
			if p.NextCursor == "" {
				break
			}
			if p.NextCursor != fmt.Sprint(after) {
				t.Fatalf("next_cursor=%q, want %d", p.NextCursor, after)
			}
		}
		if len(got) != len(all) {
			t.Fatalf("walked %d events, want %d", len(got), len(all))
		}
		for i, s := range got {
			if s != uint64(i+1) {
				t.Fatalf("seqs=%v, want 1..%d", got, len(all))
			}
		}
	})
	t.Run("OKPayload", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: path, as: f.AdminA})
		var raw struct {
			Items []map[string]json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		first := raw.Items[0]
		if string(first["type"]) != `"community.created"` || !bytes.Contains(first["payload"], []byte(`"name":"西桥社区"`)) {
			t.Fatalf("first event=%v", first)
		}
	})
	t.Run("ErrBadQuery", func(t *testing.T) {
		for q, field := range map[string]string{"after=x": "after", "after=-1": "after", "limit=500": "limit", "limit=x": "limit",
			"after=18446744073709551615": "after"} {
			rec := ta.do(req{method: "GET", path: path + "?" + q, as: f.AdminA})
			if _, ok := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input").Errors[field]; !ok {
				t.Fatalf("?%s: no error for %s", q, field)
			}
		}
	})
}

// TestAudit_Verify edits, removes and restores rows of the log behind the application's back and
// checks that verify names the first broken event each time.
func TestAudit_Verify(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	A := f.A.ID
	db := ta.store.Gorm()
	t.Run("OK", func(t *testing.T) {
		res := ta.verify(t, A)
		n := len(ta.events(A))
		if !res.OK || res.Broken != nil || res.Checked != n || res.Head != uint64(n) || n < 5 {
			t.Fatalf("verify=%+v with %d events", res, n)
		}
		if res := ta.verify(t, f.B.ID); !res.OK {
			t.Fatalf("B verify=%+v", res)
		}
	})
	evs := ta.events(A)
	mid := evs[len(evs)/2]
	last := evs[len(evs)-1]
	t.Run("ErrEditedPayload", func(t *testing.T) {
		if err := db.Exec("UPDATE events SET payload = ? WHERE id = ?", `{"name":"假的"}`, mid.ID).Error; err != nil {
			t.Fatal(err)
		}
		res := ta.verify(t, A)
		if res.OK || res.Broken == nil || res.Broken.EventID != mid.ID || res.Broken.Seq != mid.Seq || res.Broken.Reason != "hash_mismatch" ||
			res.Broken.Type != mid.Type || res.Checked != int(mid.Seq-1) {
			t.Fatalf("verify=%+v broken=%+v, want hash_mismatch at event %d", res, res.Broken, mid.ID)
		}
		// The other community is unaffected.
		if res := ta.verify(t, f.B.ID); !res.OK {
			t.Fatalf("B verify=%+v", res)
		}
		if err := db.Exec("UPDATE events SET payload = ? WHERE id = ?", mid.Payload, mid.ID).Error; err != nil {
			t.Fatal(err)
		}
		if res := ta.verify(t, A); !res.OK {
			t.Fatalf("after restoring the payload verify=%+v", res)
		}
	})
	t.Run("ErrEditedFields", func(t *testing.T) {
		for _, edit := range []struct{ col, reason string }{
			{"type", "hash_mismatch"}, {"actor_id", "hash_mismatch"}, {"visibility", "hash_mismatch"}, {"subject_id", "hash_mismatch"},
			{"hash", "hash_mismatch"}, {"prev_hash", "prev_mismatch"}, {"payload_garbage", "hash_mismatch"},
		} {
			var err error
			switch edit.col {
			case "type":
				err = db.Exec("UPDATE events SET type = ? WHERE id = ?", "x.faked", mid.ID).Error
			case "actor_id":
				err = db.Exec("UPDATE events SET actor_id = ? WHERE id = ?", f.Resident.ID, mid.ID).Error
			case "visibility":
				err = db.Exec("UPDATE events SET visibility = ? WHERE id = ?", models.VisPublic+"x", mid.ID).Error
			case "subject_id":
				err = db.Exec("UPDATE events SET subject_id = subject_id + 1 WHERE id = ?", mid.ID).Error
			case "hash":
				err = db.Exec("UPDATE events SET hash = ? WHERE id = ?", last.Hash, mid.ID).Error
			case "prev_hash":
				// Pointing an event at another predecessor is named as such.
				err = db.Exec("UPDATE events SET prev_hash = ? WHERE id = ?", last.Hash, mid.ID).Error
			case "payload_garbage":
				err = db.Exec("UPDATE events SET payload = ? WHERE id = ?", "not json", mid.ID).Error
			}
			if err != nil {
				t.Fatal(err)
			}
			res := ta.verify(t, A)
			want := mid.ID
			if res.OK || res.Broken == nil || res.Broken.EventID != want || res.Broken.Reason != edit.reason {
				t.Fatalf("after editing %s: verify=%+v broken=%+v, want %s at %d", edit.col, res, res.Broken, edit.reason, want)
			}
			if err := db.Save(&mid).Error; err != nil {
				t.Fatal(err)
			}
			if res := ta.verify(t, A); !res.OK {
				t.Fatalf("after restoring %s verify=%+v broken=%+v", edit.col, res, res.Broken)
			}
		}
	})
	t.Run("ErrDeletedMiddle", func(t *testing.T) {
		if err := db.Exec("DELETE FROM events WHERE id = ?", mid.ID).Error; err != nil {
			t.Fatal(err)
		}
		res := ta.verify(t, A)
		next := evs[len(evs)/2+1]
		if res.OK || res.Broken == nil || res.Broken.Reason != "seq_gap" || res.Broken.EventID != next.ID || res.Broken.Seq != next.Seq {
			t.Fatalf("verify=%+v broken=%+v, want seq_gap at event %d", res, res.Broken, next.ID)
		}
		if err := db.Create(&mid).Error; err != nil {
			t.Fatal(err)
		}
		if res := ta.verify(t, A); !res.OK {
			t.Fatalf("after putting it back verify=%+v", res)
		}
	})
	t.Run("ErrDeletedLast", func(t *testing.T) {
		if err := db.Exec("DELETE FROM events WHERE id = ?", last.ID).Error; err != nil {
			t.Fatal(err)
		}
		res := ta.verify(t, A)
		prev := evs[len(evs)-2]
		if res.OK || res.Broken == nil || res.Broken.Reason != "head_mismatch" || res.Broken.EventID != prev.ID || res.Head != last.Seq {
			t.Fatalf("verify=%+v broken=%+v, want head_mismatch after event %d", res, res.Broken, prev.ID)
		}
		if err := db.Create(&last).Error; err != nil {
			t.Fatal(err)
		}
		if res := ta.verify(t, A); !res.OK {
			t.Fatalf("after putting it back verify=%+v", res)
		}
	})
	t.Run("ErrForgedAppend", func(t *testing.T) {
		// An event appended by hand after the head, carrying a copied hash.
		forged := last
		forged.ID, forged.Seq, forged.PrevHash = 0, last.Seq+1, last.Hash
		if err := db.Create(&forged).Error; err != nil {
			t.Fatal(err)
		}
		res := ta.verify(t, A)
		if res.OK || res.Broken == nil || res.Broken.EventID != forged.ID {
			t.Fatalf("verify=%+v broken=%+v, want event %d named", res, res.Broken, forged.ID)
		}
	})
	t.Run("ErrAccess", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.GridWorker, f.Facilitator} {
			wantProblem(t, ta.do(req{method: "GET", path: verifyPath(A), as: u}), http.StatusForbidden, "forbidden")
		}
		wantProblem(t, ta.do(req{method: "GET", path: verifyPath(A), as: f.AdminB}), http.StatusNotFound, "not_found")
	})
}

// TestEvents_Concurrent appends from many requests at once: the sequence has no gaps or
// duplicates and the chain verifies (on MySQL the head row is locked FOR UPDATE).
func TestEvents_Concurrent(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	const n = 20
	before := len(ta.events(f.A.ID))
	bBefore := len(ta.events(f.B.ID))
	var wg sync.WaitGroup
	codes := make([]int, 2*n)
	bodies := make([]string, 2*n)
	for i := 0; i < 2*n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// n requests to A and, at the same time, n to B: two chains that must not mix.
			cid, as := f.A.ID, f.AdminA
			if i%2 == 1 {
				cid, as = f.B.ID, f.AdminB
			}
			body, _ := json.Marshal(map[string]string{"name": fmt.Sprintf("并发小区%02d", i)})
			hr := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/communities/%d/compounds", cid), bytes.NewReader(body))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", "Bearer "+ta.token(as))
			rec := httptest.NewRecorder()
			ta.e.ServeHTTP(rec, hr)
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Fatalf("request %d: status=%d body=%s", i, c, bodies[i])
		}
	}
	for _, c := range []struct {
		cid    uint64
		before int
	}{{f.A.ID, before}, {f.B.ID, bBefore}} {
		evs := ta.events(c.cid)
		if len(evs) != c.before+n {
			t.Fatalf("community %d: %d events, want %d", c.cid, len(evs), c.before+n)
		}
		for i, e := range evs {
			if e.Seq != uint64(i+1) {
				t.Fatalf("community %d: event %d has seq %d, want %d", c.cid, i, e.Seq, i+1)
			}
			if i > 0 && e.PrevHash != evs[i-1].Hash {
				t.Fatalf("community %d: seq %d does not chain to %d", c.cid, e.Seq, e.Seq-1)
			}
		}
		if res := ta.verify(t, c.cid); !res.OK || res.Checked != c.before+n {
			t.Fatalf("community %d: verify=%+v", c.cid, res)
		}
	}
}
