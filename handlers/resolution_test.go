package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// resolutionView is a resolution as the API answers it.
type resolutionView struct {
	models.Resolution
	CategoryLabel string `json:"category_label"`
	MatterLabel   string `json:"matter_label"`
}

// resTest is a test app with a round table under way and the spec to check answers against.
type resTest struct {
	*testApp
	spec *openAPI
	rf   resolutionFixture
}

func newResTest(t *testing.T, month string) *resTest {
	t.Helper()
	ta := newTestApp(t)
	return &resTest{testApp: ta, spec: loadOpenAPI(t), rf: ta.buildResolutionFixture(month)}
}

// call sends a request, wants the status and checks the answer against handlers/openapi.yaml.
func (rt *resTest) call(t *testing.T, r req, want int) *httpRec {
	t.Helper()
	rec := rt.do(r)
	wantStatus(t, rec, want)
	op, ok := rt.spec.find(r.method, r.path)
	if !ok {
		t.Fatalf("%s %s is not in the spec", r.method, r.path)
	}
	for _, e := range rt.spec.checkResponse(op, rec) {
		t.Errorf("%s %s: %s", r.method, r.path, e)
	}
	return rec
}

// problem sends a request that must fail with the status and code, and change nothing in the log.
func (rt *resTest) problem(t *testing.T, r req, status int, code string) Problem {
	t.Helper()
	before := lastSeq(rt.events(rt.fx.A.ID))
	rec := rt.call(t, r, status)
	p := wantProblem(t, rec, status, code)
	if after := lastSeq(rt.events(rt.fx.A.ID)); after != before {
		t.Fatalf("a refused request appended events: %v", rt.eventTypes(rt.fx.A.ID, before))
	}
	return p
}

func (rt *resTest) draft(t *testing.T, body map[string]any) resolutionView {
	t.Helper()
	rec := rt.call(t, req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/resolutions", rt.rf.cycle.ID),
		as: rt.fx.Facilitator, body: body}, http.StatusCreated)
	return decode[resolutionView](t, rec)
}

func (rt *resTest) get(t *testing.T, id uint64, as *models.User) resolutionView {
	t.Helper()
	return decode[resolutionView](t, rt.call(t, req{method: "GET", path: resolutionPath(id), as: as}, http.StatusOK))
}

func resolutionPath(id uint64) string { return fmt.Sprintf("/api/v1/resolutions/%d", id) }

// eventsAfter lists the community's events after seq.
func (rt *resTest) eventsAfter(seq uint64) []models.Event {
	var out []models.Event
	for _, e := range rt.events(rt.fx.A.ID) {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

func payloadOf(t *testing.T, e models.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Payload), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResolution_Draft(t *testing.T) {
	t.Parallel()
	rt := newResTest(t, "2027-06")
	f, rf := rt.fx, rt.rf
	path := fmt.Sprintf("/api/v1/cycles/%d/resolutions", rf.cycle.ID)
	passed := rt.formalVote(rf.meeting.ID, "按楼层分摊费用", 3, 1)
	failed := rt.formalVote(rf.meeting.ID, "暂缓加装电梯", 1, 2)
	var adopted resolutionView

	t.Run("OKDraftThenAdopted", func(t *testing.T) {
		before := lastSeq(rt.events(f.A.ID))
		adopted = rt.draft(t, map[string]any{"poll_id": passed.ID, "title": "加装电梯费用按楼层分摊",
			"text":        "经圆桌会议协商，加装电梯费用按楼层分摊，一楼住户给予适当补偿。",
			"cluster_ids": []uint64{rf.group.ID}, "card_ids": []uint64{rf.cards[1].ID, rf.cards[1].ID}})
		r := adopted
		if r.Status != models.ResolutionDraft || !r.PollPassed || r.Category != models.CategoryOrdinary ||
			r.OwnersDecisionRequired || r.DecidedAt != nil || r.MeetingID != rf.meeting.ID || r.PollTitle != "按楼层分摊费用" {
			t.Fatalf("resolution=%+v, want a draft consultation result of the meeting's vote", r.Resolution)
		}
		if r.CategoryLabel != "协商意见（圆桌会议协商结果）" || r.MatterLabel != "" {
			t.Fatalf("labels=%q %q, want the consultation label", r.CategoryLabel, r.MatterLabel)
		}
		if !slices.Equal(r.ClusterIDs, []uint64{rf.group.ID}) || !slices.Equal(r.CardIDs, []uint64{rf.cards[1].ID}) {
			t.Fatalf("links=%v %v, want the group and the card once", r.ClusterIDs, r.CardIDs)
		}
		// Drafting tells the cards; nothing is decided yet.
		mid := lastSeq(rt.events(f.A.ID))
		var got []string
		for _, e := range rt.eventsAfter(before) {
			got = append(got, fmt.Sprintf("%s %s:%d", e.Type, e.SubjectType, e.SubjectID))
		}
		want := []string{
			fmt.Sprintf("resolution.drafted resolution:%d", r.ID),
			fmt.Sprintf("card.resolved card:%d", rf.cards[0].ID), fmt.Sprintf("card.resolved card:%d", rf.cards[1].ID),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("events=%v, want %v", got, want)
		}
		p := payloadOf(t, rt.eventsAfter(before)[0])
		if p["nature"] != "consultation" || p["poll_id"] != float64(passed.ID) || p["meeting_id"] != float64(rf.meeting.ID) ||
			fmt.Sprint(p["card_ids"]) != fmt.Sprintf("[%d]", rf.cards[1].ID) || fmt.Sprint(p["cluster_ids"]) != fmt.Sprintf("[%d]", rf.group.ID) {
			t.Fatalf("drafted payload=%v", p)
		}
		// A vote that passed is not recorded rejected; only members of the community's staff adopt.
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/reject", as: f.Facilitator}, http.StatusConflict, "poll_passed")
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Resident}, http.StatusForbidden, "forbidden")
		rec := rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator}, http.StatusOK)
		adopted = decode[resolutionView](t, rec)
		if adopted.Status != models.ResolutionAdopted || adopted.DecidedAt == nil {
			t.Fatalf("adopted=%+v", adopted.Resolution)
		}
		got = nil
		evs := rt.eventsAfter(mid)
		for _, e := range evs {
			got = append(got, fmt.Sprintf("%s %s:%d", e.Type, e.SubjectType, e.SubjectID))
		}
		want = []string{
			fmt.Sprintf("resolution.adopted resolution:%d", r.ID),
			fmt.Sprintf("card.resolution_adopted card:%d", rf.cards[0].ID), fmt.Sprintf("card.resolution_adopted card:%d", rf.cards[1].ID),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("events=%v, want %v", got, want)
		}
		if p := payloadOf(t, evs[0]); p["decided_by"] != "poll" || p["category"] != "ordinary" {
			t.Fatalf("adopted payload=%v", p)
		}
		// Once: adopting again is a conflict.
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.AdminA}, http.StatusConflict, "resolution_not_draft")
	})
	t.Run("OKCardTimelineShowsTheResolution", func(t *testing.T) {
		rec := rt.call(t, req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", rf.cards[0].ID), as: f.Resident}, http.StatusOK)
		items := decode[itemsPage[models.TimelineItem]](t, rec).Items
		var steps []string
		for _, it := range items {
			if strings.Contains(string(it.Type), "resol") {
				steps = append(steps, fmt.Sprintf("%s %q %d %d", it.Type, it.Title, it.ResolutionID, it.PollID))
			}
		}
		want := []string{fmt.Sprintf("card.resolved %q %d %d", "加装电梯费用按楼层分摊", adopted.ID, passed.ID),
			fmt.Sprintf("card.resolution_adopted %q %d %d", "加装电梯费用按楼层分摊", adopted.ID, passed.ID)}
		if !slices.Equal(steps, want) {
			t.Fatalf("timeline=%v, want %v", steps, want)
		}
	})
	t.Run("OKFailedVoteRecordedRejected", func(t *testing.T) {
		before := lastSeq(rt.events(f.A.ID))
		r := rt.draft(t, map[string]any{"poll_id": failed.ID, "title": "暂缓加装电梯", "text": "多数人不同意，暂缓。"})
		if r.Status != models.ResolutionDraft || r.PollPassed || r.DecidedAt != nil {
			t.Fatalf("resolution=%+v, want a draft", r.Resolution)
		}
		// A vote that did not pass cannot be adopted, whatever the facilitator wants.
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator}, http.StatusConflict, "poll_not_passed")
		rec := rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/reject", as: f.Facilitator}, http.StatusOK)
		if got := decode[resolutionView](t, rec); got.Status != models.ResolutionRejected || got.DecidedAt == nil {
			t.Fatalf("rejected=%+v", got.Resolution)
		}
		if got := rt.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvResolutionDrafted, models.EvResolutionRejected}) {
			t.Fatalf("events=%v", got)
		}
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator}, http.StatusConflict, "resolution_not_draft")
	})
	t.Run("OKReadAndList", func(t *testing.T) {
		r := rt.get(t, adopted.ID, f.Resident)
		if r.Title != adopted.Title || r.NamesVisible || r.Signatures == nil || !r.CanSign {
			t.Fatalf("resolution as resident=%+v", r.Resolution)
		}
		rec := rt.call(t, req{method: "GET", path: path, as: f.Unverified, header: map[string]string{"Accept-Language": "en"}}, http.StatusOK)
		l := decode[itemsPage[resolutionView]](t, rec)
		if len(l.Items) != 2 || l.Items[0].ID != adopted.ID || l.Items[0].CategoryLabel != "Consultation result of the round table (协商)" {
			t.Fatalf("list=%+v", l)
		}
		rt.problem(t, req{method: "GET", path: resolutionPath(adopted.ID), as: f.ResidentB}, http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "GET", path: path, as: f.ResidentB}, http.StatusNotFound, "not_found")
	})
	t.Run("ErrSameVoteTwice", func(t *testing.T) {
		rt.problem(t, req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"poll_id": passed.ID, "title": "再起草一次",
			"text": "重复"}}, http.StatusConflict, "resolution_exists")
	})
	t.Run("ErrVoteStillOpen", func(t *testing.T) {
		ctx := context.Background()
		p := must(rt.store.CreateMeetingPoll(ctx, f.Facilitator.Actor(), rf.meeting.ID, models.PollInput{Title: "还在投票",
			Method: tally.Approval, Eligibility: models.EligibleAttendees, Weight: models.WeightPerson,
			Secrecy: models.SecrecySecret, ResultsVisibility: models.ResultsAfterClose}))
		must(rt.store.OpenPoll(ctx, f.Facilitator.Actor(), p.ID))
		rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"poll_id": p.ID, "title": "决议",
			"text": "内容"}}, http.StatusConflict, "poll_not_closed")
	})
	t.Run("ErrNotAFormalVote", func(t *testing.T) {
		ctx := context.Background()
		p := must(rt.store.CreateMeetingPoll(ctx, f.Facilitator.Actor(), rf.meeting.ID, models.PollInput{Title: "贴点投票",
			Method: tally.Dot, Eligibility: models.EligibleAttendees, Weight: models.WeightPerson, Secrecy: models.SecrecyNamed,
			ResultsVisibility: models.ResultsLive, Options: []models.PollOptionInput{{ClusterID: &rf.group.ID}, {Label: "其他"}}}))
		must(rt.store.OpenPoll(ctx, f.Facilitator.Actor(), p.ID))
		must(rt.store.ClosePoll(ctx, f.Facilitator.Actor(), p.ID))
		pr := rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"poll_id": p.ID, "title": "决议",
			"text": "内容"}}, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, pr, "poll_id", T(LocaleZH, "rule.poll_not_formal_vote", nil))
	})
	t.Run("ErrPollOfAnotherCycle", func(t *testing.T) {
		other := rt.buildResolutionFixture("2027-07")
		p := rt.formalVote(other.meeting.ID, "另一期的表决", 2, 0)
		pr := rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"poll_id": p.ID, "title": "决议",
			"text": "内容"}}, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, pr, "poll_id", "这次表决不属于本期月月谈")
	})
	t.Run("ErrAnotherTenantsPoll", func(t *testing.T) {
		p := rt.tenantBVote()
		rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"poll_id": p.ID, "title": "决议",
			"text": "内容"}}, http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "POST", path: path, as: f.AdminB, body: map[string]any{"poll_id": p.ID, "title": "决议",
			"text": "内容"}}, http.StatusNotFound, "not_found")
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		other := rt.buildResolutionFixture("2027-08")
		fresh := rt.formalVote(rf.meeting.ID, "新的表决", 2, 0)
		ok := func(extra map[string]any) map[string]any {
			b := map[string]any{"poll_id": fresh.ID, "title": "决议", "text": "内容"}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		for _, c := range []struct {
			name          string
			body          any
			lang          string
			status        int
			code          string
			field, detail string
		}{
			{"Empty", map[string]any{}, "", 422, "invalid_input", "title", "请填写标题"},
			{"NoPoll", ok(map[string]any{"poll_id": 0}), "", 422, "invalid_input", "poll_id", "请填写表决"},
			{"BlankText", ok(map[string]any{"text": "   "}), "en", 422, "invalid_input", "text", "Resolution text is required"},
			{"LongTitle", ok(map[string]any{"title": strings.Repeat("决", 101)}), "", 422, "invalid_input", "title", "标题最多100个字"},
			{"LongText", ok(map[string]any{"text": strings.Repeat("决", 5001)}), "", 422, "invalid_input", "text", "决议内容最多5000个字"},
			{"UnknownCategory", ok(map[string]any{"category": "urgent"}), "", 422, "invalid_input", "category", ""},
			{"UnknownMatter", ok(map[string]any{"matter": "parking"}), "", 422, "invalid_input", "matter", ""},
			{"MatterOfAnotherCategory", ok(map[string]any{"category": "civil_code_278_ordinary", "matter": "elevator_retrofit"}), "", 422,
				"invalid_input", "matter", T(LocaleZH, "rule.matter_category_mismatch", nil)},
			{"OrdinaryWithMatter", ok(map[string]any{"category": "ordinary", "matter": "maintenance_fund_use"}), "en", 422,
				"invalid_input", "matter", T(LocaleEN, "rule.matter_category_mismatch", nil)},
			{"278WithoutMatter", ok(map[string]any{"category": "civil_code_278_major"}), "", 422, "invalid_input", "matter",
				"业主共同决定的事项，请选择是《民法典》第278条的哪一项"},
			{"CardOfAnotherCycle", ok(map[string]any{"card_ids": []uint64{rf.cards[2].ID, other.cards[0].ID}}), "", 422,
				"invalid_input", "card_ids[1]", "有卡片不属于本期月月谈"},
			{"GroupOfAnotherMeeting", ok(map[string]any{"cluster_ids": []uint64{other.group.ID}}), "", 422, "invalid_input",
				"cluster_ids[0]", ""},
			{"ZeroCard", ok(map[string]any{"card_ids": []uint64{0}}), "", 422, "invalid_input", "card_ids[0]", ""},
			{"TooManyGroups", ok(map[string]any{"cluster_ids": make([]uint64, 51)}), "", 422, "invalid_input", "cluster_ids", ""},
			{"UnknownField", `{"poll_id":1,"title":"x","text":"y","status":"adopted"}`, "", 400, "unknown_field", "", ""},
			{"NotJSON", `{"poll_id":`, "", 400, "malformed_json", "", ""},
			{"WrongType", `{"poll_id":"7","title":"x","text":"y"}`, "", 422, "invalid_input", "poll_id", "表决的类型不对"},
		} {
			t.Run(c.name, func(t *testing.T) {
				h := map[string]string{}
				if c.lang != "" {
					h["Accept-Language"] = c.lang
				}
				p := rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: c.body, header: h}, c.status, c.code)
				if c.field == "" {
					return
				}
				if got, ok := p.Errors[c.field]; !ok || (c.detail != "" && got != c.detail) || strings.Contains(got, "rule.") {
					t.Fatalf("errors=%v, want %s: %q", p.Errors, c.field, c.detail)
				}
			})
		}
		// Nothing was drafted from the fresh vote.
		rec := rt.call(t, req{method: "GET", path: path, as: f.Facilitator}, http.StatusOK)
		for _, r := range decode[itemsPage[resolutionView]](t, rec).Items {
			if r.PollID == fresh.ID {
				t.Fatalf("a refused draft left resolution %d", r.ID)
			}
		}
	})
	t.Run("ErrRoles", func(t *testing.T) {
		fresh := rt.formalVote(rf.meeting.ID, "角色表决", 2, 0)
		body := map[string]any{"poll_id": fresh.ID, "title": "决议", "text": "内容"}
		for _, u := range []*models.User{f.Resident, f.Committee, f.GridWorker, f.Party} {
			rt.problem(t, req{method: "POST", path: path, as: u, body: body}, http.StatusForbidden, "forbidden")
		}
		rt.problem(t, req{method: "POST", path: path, as: f.ResidentB, body: body}, http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "POST", path: path, body: body}, http.StatusUnauthorized, "login_required")
	})
}

// tenantBVote takes a closed formal vote at a round table of community B.
func (rt *resTest) tenantBVote() *models.Poll {
	ctx := context.Background()
	s, f := rt.store, rt.fx
	ba := f.AdminB.Actor()
	m := rt.startMeetingB("2027-06", "停车圆桌会", time.Now())
	p := must(s.CreateMeetingPoll(ctx, ba, m.ID, models.PollInput{Title: "错峰停车", Method: tally.Approval,
		Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}))
	must(s.OpenPoll(ctx, ba, p.ID))
	must(s.CastBallot(ctx, f.ResidentB.Actor(), p.ID, tally.Ballot{Choice: tally.Yes}))
	must(s.ClosePoll(ctx, ba, p.ID))
	return p
}

// official is an official platform's result with areas in m².
type official struct {
	eligible, part, yes, no                 int64
	eligibleArea, partArea, yesArea, noArea float64
}

func (o official) body(notice uint64) map[string]any {
	return map[string]any{"official": map[string]any{"source": "武汉市业主决策电子投票平台", "decided_on": "2026-10-30",
		"eligible_units": o.eligible, "eligible_area": o.eligibleArea, "participating_units": o.part,
		"participating_area": o.partArea, "units_for": o.yes, "area_for": o.yesArea, "units_against": o.no,
		"area_against": o.noArea, "notice_upload_id": notice}}
}

func TestResolution_OwnersDecision(t *testing.T) {
	t.Parallel()
	rt := newResTest(t, "2027-09")
	f, rf := rt.fx, rt.rf
	rec := rt.uploadPhoto(t, f.Facilitator, f.A.ID, photoWithGPS(t))
	wantStatus(t, rec, http.StatusCreated)
	notice := decode[models.Upload](t, rec)
	n := 0
	// matter drafts a 278 resolution from a passed consultation vote.
	matter := func(t *testing.T, m string) resolutionView {
		t.Helper()
		n++
		p := rt.formalVote(rf.meeting.ID, fmt.Sprintf("协商表决%d", n), 3, 0)
		return rt.draft(t, map[string]any{"poll_id": p.ID, "title": fmt.Sprintf("决议%d", n), "text": "提请业主共同决定。", "matter": m})
	}
	decide := func(t *testing.T, r resolutionView, body any, as *models.User) resolutionView {
		t.Helper()
		rec := rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/owners-decision", as: as, body: body}, http.StatusOK)
		return decode[resolutionView](t, rec)
	}

	t.Run("OKStaysDraftUntilTheOwnersDecide", func(t *testing.T) {
		r := matter(t, models.MatterElevatorRetrofit)
		if r.Status != models.ResolutionDraft || !r.PollPassed || !r.OwnersDecisionRequired || r.Category != models.Category278Major ||
			r.OwnersDecision != nil || r.DecidedAt != nil {
			t.Fatalf("resolution=%+v, want a draft awaiting the owners", r.Resolution)
		}
		if r.CategoryLabel != "业主共同决定重大事项（《民法典》第278条，双四分之三）" || r.MatterLabel != "既有住宅加装电梯" {
			t.Fatalf("labels=%q %q", r.CategoryLabel, r.MatterLabel)
		}
		// The attendees may sign the consultation result before the owners decide.
		rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/signatures", as: f.Resident, body: map[string]any{}}, http.StatusCreated)
		if got := rt.get(t, r.ID, f.Committee); got.Status != models.ResolutionDraft || got.SignatureCount != 1 {
			t.Fatalf("after signing: %+v", got.Resolution)
		}
	})
	t.Run("OKConsultationVoteFailed", func(t *testing.T) {
		// A 278 matter the round table turned down goes no further.
		p := rt.formalVote(rf.meeting.ID, "协商未通过", 1, 3)
		r := rt.draft(t, map[string]any{"poll_id": p.ID, "title": "改变共有部分用途", "text": "把架空层出租。", "matter": "common_parts_use"})
		if r.Status != models.ResolutionDraft {
			t.Fatalf("status=%q, want draft", r.Status)
		}
		// The owners decide a 278 matter, never the facilitator's review; one the round table
		// turned down is recorded rejected.
		rt.problem(t, req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator}, http.StatusConflict,
			"owners_decision_required")
		rec := rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/reject", as: f.Facilitator}, http.StatusOK)
		if got := decode[resolutionView](t, rec); got.Status != models.ResolutionRejected {
			t.Fatalf("status=%q, want rejected", got.Status)
		}
	})

	// The thresholds, exactly and one unit or one hundredth of a square metre short.
	for _, c := range []struct {
		name   string
		matter string
		o      official
		want   string
	}{
		{"MajorExactly2Of3TakePartAnd3Of4Approve", "elevator_retrofit", official{12, 8, 6, 2, 1200, 800, 600, 200}, models.ResolutionAdopted},
		{"MajorOneUnitFewerTakesPart", "elevator_retrofit", official{12, 7, 6, 1, 1200, 800, 600, 200}, models.ResolutionRejected},
		{"MajorOneUnitFewerApproves", "maintenance_fund_raise", official{12, 8, 5, 3, 1200, 800, 600, 200}, models.ResolutionRejected},
		{"MajorAHundredthOfAMetreFewerApproves", "rebuilding", official{12, 8, 6, 2, 1200, 800, 599.99, 200.01}, models.ResolutionRejected},
		{"MajorAHundredthOfAMetreFewerTakesPart", "common_parts_use", official{12, 8, 6, 2, 1200, 799.99, 600, 199.99}, models.ResolutionRejected},
		{"OrdinaryMoreThanHalf", "maintenance_fund_use", official{10, 10, 6, 4, 1000, 1000, 501, 499}, models.ResolutionAdopted},
		{"OrdinaryExactlyHalfFails", "property_service", official{10, 10, 5, 5, 1000, 1000, 600, 400}, models.ResolutionRejected},
	} {
		t.Run("Official"+c.name, func(t *testing.T) {
			r := matter(t, c.matter)
			before := lastSeq(rt.events(f.A.ID))
			got := decide(t, r, c.o.body(notice.ID), f.Facilitator)
			d := got.OwnersDecision
			if got.Status != c.want || d == nil || d.Passed != (c.want == models.ResolutionAdopted) || d.Kind != models.DecisionByOfficial ||
				d.Source != "武汉市业主决策电子投票平台" || d.DecidedOn != "2026-10-30" || d.NoticeURL != fmt.Sprintf("/api/v1/uploads/%d", notice.ID) ||
				d.EligibleUnits != c.o.eligible || d.AreaFor != c.o.yesArea || d.Decision == nil || d.Decision.Owners == nil {
				t.Fatalf("resolution=%+v decision=%+v, want %s", got.Resolution, d, c.want)
			}
			if fo := d.Decision.Owners; fo.ParticipatingOwners != c.o.part || fo.ApprovingOwners != c.o.yes ||
				fo.ParticipatingArea != c.o.partArea || fo.EligibleArea != c.o.eligibleArea {
				t.Fatalf("figures=%+v", fo)
			}
			types := rt.eventTypes(f.A.ID, before)
			wantTypes := []models.EventType{models.EvResolutionOwnersDecisionRecorded, models.EvResolutionAdopted}
			if c.want == models.ResolutionRejected {
				wantTypes[1] = models.EvResolutionRejected
			}
			if !slices.Equal(types, wantTypes) {
				t.Fatalf("events=%v, want %v", types, wantTypes)
			}
			p := payloadOf(t, rt.eventsAfter(before)[0])
			if p["source"] != "武汉市业主决策电子投票平台" || p["passed"] != d.Passed || p["units_for"] != float64(c.o.yes) {
				t.Fatalf("recorded payload=%v", p)
			}
		})
	}

	t.Run("OKOwnersPoll", func(t *testing.T) {
		r := matter(t, models.MatterFundRaise)
		// 9 of 12 owners with 9,000 of 12,000 m² took part, all for: passes.
		p := rt.ownersPoll(rf.cycle.ID, tally.CivilCode278Major, 12, 1200000, 9, 900000, 0, 0)
		got := decide(t, r, map[string]any{"poll_id": p.ID}, f.AdminA)
		d := got.OwnersDecision
		if got.Status != models.ResolutionAdopted || d == nil || d.Kind != models.DecisionByPoll || d.PollID == nil || *d.PollID != p.ID ||
			d.ParticipatingUnits != 9 || d.AreaFor != 9000 || d.EligibleArea != 12000 {
			t.Fatalf("resolution=%+v decision=%+v", got.Resolution, d)
		}
		// 8 of 12 took part, 5 for and 3 against: fewer than 3/4 approve.
		r = matter(t, models.MatterRebuilding)
		p = rt.ownersPoll(rf.cycle.ID, tally.CivilCode278Major, 12, 1200000, 5, 500000, 3, 300000)
		if got := decide(t, r, map[string]any{"poll_id": p.ID}, f.Facilitator); got.Status != models.ResolutionRejected ||
			got.OwnersDecision.UnitsAgainst != 3 || got.OwnersDecision.AreaAgainst != 3000 {
			t.Fatalf("resolution=%+v decision=%+v, want rejected", got.Resolution, got.OwnersDecision)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		r := matter(t, models.MatterElevatorRetrofit)
		ordinary := rt.draft(t, map[string]any{"poll_id": rt.formalVote(rf.meeting.ID, "协商表决", 2, 0).ID, "title": "楼道照明",
			"text": "更换楼道灯。"})
		path := resolutionPath(r.ID) + "/owners-decision"
		good := official{12, 8, 6, 2, 1200, 800, 600, 200}
		with := func(k string, v any) map[string]any {
			b := good.body(notice.ID)
			b["official"].(map[string]any)[k] = v
			return b
		}
		rtB := rt.uploadPhoto(t, f.AdminB, f.B.ID, photoWithGPS(t))
		noticeB := decode[models.Upload](t, rtB)
		mismatch := rt.ownersPoll(rf.cycle.ID, tally.CivilCode278Ordinary, 12, 1200000, 9, 900000, 0, 0)
		consultation := rt.formalVote(rf.meeting.ID, "不是业主表决", 2, 0)
		for _, c := range []struct {
			name          string
			path          string
			body          any
			status        int
			code          string
			field, detail string
		}{
			{"Neither", path, map[string]any{}, 422, "invalid_input", "poll_id", "请二选一：关联一次业主表决，或者填写官方业主决策平台的结果"},
			{"Both", path, func() map[string]any { b := good.body(notice.ID); b["poll_id"] = mismatch.ID; return b }(), 422, "invalid_input", "poll_id", ""},
			{"MoreTakePartThanMayVote", path, with("participating_units", 13), 422, "invalid_input", "official.participating_units",
				"参与表决户数不能超过应参与表决的总数"},
			{"MoreAreaTakesPartThanThereIs", path, with("participating_area", 1200.01), 422, "invalid_input", "official.participating_area", ""},
			{"MoreForAndAgainstThanTakePart", path, with("units_against", 3), 422, "invalid_input", "official.units_for",
				"赞成户数与反对的合计不能超过参与表决的数量"},
			{"NoUnits", path, with("eligible_units", 0), 422, "invalid_input", "official.eligible_units", ""},
			{"NegativeArea", path, with("area_for", -1), 422, "invalid_input", "official.area_for", ""},
			{"DateFormat", path, with("decided_on", "2026/10/30"), 422, "invalid_input", "official.decided_on", "日期格式应为 2027-01-15 这样"},
			{"DateInFuture", path, with("decided_on", time.Now().AddDate(0, 0, 3).Format("2006-01-02")), 422, "invalid_input",
				"official.decided_on", "日期不能晚于今天"},
			{"NoSource", path, with("source", " "), 422, "invalid_input", "official.source", "请填写平台名称"},
			{"NoticeOfAnotherCommunity", path, with("notice_upload_id", noticeB.ID), 422, "invalid_input", "official.notice_upload_id",
				"找不到这份公告，请重新上传"},
			{"NotAnOwnersPoll", path, map[string]any{"poll_id": consultation.ID}, 422, "invalid_input", "poll_id", ""},
			{"OwnersPollOfTheOtherRule", path, map[string]any{"poll_id": mismatch.ID}, 422, "invalid_input", "poll_id",
				"这次业主表决的通过规则与决议的类别不一致（双过半或双四分之三）"},
			{"AnotherTenantsPoll", path, map[string]any{"poll_id": rt.tenantBVote().ID}, 404, "not_found", "", ""},
			{"NotA278Matter", resolutionPath(ordinary.ID) + "/owners-decision", good.body(notice.ID), 409, "owners_decision_not_needed", "", ""},
			{"UnknownField", path, `{"official":{"source":"x","verified":true}}`, 400, "unknown_field", "", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := rt.problem(t, req{method: "POST", path: c.path, as: f.Facilitator, body: c.body}, c.status, c.code)
				if c.field == "" {
					return
				}
				if got, ok := p.Errors[c.field]; !ok || (c.detail != "" && got != c.detail) || strings.Contains(got, "rule.") {
					t.Fatalf("errors=%v, want %s: %q", p.Errors, c.field, c.detail)
				}
			})
		}
		if got := rt.get(t, r.ID, f.Facilitator); got.Status != models.ResolutionDraft || got.OwnersDecision != nil {
			t.Fatalf("after refused decisions: %+v", got.Resolution)
		}
		for _, u := range []*models.User{f.Resident, f.Committee} {
			rt.problem(t, req{method: "POST", path: path, as: u, body: good.body(notice.ID)}, http.StatusForbidden, "forbidden")
		}
		rt.problem(t, req{method: "POST", path: path, as: f.AdminB, body: good.body(notice.ID)}, http.StatusNotFound, "not_found")
		// Decided once; a second decision is refused.
		decide(t, r, good.body(notice.ID), f.Facilitator)
		rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: good.body(notice.ID)}, http.StatusConflict, "resolution_decided")
	})
}

func TestResolution_Signatures(t *testing.T) {
	t.Parallel()
	rt := newResTest(t, "2027-10")
	f, rf := rt.fx, rt.rf
	r := rt.draftFrom(rf.cycle.ID, rt.formalVote(rf.meeting.ID, "按楼层分摊费用", 3, 0).ID, "")
	path := resolutionPath(r.ID) + "/signatures"
	sign := func(t *testing.T, as *models.User, body any, want int) resolutionView {
		t.Helper()
		return decode[resolutionView](t, rt.call(t, req{method: "POST", path: path, as: as, body: body}, want))
	}
	signatures := func(t *testing.T) []models.Signature {
		t.Helper()
		return rt.get(t, r.ID, f.Committee).Signatures
	}

	t.Run("OKAttendeeSignsOnce", func(t *testing.T) {
		got := sign(t, f.Resident, map[string]any{}, http.StatusCreated)
		if !got.SignedByMe || got.CanSign || got.SignatureCount != 1 || got.NamesVisible || len(got.Signatures) != 0 {
			t.Fatalf("as resident: %+v", got.Resolution)
		}
		before := lastSeq(rt.events(f.A.ID))
		if again := sign(t, f.Resident, nil, http.StatusOK); again.SignatureCount != 1 {
			t.Fatalf("signing again: count=%d", again.SignatureCount)
		}
		if evs := rt.eventTypes(f.A.ID, before); len(evs) != 0 {
			t.Fatalf("signing again logged %v", evs)
		}
	})
	t.Run("OKTwentyParallelTaps", func(t *testing.T) {
		before := lastSeq(rt.events(f.A.ID))
		var wg sync.WaitGroup
		codes := make([]int, 20)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = rt.do(req{method: "POST", path: path, as: f.Party, body: map[string]any{}}).Code
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Fatalf("codes=%v, want one 201 and 200s", codes)
			}
		}
		var rows int64
		if err := rt.store.Gorm().Table("resolution_signatures").Where("resolution_id = ? AND user_id = ?", r.ID, f.Party.ID).
			Count(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if created != 1 || rows != 1 {
			t.Fatalf("created=%d rows=%d, want one signature", created, rows)
		}
		if evs := rt.eventTypes(f.A.ID, before); !slices.Equal(evs, []models.EventType{models.EvResolutionSigned}) {
			t.Fatalf("events=%v", evs)
		}
	})
	t.Run("OKFacilitatorSignsSomeoneIn", func(t *testing.T) {
		before := lastSeq(rt.events(f.A.ID))
		sign(t, f.Facilitator, map[string]any{"user_id": f.GridWorker.ID}, http.StatusCreated)
		sign(t, f.AdminA, map[string]any{"name": " 王奶奶 "}, http.StatusCreated)
		sign(t, f.Facilitator, map[string]any{"name": "王奶奶"}, http.StatusOK)
		evs := rt.eventsAfter(before)
		if len(evs) != 2 || evs[0].Visibility != models.VisCommittee {
			t.Fatalf("events=%v", evs)
		}
		if p := payloadOf(t, evs[0]); p["user_id"] != float64(f.GridWorker.ID) || p["method"] != "facilitator" || evs[0].ActorID == nil ||
			*evs[0].ActorID != f.Facilitator.ID {
			t.Fatalf("signed payload=%v actor=%v", p, evs[0].ActorID)
		}
		var names []string
		for _, s := range signatures(t) {
			names = append(names, s.Name+"/"+s.Method+"/"+s.SignedByName)
		}
		// Who signed for whom (代签) is on the record; a signature of one's own names no one else.
		if want := []string{"居民/self/", "党员/self/", "网格员/facilitator/" + f.Facilitator.Name, "王奶奶/facilitator/" + f.AdminA.Name}; !slices.Equal(names, want) {
			t.Fatalf("signatures=%v, want %v", names, want)
		}
	})
	t.Run("ErrNotAnAttendee", func(t *testing.T) {
		ctx := context.Background()
		late := &models.User{Phone: "13800000021", Name: "迟到的居民", PasswordHash: fixtureHash(), Locale: "zh-CN"}
		if err := rt.store.Gorm().Create(late).Error; err != nil {
			t.Fatal(err)
		}
		must(rt.store.AddMember(ctx, f.Super.Actor(), f.A.ID, models.AddMemberInput{Phone: late.Phone, Roles: []string{models.RoleResident}}))
		if got := rt.get(t, r.ID, late); got.CanSign || got.SignedByMe {
			t.Fatalf("a member who did not sign in: %+v", got.Resolution)
		}
		rt.problem(t, req{method: "POST", path: path, as: late, body: map[string]any{}}, http.StatusForbidden, "not_an_attendee")
		rt.problem(t, req{method: "POST", path: path, as: f.Super, body: map[string]any{}}, http.StatusForbidden, "not_an_attendee")
		p := rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"user_id": late.ID}},
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "这个人没有在本次会议签到")
		p = rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"name": "李四"}},
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "name", "没有以这个名字签到的来宾，请核对姓名")
		p = rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"user_id": f.Resident.ID, "name": "王奶奶"}},
			http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "user_id", "请从成员名单里选一位，或者填写来宾姓名（二选一）")
		rt.problem(t, req{method: "POST", path: path, as: f.Resident, body: map[string]any{"user_id": f.Committee.ID}},
			http.StatusForbidden, "forbidden")
		rt.problem(t, req{method: "POST", path: path, as: f.ResidentB, body: map[string]any{}}, http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"name": strings.Repeat("王", 51)}},
			http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrRejected", func(t *testing.T) {
		no := rt.draftFrom(rf.cycle.ID, rt.formalVote(rf.meeting.ID, "暂缓", 0, 2).ID, "")
		rt.problem(t, req{method: "POST", path: resolutionPath(no.ID) + "/signatures", as: f.Resident, body: map[string]any{}},
			http.StatusConflict, "resolution_rejected")
		if got := rt.get(t, no.ID, f.Resident); got.CanSign {
			t.Fatal("a rejected resolution offers signing")
		}
	})
	t.Run("OKAfterTheMeetingWhileResolving", func(t *testing.T) {
		must(rt.store.EndMeeting(context.Background(), f.Facilitator.Actor(), rf.meeting.ID, models.MinutesInput{Summary: "同意"}))
		rt.advance(t, rf.cycle.ID, models.PhaseResolved)
		sign(t, f.Unverified, map[string]any{}, http.StatusCreated)
		rt.signOffAll(t, rf.cycle.ID)
		rt.advance(t, rf.cycle.ID, models.PhaseClosed)
		rt.problem(t, req{method: "POST", path: path, as: f.AdminA, body: map[string]any{}}, http.StatusConflict, "cycle_archived")
		if got := rt.get(t, r.ID, f.AdminA); got.CanSign || got.SignatureCount != 5 {
			t.Fatalf("closed cycle: %+v", got.Resolution)
		}
	})
}

// TestResolution_EnumsMatch keeps the request's validate tags equal to the model's lists.
func TestResolution_EnumsMatch(t *testing.T) {
	rt := reflect.TypeOf(draftResolutionRequest{})
	for field, want := range map[string][]string{"Category": models.ResolutionCategories, "Matter": models.Matters278} {
		f, _ := rt.FieldByName(field)
		tag := f.Tag.Get("validate")
		_, list, _ := strings.Cut(tag, "oneof=")
		if got := strings.Fields(list); !slices.Equal(got, want) {
			t.Errorf("%s: validate oneof %v, want %v", field, got, want)
		}
	}
	for _, m := range models.Matters278 {
		if models.MatterCategory[m] == "" {
			t.Errorf("matter %s has no category", m)
		}
	}
}

// TestResolution_Catalog checks that every category and matter has a label (a key that
// i18n_resolution.go gives again is caught by TestI18n_Catalog's NoClashes).
func TestResolution_Catalog(t *testing.T) {
	for _, loc := range []string{LocaleZH, LocaleEN} {
		for _, c := range models.ResolutionCategories {
			if _, ok := catalog[loc]["resolution.category."+c]; !ok {
				t.Errorf("%s: no label for category %s", loc, c)
			}
		}
		for _, m := range models.Matters278 {
			if _, ok := catalog[loc]["resolution.matter."+m]; !ok {
				t.Errorf("%s: no label for matter %s", loc, m)
			}
		}
	}
}
