package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// authorName is the name of the anonymous card's author in these tests: distinctive, so that a
// notification that named them would be caught.
const authorName = "匿名作者张三丰"

// evalFixture is a cycle at the round table with an anonymous card by its own author (living in
// household one of compound A), grouped, and an adopted resolution standing on it.
type evalFixture struct {
	resolutionFixture
	author     *models.User
	home, next *models.Household
	card       models.Card
	res        *models.Resolution
}

func (ta *testApp) buildEvalFixture(t *testing.T, month string) evalFixture {
	t.Helper()
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	ef := evalFixture{resolutionFixture: ta.buildResolutionFixture(month)}
	ef.home = must(s.CreateHousehold(ctx, sa, f.CompoundA.ID, models.HouseholdInput{BuildingID: f.BuildingA.ID,
		Room: "E" + month, Area: 75}))
	ef.next = must(s.CreateHousehold(ctx, sa, f.CompoundA.ID, models.HouseholdInput{BuildingID: f.BuildingA.ID,
		Room: "F" + month, Area: 80}))
	phone := "1386666" + strings.ReplaceAll(month, "-", "")[2:]
	ef.author = &models.User{Phone: phone, Name: authorName, PasswordHash: fixtureHash(), Locale: "zh-CN"}
	if err := s.Gorm().Create(ef.author).Error; err != nil {
		t.Fatal(err)
	}
	must(s.AddMember(ctx, sa, f.A.ID, models.AddMemberInput{Phone: phone, Roles: []string{models.RoleResident},
		HouseholdID: &ef.home.ID}))
	ef.card = ta.submit(t, ef.cycle.ID, ef.author, map[string]any{"body": "电梯井道避开一楼住户窗户", "anonymous": true})
	wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/cards/%d/cluster", ef.card.ID), as: f.Facilitator,
		body: map[string]any{"cluster_id": ef.group.ID}}), http.StatusOK)
	vote := ta.formalVote(ef.meeting.ID, "同意加装电梯", 4, 1)
	ef.res = must(s.DraftResolution(ctx, f.Facilitator.Actor(), ef.cycle.ID, models.ResolutionInput{PollID: vote.ID,
		Title: "加装电梯决议", Text: "同意加装电梯。", CardIDs: []uint64{ef.card.ID}}))
	ef.res = must(s.AdoptResolution(ctx, f.Facilitator.Actor(), ef.res.ID))
	if ef.res.Status != models.ResolutionAdopted {
		t.Fatalf("resolution %s, want adopted", ef.res.Status)
	}
	return ef
}

// setResolutionStatus stands in for the steps of carrying a resolution out (publicity, items),
// which have tests of their own.
func (ta *testApp) setResolutionStatus(t *testing.T, id uint64, status string) {
	t.Helper()
	if err := ta.store.Gorm().Table("resolutions").Where("id = ?", id).Update("status", status).Error; err != nil {
		t.Fatal(err)
	}
}

type inbox struct {
	Items      []notificationView `json:"items"`
	NextCursor string             `json:"next_cursor"`
	Unread     int64              `json:"unread"`
}

func (ta *testApp) inbox(t *testing.T, u *models.User, query string) inbox {
	t.Helper()
	rec := ta.do(req{method: "GET", path: "/api/v1/me/notifications" + query, as: u})
	wantStatus(t, rec, http.StatusOK)
	return decode[inbox](t, rec)
}

func kinds(in inbox) []string {
	var out []string
	for _, n := range in.Items {
		out = append(out, n.Type)
	}
	return out
}

func find(in inbox, kind string) *notificationView {
	for i := range in.Items {
		if in.Items[i].Type == kind {
			return &in.Items[i]
		}
	}
	return nil
}

// noNotificationNames fails if any notification of anyone, rendered in either language, names
// the author.
func (ta *testApp) noNotificationNames(t *testing.T, name string) {
	t.Helper()
	var all []models.Notification
	if err := ta.store.Gorm().Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no notifications at all")
	}
	for _, n := range all {
		if strings.Contains(n.Params, name) {
			t.Fatalf("notification %d (%s) names %s in its params: %s", n.ID, n.Type, name, n.Params)
		}
		n.Data = map[string]any{}
		_ = jsonUnmarshalString(n.Params, &n.Data)
		for _, loc := range []string{LocaleZH, LocaleEN} {
			v := renderNotification(loc, &n)
			if strings.Contains(v.Title+v.Body, name) {
				t.Fatalf("notification %d (%s) names %s: %s %s", n.ID, n.Type, name, v.Title, v.Body)
			}
		}
	}
}

// TestNotify_CardStory: the author of an anonymous card hears every step of its story — grouped,
// in a resolution, signed off — in their own language (changed after the fact, the words follow),
// marks them read, and no notification anywhere names them.
func TestNotify_CardStory(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ef := ta.buildEvalFixture(t, "2027-03")
	in := ta.inbox(t, ef.author, "")
	grouped, resolved := find(in, models.NoteCardGrouped), find(in, models.NoteCardResolution)
	if grouped == nil || resolved == nil || in.Unread != int64(len(in.Items)) {
		t.Fatalf("author's inbox: %v unread=%d", kinds(in), in.Unread)
	}
	if grouped.SubjectType != "card" || grouped.SubjectID != ef.card.ID || !strings.Contains(grouped.Body, "补偿") ||
		!strings.Contains(grouped.Body, "电梯井道") {
		t.Fatalf("grouped: %+v", grouped)
	}
	if !strings.Contains(resolved.Body, "加装电梯决议") || !strings.Contains(resolved.Body, "已通过") {
		t.Fatalf("in a resolution: %+v", resolved)
	}
	// Moving the card within its group tells nothing new; into another group does.
	wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/cards/%d/cluster", ef.card.ID), as: f.Facilitator,
		body: map[string]any{"cluster_id": ef.group.ID, "position": 1}}), http.StatusOK)
	if n := len(ta.inbox(t, ef.author, "").Items); n != len(in.Items) {
		t.Fatalf("a move within the group notified: %d → %d", len(in.Items), n)
	}

	ta.setResolutionStatus(t, ef.res.ID, models.ResolutionEvaluating)
	wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(ef.res.ID) + "/acceptance", as: f.Committee,
		body: map[string]any{"decision": "accept", "remarks": "验收合格"}}), http.StatusOK)
	in = ta.inbox(t, ef.author, "")
	acc := find(in, models.NoteCardAccepted)
	if acc == nil || acc.Title != "决议通过了验收" || in.Items[0].Type != models.NoteCardAccepted {
		t.Fatalf("after sign-off: %v", kinds(in))
	}

	// The language is the reader's, at reading time.
	wantStatus(t, ta.do(req{method: "PATCH", path: "/api/v1/me", as: ef.author, body: map[string]any{"locale": "en"}}), http.StatusOK)
	ef.author.Locale = "en"
	if got := find(ta.inbox(t, ef.author, ""), models.NoteCardAccepted); got == nil || got.Title != "A resolution was signed off" {
		t.Fatalf("in English: %+v", got)
	}

	// Reading: some, then all; others' ids change nothing; neither is 422.
	rec := ta.do(req{method: "POST", path: "/api/v1/me/notifications/read", as: ef.author, body: map[string]any{"ids": []uint64{acc.ID}}})
	wantStatus(t, rec, http.StatusOK)
	if got := decode[map[string]int64](t, rec)["unread"]; got != in.Unread-1 {
		t.Fatalf("unread after one=%d, want %d", got, in.Unread-1)
	}
	rec = ta.do(req{method: "POST", path: "/api/v1/me/notifications/read", as: f.Resident, body: map[string]any{"all": true}})
	wantStatus(t, rec, http.StatusOK)
	if got := ta.inbox(t, ef.author, "").Unread; got != in.Unread-1 {
		t.Fatalf("another's read-all changed the author's inbox: unread=%d", got)
	}
	wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/me/notifications/read", as: ef.author, body: map[string]any{}}),
		http.StatusUnprocessableEntity, "invalid_input")
	wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/me/notifications/read", as: ef.author, body: map[string]any{"all": true}}),
		http.StatusOK)
	if got := ta.inbox(t, ef.author, "?unread=true"); got.Unread != 0 || len(got.Items) != 0 {
		t.Fatalf("after all read: %+v", got)
	}
	// Paging: newest first, a cursor to the rest.
	p1 := ta.inbox(t, ef.author, "?limit=1")
	if len(p1.Items) != 1 || p1.NextCursor == "" || p1.Items[0].ID != acc.ID {
		t.Fatalf("page 1: %+v", p1)
	}
	p2 := ta.inbox(t, ef.author, "?limit=1&cursor="+p1.NextCursor)
	if len(p2.Items) != 1 || p2.Items[0].ID >= p1.Items[0].ID {
		t.Fatalf("page 2: %+v", p2)
	}
	ta.noNotificationNames(t, authorName)
}

// TestNotify_Preferences: optional kinds can be switched off, the card's story cannot; a phase
// change reaches the compound's members who did not switch it off.
func TestNotify_Preferences(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ef := ta.buildEvalFixture(t, "2027-04")
	put := func(u *models.User, off ...string) *httptest.ResponseRecorder {
		return ta.do(req{method: "PUT", path: "/api/v1/me/notification-preferences", as: u, body: map[string]any{"off": off}})
	}
	p := wantProblem(t, put(ef.author, models.NoteCardGrouped), http.StatusUnprocessableEntity, "invalid_input")
	wantField(t, p, "off[0]", "您的卡片的进展通知不能关闭")
	wantProblem(t, put(ef.author, "no_such_kind"), http.StatusUnprocessableEntity, "invalid_input")
	wantStatus(t, put(ef.author, models.NoteCyclePhase), http.StatusOK)
	// Another member of the compound keeps the default.
	other := ta.fx.Unverified // lives in household A of compound A
	ta.endMeeting(t, ef.meeting.ID)
	ta.advance(t, ef.cycle.ID, models.PhaseResolved)
	if find(ta.inbox(t, ef.author, ""), models.NoteCyclePhase) != nil {
		t.Fatal("a switched-off kind was delivered")
	}
	ph := find(ta.inbox(t, other, ""), models.NoteCyclePhase)
	if ph == nil || !strings.Contains(ph.Body, "形成决议") || !strings.Contains(ph.Title, "安友花园") {
		t.Fatalf("phase notice: %+v", ph)
	}
	if find(ta.inbox(t, f.Facilitator, ""), models.NoteCyclePhase) != nil {
		t.Fatal("a member living elsewhere (or the one who moved it) got the phase notice")
	}
	rec := ta.do(req{method: "GET", path: "/api/v1/me/notification-preferences", as: ef.author})
	wantStatus(t, rec, http.StatusOK)
	prefs := decode[map[string][]models.NotificationPref](t, rec)["items"]
	for _, pr := range prefs {
		want := pr.Type != models.NoteCyclePhase
		if pr.Enabled != want || pr.Optional == models.CardStoryKind(pr.Type) {
			t.Fatalf("pref %+v", pr)
		}
	}
	// Switching back on deletes the row; a second identical PUT changes nothing.
	wantStatus(t, put(ef.author), http.StatusOK)
	wantStatus(t, put(ef.author), http.StatusOK)
}

// TestNotify_Stream: a notification arrives on the recipient's open stream, with the unread
// count, and not on anyone else's.
func TestNotify_Stream(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ef := ta.buildEvalFixture(t, "2027-05")
	srv := httptest.NewServer(ta.e)
	defer srv.Close()
	open := func(u *models.User) (*bufio.Reader, func()) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/me/notifications/stream", nil)
		r.Header.Set("Authorization", "Bearer "+ta.token(u))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("stream status %d", resp.StatusCode)
		}
		return bufio.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }
	}
	rd, stop := open(ef.author)
	defer stop()
	ord, ostop := open(f.Party)
	defer ostop()
	readEvent := func(rd *bufio.Reader) (string, string) {
		var ev, data string
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return "", err.Error()
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev != "":
				return ev, data
			}
		}
	}
	if ev, data := readEvent(rd); ev != "connected" || !strings.Contains(data, `"unread":`) {
		t.Fatalf("first event %q %s", ev, data)
	}
	if ev, _ := readEvent(ord); ev != "connected" {
		t.Fatalf("other's first event %q", ev)
	}
	ta.setResolutionStatus(t, ef.res.ID, models.ResolutionEvaluating)
	wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(ef.res.ID) + "/acceptance", as: f.Committee,
		body: map[string]any{"decision": "refuse", "remarks": "电梯噪音超标，需要整改"}}), http.StatusOK)
	ev, data := readEvent(rd)
	if ev != "notification" || !strings.Contains(data, `"type":"card_returned"`) || !strings.Contains(data, "退回") {
		t.Fatalf("live notification: %q %s", ev, data)
	}
	if strings.Contains(data, authorName) {
		t.Fatalf("the stream names the author: %s", data)
	}
	// The other stream got nothing but heartbeats: a line arrives only after its deadline.
	got := make(chan string, 1)
	go func() { e, _ := readEvent(ord); got <- e }()
	select {
	case e := <-got:
		t.Fatalf("another member's stream received %q", e)
	case <-time.After(2500 * time.Millisecond):
	}
}

// TestSurvey: who answers for which household, one answer a household (also at once), the rate
// against the threshold, reopening, and the committee's final sign-off closing the cycle.
func TestSurvey(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ef := ta.buildEvalFixture(t, "2027-06")
	rp := resolutionPath(ef.res.ID)
	answer := func(u *models.User, body map[string]any) *httptest.ResponseRecorder {
		return ta.do(req{method: "POST", path: rp + "/survey-answers", as: u, body: body})
	}
	// Not yet under evaluation.
	p := wantProblem(t, answer(ef.author, map[string]any{"level": "satisfied"}), http.StatusConflict, "resolution_not_evaluating")
	if !strings.Contains(p.Detail, "已通过") {
		t.Fatalf("detail names the status: %s", p.Detail)
	}
	wantProblem(t, ta.do(req{method: "POST", path: rp + "/acceptance", as: f.Committee,
		body: map[string]any{"decision": "accept"}}), http.StatusConflict, "resolution_not_evaluating")
	ta.setResolutionStatus(t, ef.res.ID, models.ResolutionEvaluating)

	// Permissions.
	wantProblem(t, answer(f.Unverified, map[string]any{"level": "satisfied"}), http.StatusForbidden, "not_verified")
	wantProblem(t, answer(f.Resident, map[string]any{"level": "satisfied"}), http.StatusForbidden, "survey_no_household")
	wantProblem(t, answer(ef.author, map[string]any{"level": "satisfied", "household_id": ef.next.ID}), http.StatusForbidden,
		"survey_own_household_only")
	wantProblem(t, answer(ef.author, map[string]any{"level": "satisfied", "via": "visit", "household_id": ef.next.ID}),
		http.StatusForbidden, "forbidden")
	wantProblem(t, answer(f.Committee, map[string]any{"level": "satisfied", "via": "visit", "household_id": ef.next.ID}),
		http.StatusForbidden, "forbidden")
	wantProblem(t, answer(f.GridWorker, map[string]any{"level": "satisfied", "via": "visit", "household_id": f.HouseholdB.ID}),
		http.StatusUnprocessableEntity, "invalid_input")
	wantProblem(t, answer(f.GridWorker, map[string]any{"level": "satisfied", "via": "visit"}), http.StatusUnprocessableEntity, "invalid_input")
	wantProblem(t, answer(ef.author, map[string]any{"level": "happy"}), http.StatusUnprocessableEntity, "invalid_input")
	wantProblem(t, answer(f.ResidentB, map[string]any{"level": "satisfied"}), http.StatusNotFound, "not_found")

	// The author answers for their own household, once.
	wantStatus(t, answer(ef.author, map[string]any{"level": "satisfied"}), http.StatusCreated)
	wantProblem(t, answer(ef.author, map[string]any{"level": "dissatisfied", "household_id": ef.home.ID}), http.StatusConflict,
		"survey_already_answered")
	// A grid worker's visit to another household, sent eight times at once: one answer.
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- answer(f.GridWorker, map[string]any{"level": "very_dissatisfied", "via": "visit", "household_id": ef.next.ID}).Code
		}()
	}
	wg.Wait()
	close(codes)
	n201, n409 := 0, 0
	for c := range codes {
		switch c {
		case http.StatusCreated:
			n201++
		case http.StatusConflict:
			n409++
		}
	}
	if n201 != 1 || n409 != 7 {
		t.Fatalf("eight visits at once: %d created, %d conflicts", n201, n409)
	}

	rec := ta.do(req{method: "GET", path: rp + "/survey", as: ef.author})
	wantStatus(t, rec, http.StatusOK)
	st := decode[models.SurveyStats](t, rec)
	var households int64
	ta.store.Gorm().Model(&models.Household{}).Where("compound_id = ?", f.CompoundA.ID).Count(&households)
	if st.Households != households || st.Answers != 2 || st.Rate == nil || *st.Rate != 0.5 || st.Threshold != 80 ||
		!st.BelowThreshold || st.Visits != 1 || st.MyLevel != "satisfied" || st.CanAnswer || st.CanAccept || st.CanReopen {
		t.Fatalf("survey: %+v", st)
	}
	low := find(ta.inbox(t, f.Facilitator, ""), models.NoteSurveyBelowTarget)
	if low == nil || !strings.Contains(low.Body, "80%") {
		t.Fatalf("facilitator not told of the low rate: %v", kinds(ta.inbox(t, f.Facilitator, "")))
	}
	// A threshold of 50 lifts the flag (0.5 is not below 50%).
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d", f.A.ID), as: f.AdminA,
		body: map[string]any{"satisfaction_threshold": 50}}), http.StatusOK)
	wantProblem(t, ta.do(req{method: "POST", path: rp + "/reopen", as: f.Committee, body: map[string]any{"reason": "不满意"}}),
		http.StatusConflict, "survey_not_below_threshold")
	wantProblem(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d", f.A.ID), as: f.AdminA,
		body: map[string]any{"satisfaction_threshold": 101}}), http.StatusUnprocessableEntity, "invalid_input")
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d", f.A.ID), as: f.AdminA,
		body: map[string]any{"satisfaction_threshold": 80}}), http.StatusOK)

	// Reopening: a resident cannot; the committee can, and a new round starts empty.
	wantProblem(t, ta.do(req{method: "POST", path: rp + "/reopen", as: ef.author, body: map[string]any{"reason": "不满意"}}),
		http.StatusForbidden, "forbidden")
	rec = ta.do(req{method: "POST", path: rp + "/reopen", as: f.Committee, body: map[string]any{"reason": "满意率不到八成"}})
	wantStatus(t, rec, http.StatusOK)
	if r := decode[models.Resolution](t, rec); r.Status != models.ResolutionImplementing {
		t.Fatalf("reopened: %s", r.Status)
	}
	ta.setResolutionStatus(t, ef.res.ID, models.ResolutionEvaluating)
	st = decode[models.SurveyStats](t, ta.do(req{method: "GET", path: rp + "/survey", as: ef.author}))
	if st.Round != 2 || st.Answers != 0 || st.Rate != nil || !st.CanAnswer {
		t.Fatalf("second round: %+v", st)
	}
	wantStatus(t, answer(ef.author, map[string]any{"level": "basically_satisfied"}), http.StatusCreated)

	// Sign-off: the committee only; refusing needs remarks; accepting is final.
	for _, u := range []*models.User{ef.author, f.Facilitator, f.AdminA, f.GridWorker} {
		wantProblem(t, ta.do(req{method: "POST", path: rp + "/acceptance", as: u, body: map[string]any{"decision": "accept"}}),
			http.StatusForbidden, "forbidden")
	}
	p = wantProblem(t, ta.do(req{method: "POST", path: rp + "/acceptance", as: f.Committee, body: map[string]any{"decision": "refuse"}}),
		http.StatusUnprocessableEntity, "invalid_input")
	wantField(t, p, "remarks", "不通过验收时，请写明原因和整改要求")
	// The cycle cannot close while the resolution is not accepted.
	ta.endMeeting(t, ef.meeting.ID)
	ta.advance(t, ef.cycle.ID, models.PhaseResolved)
	p = wantProblem(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", ef.cycle.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseClosed}}), http.StatusConflict, "resolutions_not_settled")
	if !strings.Contains(p.Detail, "加装电梯决议") || !strings.Contains(p.Detail, "满意度测评中") {
		t.Fatalf("close refused: %s", p.Detail)
	}
	rec = ta.do(req{method: "POST", path: rp + "/acceptance", as: f.Committee, body: map[string]any{"decision": "accept", "remarks": "验收合格"}})
	wantStatus(t, rec, http.StatusOK)
	if r := decode[models.Resolution](t, rec); r.Status != models.ResolutionAccepted {
		t.Fatalf("accepted: %s", r.Status)
	}
	wantProblem(t, ta.do(req{method: "POST", path: rp + "/acceptance", as: f.Committee, body: map[string]any{"decision": "refuse", "remarks": "再看看"}}),
		http.StatusConflict, "resolution_accepted")
	wantProblem(t, answer(ef.author, map[string]any{"level": "satisfied"}), http.StatusConflict, "resolution_accepted")
	st = decode[models.SurveyStats](t, ta.do(req{method: "GET", path: rp + "/survey", as: f.Committee}))
	if len(st.Acceptances) != 1 || st.Acceptances[0].Decision != "accept" || st.Acceptances[0].UserName != "监督委员" {
		t.Fatalf("sign-offs: %+v", st.Acceptances)
	}
	// The other resolutions of the cycle were rejected or none: it closes now.
	ta.advance(t, ef.cycle.ID, models.PhaseClosed)
	ta.noNotificationNames(t, authorName)
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// signOffAll carries every adopted resolution of a cycle through evaluation and has the
// committee accept it through the API, as a cycle needs before it closes (tests of the phases
// that are not about follow-through).
func (ta *testApp) signOffAll(t *testing.T, cycleID uint64) {
	t.Helper()
	var ids []uint64
	if err := ta.store.Gorm().Table("resolutions").Where("cycle_id = ? AND status NOT IN ?", cycleID,
		[]string{models.ResolutionAccepted, models.ResolutionRejected, models.ResolutionDraft}).Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		ta.setResolutionStatus(t, id, models.ResolutionEvaluating)
		wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(id) + "/acceptance", as: ta.fx.Committee,
			body: map[string]any{"decision": "accept", "remarks": "验收合格"}}), http.StatusOK)
	}
}

// TestNotify_FollowThrough walks the follow-through through the API and checks who hears what:
// an objection reaches the facilitators; an assignment its assignee; a claim the facilitators and
// its decision the claimant; the author of the anonymous card hears the item progressing, done,
// the survey opening and the sign-off — and never anyone else's name, nor is named.
func TestNotify_FollowThrough(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ef := ta.buildEvalFixture(t, "2027-07")
	rp := resolutionPath(ef.res.ID)
	do := func(method, path string, as *models.User, body any, want int) *httptest.ResponseRecorder {
		t.Helper()
		rec := ta.do(req{method: method, path: path, as: as, body: body})
		wantStatus(t, rec, want)
		return rec
	}
	do("POST", rp+"/publicity", f.Facilitator, map[string]any{"days": 7}, http.StatusOK)
	do("POST", rp+"/objections", ef.author, map[string]any{"text": "施工时间请避开午休"}, http.StatusCreated)
	if find(ta.inbox(t, f.Facilitator, ""), models.NoteObjection) == nil {
		t.Fatalf("facilitator not told of the objection: %v", kinds(ta.inbox(t, f.Facilitator, "")))
	}
	// Publicity is skipped from here: the facilitator's 0-day publicity is follow-through's own
	// test; move on to implementing.
	ta.setResolutionStatus(t, ef.res.ID, models.ResolutionImplementing)
	rec := do("POST", rp+"/items", f.Facilitator, map[string]any{"title": "电梯井道施工", "due_date": "2027-12-01",
		"assignee_user_id": f.Party.ID}, http.StatusCreated)
	item := decode[struct{ ID uint64 }](t, rec)
	rec = do("POST", rp+"/items", f.Facilitator, map[string]any{"title": "楼道清理", "due_date": "2027-12-01",
		"open_for_claims": true}, http.StatusCreated)
	open := decode[struct{ ID uint64 }](t, rec)
	as := find(ta.inbox(t, f.Party, ""), models.NoteItemAssigned)
	if as == nil || !strings.Contains(as.Body, "电梯井道施工") || !strings.Contains(as.Body, "2027-12-01") {
		t.Fatalf("assignment: %+v", as)
	}
	rec = do("POST", fmt.Sprintf("/api/v1/items/%d/claims", open.ID), f.Party, map[string]any{}, http.StatusCreated)
	claim := decode[struct{ ID uint64 }](t, rec)
	if find(ta.inbox(t, f.Facilitator, ""), models.NoteClaimSubmitted) == nil {
		t.Fatal("facilitator not told of the claim")
	}
	do("POST", fmt.Sprintf("/api/v1/claims/%d/confirm", claim.ID), f.Facilitator, map[string]any{}, http.StatusOK)
	if find(ta.inbox(t, f.Party, ""), models.NoteClaimConfirmed) == nil {
		t.Fatal("claimant not told of the confirmation")
	}
	do("POST", fmt.Sprintf("/api/v1/items/%d/updates", item.ID), f.Party, map[string]any{"note": "井道开挖完成", "progress": 60},
		http.StatusCreated)
	prog := find(ta.inbox(t, ef.author, ""), models.NoteCardItemProgress)
	if prog == nil || !strings.Contains(prog.Body, "60%") || !strings.Contains(prog.Body, "电梯井道施工") {
		t.Fatalf("author not told of the progress: %+v", prog)
	}
	do("PATCH", fmt.Sprintf("/api/v1/items/%d", item.ID), f.Party, map[string]any{"status": "done"}, http.StatusOK)
	do("PATCH", fmt.Sprintf("/api/v1/items/%d", open.ID), f.Party, map[string]any{"status": "done"}, http.StatusOK)
	in := ta.inbox(t, ef.author, "")
	if find(in, models.NoteCardItemDone) == nil || find(in, models.NoteCardEvaluating) == nil {
		t.Fatalf("author's story: %v", kinds(in))
	}
	st := decode[models.SurveyStats](t, do("GET", rp+"/survey", ef.author, nil, http.StatusOK))
	if st.Status != models.ResolutionEvaluating || !st.CanAnswer {
		t.Fatalf("survey after the last item: %+v", st)
	}
	do("POST", rp+"/survey-answers", ef.author, map[string]any{"level": "satisfied"}, http.StatusCreated)
	do("POST", rp+"/acceptance", f.Committee, map[string]any{"decision": "accept", "remarks": "验收合格"}, http.StatusOK)
	in = ta.inbox(t, ef.author, "")
	if in.Items[0].Type != models.NoteCardAccepted {
		t.Fatalf("author's story ends with %v", kinds(in))
	}
	// The committee changes nothing but the sign-off.
	do("POST", rp+"/items", f.Committee, map[string]any{"title": "补充", "due_date": "2027-12-01"}, http.StatusForbidden)
	ta.noNotificationNames(t, authorName)
}
