package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// The wall's poll mode: which polls may go up, what the wall shows of one as its results
// visibility allows (the same figures as GET /polls/:id/results, never a voter), and the signals
// its stream carries for it.

// wallPollFixture is a round table under way whose cycle also held a topic selection poll, with
// three groups of cards to vote on and a poll of the same community's other meeting and of
// community B.
type wallPollFixture struct {
	cycle                *models.Cycle
	meeting              *models.Meeting
	groups               []*models.Cluster
	cyclePoll, otherPoll uint64
	otherCommunityPoll   uint64
	voters               []*models.User
}

func (ta *testApp) buildWallPollFixture(t *testing.T, month, otherMonth string) wallPollFixture {
	t.Helper()
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa, fa := f.Super.Actor(), f.Facilitator.Actor()
	wf := wallPollFixture{voters: []*models.User{f.Resident, f.Party, f.GridWorker, f.AdminA}}
	wf.cycle = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: month, CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, wf.cycle.ID, models.PhaseTopicCollection, ""))
	t1 := must(s.ProposeTopic(ctx, f.Resident.Actor(), wf.cycle.ID, models.TopicInput{Title: "加装电梯"}))
	t2 := must(s.ProposeTopic(ctx, f.Party.Actor(), wf.cycle.ID, models.TopicInput{Title: "停车难"}))
	must(s.AdvanceCycle(ctx, sa, wf.cycle.ID, models.PhaseTopicSelection, ""))
	cp := must(s.CreateCyclePoll(ctx, fa, wf.cycle.ID, models.PollInput{Title: "本月议题", Method: "single",
		Options: []models.PollOptionInput{{TopicID: &t1.ID}, {TopicID: &t2.ID}}, Eligibility: models.EligibleMembers,
		Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}))
	wf.cyclePoll = cp.ID
	must(s.SelectTopic(ctx, sa, wf.cycle.ID, t1.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, wf.cycle.ID, models.PhaseCardCollection, ""))
	wf.meeting = must(s.ScheduleMeeting(ctx, sa, wf.cycle.ID, models.MeetingInput{Title: "加装电梯圆桌会",
		StartsAt: time.Date(2027, 4, 20, 11, 30, 0, 0, time.UTC), Location: "小区活动室"}))
	must(s.StartMeeting(ctx, sa, wf.meeting.ID))
	for _, label := range []string{"补偿", "停车", "施工"} {
		wf.groups = append(wf.groups, must(s.CreateCluster(ctx, fa, wf.meeting.ID, label)))
	}
	approval := models.PollInput{Title: "是否试行", Method: "approval", Eligibility: models.EligibleMembers,
		Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}
	other := ta.buildClusterFixture(otherMonth)
	wf.otherPoll = must(s.CreateMeetingPoll(ctx, fa, other.meeting.ID, approval)).ID

	mB := ta.startMeetingB(month, "天门小区议事会", time.Date(2027, 11, 20, 11, 30, 0, 0, time.UTC))
	wf.otherCommunityPoll = must(s.CreateMeetingPoll(ctx, f.AdminB.Actor(), mB.ID, approval)).ID
	return wf
}

// dotPoll drafts a dot vote on the fixture's three groups: 3 dots, at most 2 on one.
func (ta *testApp) dotPoll(t *testing.T, wf wallPollFixture, vis string) pollView {
	t.Helper()
	var opts []map[string]any
	for _, g := range wf.groups {
		opts = append(opts, map[string]any{"cluster_id": g.ID})
	}
	return ta.createPoll(t, meetingPolls(wf.meeting), map[string]any{"title": "哪组办法最要紧" + vis, "method": "dot",
		"options": opts, "dots_per_voter": 3, "max_dots_per_option": 2, "results_visibility": vis})
}

func (ta *testApp) openPoll(t *testing.T, p pollView) {
	t.Helper()
	wantStatus(t, ta.do(req{method: "POST", path: pollPath(p, "/open"), as: ta.fx.Facilitator}), http.StatusOK)
}

func dots(p pollView, n ...int) map[string]any {
	d := map[string]any{}
	for i, k := range n {
		if k > 0 {
			d[p.opt(i)] = k
		}
	}
	return map[string]any{"dots": d}
}

// wallPollOK reads the wall, which must show the poll, and checks that it names nobody.
func (ta *testApp) wallPollOK(t *testing.T, token string, pollID uint64, secrets ...string) *models.WallPoll {
	t.Helper()
	w, body := ta.wallOK(t, token)
	if w.Mode != models.ProjectorPoll || w.Poll == nil || w.Poll.ID != pollID {
		t.Fatalf("wall=%s, want poll %d", body, pollID)
	}
	if w.Cards != nil || w.Groups != nil || w.Cluster != nil || w.Speaker != nil || w.Topic != nil || w.Message != nil {
		t.Fatalf("the poll mode carries another mode's content: %s", body)
	}
	wantNoPersonalData(t, "wall", body, secrets...)
	return w.Poll
}

// wantHidden fails unless the wall shows no count, no outcome.
func wantHidden(t *testing.T, what string, w *models.WallPoll) {
	t.Helper()
	if w.CountsVisible || w.Passed != nil || w.Decision != nil {
		t.Fatalf("%s: counts_visible=%v passed=%v decision=%+v, want hidden", what, w.CountsVisible, w.Passed, w.Decision)
	}
	for _, o := range w.Options {
		if !o.Hidden || o.Label == "" {
			t.Fatalf("%s: option %+v shows a count", what, o)
		}
	}
}

// wantSameResult fails unless the wall's figures are those of the poll's result for a member who
// has not voted.
func wantSameResult(t *testing.T, what string, w *models.WallPoll, r resultView) {
	t.Helper()
	if w.Status != r.Status || w.Voters != r.Voters || w.OfflineVoters != r.OfflineVoters || w.Eligible != r.Eligible ||
		w.QuorumMet != r.QuorumMet || w.CountsVisible != r.CountsVisible || len(w.Options) != len(r.Options) {
		t.Fatalf("%s: wall %+v, result %+v", what, w, r)
	}
	if (w.Turnout == nil) != (r.Turnout == nil) || (w.Turnout != nil && *w.Turnout != *r.Turnout) {
		t.Fatalf("%s: wall turnout %v, result %v", what, w.Turnout, r.Turnout)
	}
	if (w.Passed == nil) != (r.Passed == nil) || (w.Passed != nil && *w.Passed != *r.Passed) {
		t.Fatalf("%s: wall passed %v, result %v", what, w.Passed, r.Passed)
	}
	for i, o := range w.Options {
		ro := r.Options[i]
		if o.ID != ro.ID || !sameCount(o.Hidden, o.Online, ro.Online) || !sameCount(o.Hidden, o.Offline, ro.Offline) ||
			!sameCount(o.Hidden, o.Total, ro.Total) || !sameCount(o.Hidden, o.Share, ro.Share) || !sameCount(o.Hidden, o.Rank, ro.Rank) {
			t.Fatalf("%s: option %d on the wall %+v, in the result %+v", what, i, o, ro)
		}
	}
}

// sameCount says whether a count of the wall (hidden or a) is the result's (null or *b).
func sameCount[T comparable](hidden bool, a T, b *T) bool {
	return hidden == (b == nil) && (hidden || a == *b)
}

// totalsOf writes the wall's totals as "online+offline=total" per option.
func totalsOf(w *models.WallPoll) string {
	var out []string
	for _, o := range w.Options {
		if o.Hidden {
			out = append(out, "-")
			continue
		}
		out = append(out, fmt.Sprintf("%d+%d=%d", o.Online, o.Offline, o.Total))
	}
	return strings.Join(out, " ")
}

// TestDisplay_PollModeRefused: the poll mode takes a poll of this meeting and nothing else —
// another meeting's, the cycle's own topic poll, another community's, an unknown id and no id
// are refused alike, with a localized message, and change nothing.
func TestDisplay_PollModeRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	wf := ta.buildWallPollFixture(t, "2027-05", "2027-06")
	m := wf.meeting
	p := ta.dotPoll(t, wf, "live")
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards"}), http.StatusOK)
	before := lastSeq(ta.events(f.A.ID))
	const unknown, unknownEN = "这个投票不是本次会议的投票", "This poll is not one of this meeting's polls"
	cases := []struct {
		name    string
		body    map[string]any
		status  int
		msg, en string
	}{
		{"OtherMeeting", map[string]any{"mode": "poll", "poll_id": wf.otherPoll}, 422, unknown, unknownEN},
		{"CyclePoll", map[string]any{"mode": "poll", "poll_id": wf.cyclePoll}, 422, unknown, ""},
		{"OtherCommunity", map[string]any{"mode": "poll", "poll_id": wf.otherCommunityPoll}, 422, unknown, ""},
		{"Unknown", map[string]any{"mode": "poll", "poll_id": 987654321}, 422, unknown, ""},
		{"NotAnID", map[string]any{"mode": "poll", "poll_id": -1}, 422, "", ""},
		{"NoPoll", map[string]any{"mode": "poll"}, 422, "请选择要投到大屏的投票", "Please choose the poll to show on the wall"},
		{"PollWithOtherMode", map[string]any{"mode": "speaker", "poll_id": p.ID}, 422, "只有投屏「投票」时才需要选择投票", ""},
		{"PollAndGroup", map[string]any{"mode": "poll", "poll_id": p.ID, "cluster_id": wf.groups[0].ID}, 422, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			field := "poll_id"
			if c.name == "PollAndGroup" {
				field = "cluster_id"
			}
			pr := wantProblem(t, ta.setProjector(f.Facilitator, m.ID, c.body), c.status, "invalid_input")
			if _, ok := pr.Errors[field]; !ok {
				t.Fatalf("errors=%v, want %s", pr.Errors, field)
			}
			if c.msg != "" {
				wantField(t, pr, field, c.msg)
			}
			if c.en != "" {
				rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator,
					body: c.body, header: map[string]string{"Accept-Language": "en"}})
				wantField(t, wantProblem(t, rec, c.status, "invalid_input"), field, c.en)
			}
			// The preview refuses the same way.
			q := fmt.Sprintf("?mode=%v", c.body["mode"])
			for _, k := range []string{"poll_id", "cluster_id"} {
				if v, ok := c.body[k]; ok {
					q += fmt.Sprintf("&%s=%v", k, v)
				}
			}
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/projector%s", m.ID, q), as: f.Facilitator})
			if _, ok := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input").Errors[field]; !ok {
				t.Fatalf("preview %s: %s", q, rec.Body)
			}
		})
	}
	// Residents and the committee cannot put a poll up; another community's admin does not see
	// the meeting.
	wantProblem(t, ta.setProjector(f.Resident, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusForbidden, "forbidden")
	wantProblem(t, ta.setProjector(f.Committee, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusForbidden, "forbidden")
	wantProblem(t, ta.setProjector(f.AdminB, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusNotFound, "not_found")
	if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
		t.Fatalf("refused changes appended %v", got)
	}
	if w, _ := ta.wallOK(t, m.DisplayToken); w.Mode != models.ProjectorCards || w.Poll != nil {
		t.Fatalf("a refusal changed the wall to %q", w.Mode)
	}

	// A draft poll of this meeting goes up: its title and options, no count yet.
	rec := ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID})
	wantStatus(t, rec, http.StatusOK)
	if w := decode[wallState](t, rec); w.Poll == nil || w.Poll.ID != p.ID || w.Poll.Status != models.PollDraft {
		t.Fatalf("answer=%s", rec.Body)
	}
	evs := ta.events(f.A.ID)
	last := evs[len(evs)-1]
	if last.Type != models.EvProjectorChanged || !strings.Contains(last.Payload, fmt.Sprintf(`"poll_id":%d`, p.ID)) {
		t.Fatalf("last event %s %s, want projector.changed with the poll", last.Type, last.Payload)
	}
	w := ta.wallPollOK(t, m.DisplayToken, p.ID)
	wantHidden(t, "draft", w)
	if w.Title != "哪组办法最要紧live" || w.Method != "dot" || w.DotsPerVoter != 3 || w.MaxDotsPerOption != 2 || w.Consultation ||
		len(w.Options) != 3 || w.Options[1].Label != "停车" {
		t.Fatalf("draft on the wall: %+v", w)
	}
	// Another mode clears the poll.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "blank"}), http.StatusOK)
	if w, body := ta.wallOK(t, m.DisplayToken); w.Poll != nil {
		t.Fatalf("blank wall carries a poll: %s", body)
	}
}

// TestDisplay_PollVisibility: what the wall shows of a dot vote under each results visibility —
// turnout always; online and offline counts apart only when live, or once closed (the wall has
// not voted, so after_vote shows nothing before the close) — always the figures of the poll's
// own result, and never a voter. A preview shows a poll without putting it up.
func TestDisplay_PollVisibility(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	wf := ta.buildWallPollFixture(t, "2027-05", "2027-06")
	m := wf.meeting
	names := []string{f.Resident.Name, f.Party.Name, f.GridWorker.Name, f.AdminA.Name, f.Facilitator.Name}
	for _, vis := range []string{"live", "after_vote", "after_close"} {
		t.Run(vis, func(t *testing.T) {
			p := ta.dotPoll(t, wf, vis)
			ta.openPoll(t, p)
			// The preview shows it; the wall keeps what it had.
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/projector?mode=poll&poll_id=%d", m.ID, p.ID),
				as: f.Facilitator})
			wantStatus(t, rec, http.StatusOK)
			if pw := decode[wallState](t, rec); pw.Poll == nil || pw.Poll.ID != p.ID || pw.Poll.Status != models.PollOpen {
				t.Fatalf("preview=%s", rec.Body)
			}
			if w, _ := ta.wallOK(t, m.DisplayToken); w.Poll != nil && w.Poll.ID == p.ID {
				t.Fatal("the preview put the poll on the wall")
			}
			wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusOK)
			w := ta.wallPollOK(t, m.DisplayToken, p.ID, names...)
			if w.Voters != 0 || w.Eligible == 0 || w.Turnout == nil || *w.Turnout != 0 {
				t.Fatalf("before any ballot: %+v", w)
			}

			wantStatus(t, ta.vote(p, wf.voters[0], dots(p, 2, 1, 0)), http.StatusCreated)
			wantStatus(t, ta.vote(p, wf.voters[1], dots(p, 0, 2, 1)), http.StatusCreated)
			wantStatus(t, ta.vote(p, wf.voters[2], dots(p, 1, 0, 0)), http.StatusCreated)
			wantStatus(t, ta.vote(p, wf.voters[2], dots(p, 1, 0, 2)), http.StatusOK) // a named ballot changed
			wantStatus(t, ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: f.Facilitator,
				body: map[string]any{"source": "纸质票", "counts": map[string]int{p.opt(0): 2, p.opt(1): 1}, "voters": 1}}), http.StatusOK)

			w = ta.wallPollOK(t, m.DisplayToken, p.ID, names...)
			if w.Voters != 4 || w.OfflineVoters != 1 || w.Status != models.PollOpen {
				t.Fatalf("turnout on the wall: %+v, want 3 online and 1 offline voter", w)
			}
			// The facilitator has not voted: the result as they see it is the wall's.
			wantSameResult(t, vis+" open", w, ta.results(t, p, f.Facilitator, ""))
			if vis == "live" {
				if got := totalsOf(w); got != "3+2=5 3+1=4 3+0=3" {
					t.Fatalf("live totals %s", got)
				}
				if !w.CountsVisible || w.Options[0].Share != 0.4167 || w.Options[0].Rank != 1 || w.Passed != nil {
					t.Fatalf("live: %+v", w)
				}
			} else {
				wantHidden(t, vis+" open", w)
				// A voter sees the counts of an after_vote poll on their phone; the wall still does not.
				if r := ta.results(t, p, wf.voters[0], ""); r.CountsVisible != (vis == "after_vote") {
					t.Fatalf("%s: a voter's result counts_visible=%v", vis, r.CountsVisible)
				}
			}

			ta.closePoll(t, p)
			w = ta.wallPollOK(t, m.DisplayToken, p.ID, names...)
			r := ta.results(t, p, f.Resident, "")
			wantSameResult(t, vis+" closed", w, r)
			if w.Status != models.PollClosed || !w.CountsVisible || totalsOf(w) != "3+2=5 3+1=4 3+0=3" || r.Source != "closed" {
				t.Fatalf("%s closed: %+v (%s)", vis, w, totalsOf(w))
			}
		})
	}

	// A secret motion counted after the close: the wall shows turnout only, then whether it
	// passed with the figures, labelled a consultation.
	t.Run("SecretMotion", func(t *testing.T) {
		p := ta.createPoll(t, meetingPolls(m), map[string]any{"title": "是否试行错峰停车", "method": "approval",
			"secrecy": "secret", "results_visibility": "after_close", "rule": "simple_majority"})
		ta.openPoll(t, p)
		wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusOK)
		for i, choice := range []string{"yes", "yes", "no", "abstain"} {
			wantStatus(t, ta.vote(p, wf.voters[i], map[string]any{"choice": choice}), http.StatusCreated)
		}
		w := ta.wallPollOK(t, m.DisplayToken, p.ID, names...)
		wantHidden(t, "secret motion open", w)
		if w.Voters != 4 || !w.Consultation || w.Rule != "simple_majority" || w.Secrecy != "secret" || len(w.Options) != 3 ||
			w.Options[0].Key != "yes" || w.Options[2].Key != "abstain" {
			t.Fatalf("secret motion open: %+v", w)
		}
		ta.closePoll(t, p)
		w = ta.wallPollOK(t, m.DisplayToken, p.ID, names...)
		wantSameResult(t, "secret motion closed", w, ta.results(t, p, f.Committee, ""))
		d := w.Decision
		if w.Passed == nil || !*w.Passed || d == nil || d.Yes != 2 || d.No != 1 || d.Abstain != 1 || d.Threshold != "yes > no" ||
			totalsOf(w) != "2+0=2 1+0=1 1+0=1" {
			t.Fatalf("secret motion closed: %+v decision %+v", w, d)
		}
	})
}

// TestDisplay_PollStream: while the wall shows a poll, its opening, ballots, offline counts and
// close reach the wall's stream at once as content-free signals of the poll (no voter, no
// choice, no count); another poll's do not, nor this one's once the wall shows something else.
// A stream opened while the poll is up follows it from the start.
func TestDisplay_PollStream(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	wf := ta.buildWallPollFixture(t, "2027-05", "2027-06")
	m := wf.meeting
	p := ta.dotPoll(t, wf, "live")
	q := ta.createPoll(t, meetingPolls(m), map[string]any{"title": "是否试行", "method": "approval", "secrecy": "secret"})
	ta.openPoll(t, q)
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	url := srv.URL + "/api/v1/display/" + m.DisplayToken + "/stream"
	c := openStream(t, url, nil)
	c.next(t, "connected", 5*time.Second)
	secrets := []string{f.Resident.Name, f.Party.Name, f.GridWorker.Name, f.Facilitator.Name, "纸质票", "choice", "dots",
		"counts", "result", "voters", "poll_id"}
	expectOn := func(c *sseClient, typ models.EventType, subject uint64) {
		t.Helper()
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("stream ended while waiting for %s", typ)
			}
			if ev.typ != typ {
				t.Fatalf("got %s (%s), want %s", ev.typ, ev.data, typ)
			}
			var se stream.Event
			if err := json.Unmarshal([]byte(ev.data), &se); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf(`{"meeting_id":%d}`, m.ID)
			if typ == models.EvProjectorChanged {
				want = fmt.Sprintf(`{"meeting_id":%d,"mode":"poll"}`, m.ID)
			}
			if subject != 0 && (se.SubjectType != "poll" || se.SubjectID != subject) {
				t.Fatalf("%s is about %s %d, want poll %d", typ, se.SubjectType, se.SubjectID, subject)
			}
			if typ != models.EvAttendanceChanged && typ != models.EvProjectorChanged && subject == 0 {
				t.Fatalf("%s: no subject to check", typ)
			}
			if typ != models.EvProjectorChanged || strings.Contains(string(se.Payload), `"mode":"poll"`) {
				if string(se.Payload) != want {
					t.Fatalf("%s payload=%s, want %s", typ, se.Payload, want)
				}
			}
			wantNoPersonalData(t, "wall event "+string(typ), ev.data, secrets...)
		case <-time.After(time.Second):
			t.Fatalf("no %s within a second", typ)
		}
	}
	expect := func(typ models.EventType, subject uint64) { t.Helper(); expectOn(c, typ, subject) }
	quiet := func(c *sseClient) {
		t.Helper()
		select {
		case ev := <-c.events:
			t.Fatalf("unexpected %s (%s)", ev.typ, ev.data)
		case <-time.After(300 * time.Millisecond):
		}
	}

	// Before the poll is up, its events are not sent.
	wantStatus(t, ta.vote(q, f.Resident, map[string]any{"choice": "yes"}), http.StatusCreated)
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusOK)
	expect(models.EvProjectorChanged, 0)
	ta.openPoll(t, p)
	expect(models.EvPollOpened, p.ID)
	wantStatus(t, ta.vote(p, f.Resident, dots(p, 2, 1, 0)), http.StatusCreated)
	expect(models.EvPollBallotCast, p.ID)
	wantStatus(t, ta.vote(p, f.Resident, dots(p, 0, 1, 2)), http.StatusOK)
	expect(models.EvPollBallotChanged, p.ID)
	// Another poll's ballot is not sent.
	wantStatus(t, ta.vote(q, f.Party, map[string]any{"choice": "no"}), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: f.Facilitator,
		body: map[string]any{"source": "纸质票", "counts": map[string]int{p.opt(0): 3}, "voters": 2}}), http.StatusOK)
	expect(models.EvPollOfflineTallySet, p.ID)
	// Eligible attendees change the turnout's base: sign-ins are sent as before.
	wantStatus(t, ta.join(f.Party, m.JoinCode), http.StatusCreated)
	expect(models.EvAttendanceChanged, 0)
	if w := ta.wallPollOK(t, m.DisplayToken, p.ID); w.Voters != 3 || totalsOf(w) != "0+3=3 1+0=1 2+0=2" {
		t.Fatalf("wall after the signals: %+v %s", w, totalsOf(w))
	}

	// A stream opened now, while the poll is up, follows it.
	c2 := openStream(t, url, nil)
	c2.next(t, "connected", 5*time.Second)
	wantStatus(t, ta.vote(p, f.Party, dots(p, 1, 1, 1)), http.StatusCreated)
	expect(models.EvPollBallotCast, p.ID)
	expectOn(c2, models.EvPollBallotCast, p.ID)
	ta.closePoll(t, p)
	expect(models.EvPollClosed, p.ID)
	expectOn(c2, models.EvPollClosed, p.ID)

	// The wall moves to the other poll: its ballots are sent, the first poll's are no more.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": q.ID}), http.StatusOK)
	expect(models.EvProjectorChanged, 0)
	expectOn(c2, models.EvProjectorChanged, 0)
	wantStatus(t, ta.vote(q, f.GridWorker, map[string]any{"choice": "abstain"}), http.StatusCreated)
	expect(models.EvPollBallotCast, q.ID)
	expectOn(c2, models.EvPollBallotCast, q.ID)

	// Away from the polls, ballots are not sent.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "blank"}), http.StatusOK)
	expect(models.EvProjectorChanged, 0)
	expectOn(c2, models.EvProjectorChanged, 0)
	wantStatus(t, ta.vote(q, f.AdminA, map[string]any{"choice": "yes"}), http.StatusCreated)
	ta.closePoll(t, q)
	quiet(c)
	quiet(c2)
}

// TestOpenAPIWallPoll checks the poll mode's requests and answers against the spec: putting a
// poll up, its preview and the wall itself, with counts hidden, shown and closed.
func TestOpenAPIWallPoll(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	f := ta.fx
	wf := ta.buildWallPollFixture(t, "2027-05", "2027-06")
	m := wf.meeting
	call := func(name string, r oaReq, want int) {
		t.Helper()
		op, ok := s.find(r.method, r.path)
		if !ok {
			t.Fatalf("%s: %s %s is not in the spec", name, r.method, r.path)
		}
		if r.body != nil {
			for _, e := range s.checkRequestOf(op, r) {
				t.Errorf("%s: request: %s", name, e)
			}
		}
		rec := oaDo(t, ta.e, r)
		if rec.Code != want {
			t.Fatalf("%s: status=%d, want %d; body=%s", name, rec.Code, want, rec.Body)
		}
		for _, e := range s.checkResponse(op, rec) {
			t.Errorf("%s: %s", name, e)
		}
	}
	projector := fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID)
	tok := ta.token(f.Facilitator)
	for _, vis := range []string{"live", "after_close"} {
		p := ta.dotPoll(t, wf, vis)
		call("preview draft "+vis, oaReq{method: "GET", path: fmt.Sprintf("%s?mode=poll&poll_id=%d", projector, p.ID), token: tok}, 200)
		ta.openPoll(t, p)
		wantStatus(t, ta.vote(p, f.Resident, dots(p, 1, 2, 0)), http.StatusCreated)
		call("put "+vis, oaReq{method: "PUT", path: projector, token: tok, body: map[string]any{"mode": "poll", "poll_id": p.ID}}, 200)
		call("wall open "+vis, oaReq{method: "GET", path: "/api/v1/display/" + m.DisplayToken}, 200)
		ta.closePoll(t, p)
		call("wall closed "+vis, oaReq{method: "GET", path: "/api/v1/display/" + m.DisplayToken}, 200)
		call("now "+vis, oaReq{method: "GET", path: projector, token: tok}, 200)
	}
	motion := ta.createPoll(t, meetingPolls(m), map[string]any{"title": "是否试行", "method": "approval", "secrecy": "secret"})
	ta.openPoll(t, motion)
	wantStatus(t, ta.vote(motion, f.Party, map[string]any{"choice": "yes"}), http.StatusCreated)
	ta.closePoll(t, motion)
	call("put motion", oaReq{method: "PUT", path: projector, token: tok, body: map[string]any{"mode": "poll", "poll_id": motion.ID}}, 200)
	call("wall motion", oaReq{method: "GET", path: "/api/v1/display/" + m.DisplayToken}, 200)
	call("refused", oaReq{method: "PUT", path: projector, token: tok, body: map[string]any{"mode": "poll", "poll_id": wf.otherPoll}}, 422)
}
