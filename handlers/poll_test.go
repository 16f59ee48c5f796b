package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// pollFixture is a round table under way (the card wall's fixture: three paper cards, a group
// holding the first) and the verified members of community A who vote in the tests.
type pollFixture struct {
	clusterFixture
	voters []*models.User
}

func (ta *testApp) buildPollFixture(month string) pollFixture {
	f := ta.fx
	return pollFixture{clusterFixture: ta.buildClusterFixture(month),
		voters: []*models.User{f.Resident, f.Party, f.GridWorker, f.Committee, f.AdminA, f.Facilitator}}
}

// pollView is a poll as the API answers it.
type pollView struct {
	ID        uint64  `json:"id"`
	MeetingID *uint64 `json:"meeting_id"`
	Status    string  `json:"status"`
	Rule      string  `json:"rule"`
	Voters    int64   `json:"voters"`
	Options   []struct {
		ID        uint64  `json:"id"`
		Label     string  `json:"label"`
		Key       string  `json:"key"`
		ClusterID *uint64 `json:"cluster_id"`
		CardID    *uint64 `json:"card_id"`
	} `json:"options"`
	Me struct {
		Eligible       bool `json:"eligible"`
		Voted          bool `json:"voted"`
		CanVote        bool `json:"can_vote"`
		ResultsVisible bool `json:"results_visible"`
		CanManage      bool `json:"can_manage"`
	} `json:"me"`
}

func (p pollView) opt(i int) string { return strconv.FormatUint(p.Options[i].ID, 10) }

// resultView is a result as the API answers it.
type resultView struct {
	Status        string   `json:"status"`
	Source        string   `json:"source"`
	CountsVisible bool     `json:"counts_visible"`
	Voters        int64    `json:"voters"`
	OnlineVoters  int64    `json:"online_voters"`
	OfflineVoters int64    `json:"offline_voters"`
	Eligible      int64    `json:"eligible"`
	Turnout       *float64 `json:"turnout"`
	QuorumMet     bool     `json:"quorum_met"`
	Passed        *bool    `json:"passed"`
	ClosedEventID *uint64  `json:"closed_event_id"`
	Options       []struct {
		ID         uint64   `json:"id"`
		Key        string   `json:"key"`
		Online     *int64   `json:"online"`
		Offline    *int64   `json:"offline"`
		Total      *int64   `json:"total"`
		Share      *float64 `json:"share"`
		Supporters *int64   `json:"supporters"`
		Rank       *int     `json:"rank"`
	} `json:"options"`
	Decision *struct {
		Rule        string `json:"rule"`
		Yes         int64  `json:"yes"`
		No          int64  `json:"no"`
		Abstain     int64  `json:"abstain"`
		Attendees   *int64 `json:"attendees"`
		MajorityMet bool   `json:"majority_met"`
		Passed      bool   `json:"passed"`
	} `json:"decision"`
	SmallCounts bool `json:"small_counts"`
	Recount     *struct {
		Ballots       int64    `json:"ballots"`
		Receipts      int64    `json:"receipts"`
		CountedVoters int64    `json:"counted_voters"`
		Matches       bool     `json:"matches"`
		Differences   []string `json:"differences"`
		NotRederived  []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"not_rederived"`
	} `json:"recount"`
}

// totals are the visible totals by option position.
func (r resultView) totals() []int64 {
	out := make([]int64, len(r.Options))
	for i, o := range r.Options {
		if o.Total == nil {
			out[i] = -1
		} else {
			out[i] = *o.Total
		}
	}
	return out
}

// createPoll posts a poll on a meeting (or, with cycle set, a cycle) as the facilitator.
func (ta *testApp) createPoll(t testing.TB, path string, body map[string]any) pollView {
	t.Helper()
	if body["secrecy"] == "secret" && body["results_visibility"] == nil {
		body["results_visibility"] = "after_close" // a secret poll counts only after the close
	}
	for k, v := range map[string]any{"eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "live"} {
		if _, ok := body[k]; !ok {
			body[k] = v
		}
	}
	rec := ta.do(req{method: "POST", path: path, as: ta.fx.Facilitator, body: body})
	wantStatus(t, rec, http.StatusCreated)
	return decode[pollView](t, rec)
}

func meetingPolls(m *models.Meeting) string { return fmt.Sprintf("/api/v1/meetings/%d/polls", m.ID) }

func pollPath(p pollView, rest string) string { return fmt.Sprintf("/api/v1/polls/%d%s", p.ID, rest) }

// openedPoll creates and opens a meeting poll.
func (ta *testApp) openedPoll(t testing.TB, m *models.Meeting, body map[string]any) pollView {
	t.Helper()
	p := ta.createPoll(t, meetingPolls(m), body)
	rec := ta.do(req{method: "POST", path: pollPath(p, "/open"), as: ta.fx.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	return decode[pollView](t, rec)
}

func (ta *testApp) vote(p pollView, as *models.User, ballot map[string]any) *httpRec {
	return ta.do(req{method: "POST", path: pollPath(p, "/ballots"), as: as, body: ballot})
}

func (ta *testApp) results(t testing.TB, p pollView, as *models.User, query string) resultView {
	t.Helper()
	rec := ta.do(req{method: "GET", path: pollPath(p, "/results"+query), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[resultView](t, rec)
}

func (ta *testApp) closePoll(t testing.TB, p pollView) resultView {
	t.Helper()
	rec := ta.do(req{method: "POST", path: pollPath(p, "/close"), as: ta.fx.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	return decode[resultView](t, rec)
}

// TestPoll_Methods runs every method end to end through the API: create, open, ballots from
// the members (one named ballot changed), a result checked by hand, close, and the stored
// result equal to a recount from the ballot rows.
func TestPoll_Methods(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	v := pf.voters
	m := pf.meeting
	cases := []struct {
		name    string
		body    map[string]any
		ballots func(p pollView) []map[string]any // one per voter, in order
		totals  []int64
		passed  *bool
	}{
		{"approval", map[string]any{"title": "同意分单元表决", "method": "approval"}, func(p pollView) []map[string]any {
			return []map[string]any{{"choice": "yes"}, {"choice": "yes"}, {"choice": "no"}, {"choice": "abstain"},
				{"option_id": p.Options[0].ID}, {"choice": "no"}}
		}, []int64{3, 2, 1}, ptrTo(true)},
		{"single", map[string]any{"title": "选一个方案", "method": "single", "options": []map[string]any{{"label": "方案一"}, {"label": "方案二"}, {"label": "方案三"}}},
			func(p pollView) []map[string]any {
				return []map[string]any{{"option_id": p.Options[1].ID}, {"option_id": p.Options[1].ID}, {"option_id": p.Options[0].ID},
					{"option_id": p.Options[2].ID}, {"option_id": p.Options[1].ID}, {"option_id": p.Options[0].ID}}
			}, []int64{2, 3, 1}, nil},
		{"multi", map[string]any{"title": "最多选两项", "method": "multi", "max_choices": 2,
			"options": []map[string]any{{"label": "补偿"}, {"label": "分摊"}, {"label": "停车"}}},
			func(p pollView) []map[string]any {
				a, b, c := p.Options[0].ID, p.Options[1].ID, p.Options[2].ID
				return []map[string]any{{"option_ids": []uint64{a, b}}, {"option_ids": []uint64{b}}, {"option_ids": []uint64{b, c}},
					{"option_ids": []uint64{a}}, {"option_ids": []uint64{c, a}}, {"option_ids": []uint64{b}}}
			}, []int64{3, 4, 2}, nil},
		{"dot", map[string]any{"title": "贴点投票", "method": "dot", "dots_per_voter": 3, "max_dots_per_option": 2,
			"options": []map[string]any{{"cluster_id": pf.group.ID}, {"card_id": pf.cards[1].ID}, {"label": "其他"}}},
			func(p pollView) []map[string]any {
				d := func(x, y, z int) map[string]any {
					return map[string]any{"dots": map[string]int{p.opt(0): x, p.opt(1): y, p.opt(2): z}}
				}
				return []map[string]any{d(2, 1, 0), d(1, 1, 1), d(0, 2, 1), d(2, 0, 0), d(1, 2, 0), d(0, 0, 1)}
			}, []int64{6, 6, 3}, nil},
		{"ranked", map[string]any{"title": "方案排序", "method": "ranked", "options": []map[string]any{{"label": "甲"}, {"label": "乙"}, {"label": "丙"}}},
			func(p pollView) []map[string]any {
				a, b, c := p.Options[0].ID, p.Options[1].ID, p.Options[2].ID
				// Borda with 3 options: 2, 1, 0 points; a partial ranking gives the rest 0.
				return []map[string]any{{"ranking": []uint64{a, b, c}}, {"ranking": []uint64{b, a}}, {"ranking": []uint64{c}},
					{"ranking": []uint64{a, c, b}}, {"ranking": []uint64{b}}, {"ranking": []uint64{a}}}
			}, []int64{7, 5, 3}, nil},
		{"score", map[string]any{"title": "打分", "method": "score", "score_max": 4, "options": []map[string]any{{"label": "甲"}, {"label": "乙"}}},
			func(p pollView) []map[string]any {
				s := func(x, y int) map[string]any {
					return map[string]any{"scores": map[string]int{p.opt(0): x, p.opt(1): y}}
				}
				return []map[string]any{s(4, 0), s(3, 1), s(2, 2), s(0, 4), s(1, 1), s(4, 4)}
			}, []int64{14, 12}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ta.openedPoll(t, m, c.body)
			ballots := c.ballots(p)
			// The first voter first votes the last voter's ballot, then changes it.
			wantStatus(t, ta.vote(p, v[0], ballots[len(ballots)-1]), http.StatusCreated)
			wantStatus(t, ta.vote(p, v[0], ballots[0]), http.StatusOK)
			for i := 1; i < len(ballots); i++ {
				wantStatus(t, ta.vote(p, v[i], ballots[i]), http.StatusCreated)
			}
			r := ta.results(t, p, ta.fx.Resident, "")
			if !slices.Equal(r.totals(), c.totals) || r.Voters != 6 || !r.CountsVisible || r.Source != "live" {
				t.Fatalf("live totals=%v voters=%d visible=%v source=%s, want %v, 6, live", r.totals(), r.Voters, r.CountsVisible, r.Source, c.totals)
			}
			closed := ta.closePoll(t, p)
			if !slices.Equal(closed.totals(), c.totals) || closed.Source != "closed" || closed.ClosedEventID == nil {
				t.Fatalf("closed=%+v, want totals %v from the stored result", closed, c.totals)
			}
			if (closed.Passed == nil) != (c.passed == nil) || (c.passed != nil && *closed.Passed != *c.passed) {
				t.Fatalf("passed=%v, want %v", closed.Passed, c.passed)
			}
			rc := ta.results(t, p, ta.fx.Committee, "?recount=1")
			if rc.Recount == nil || !rc.Recount.Matches || rc.Recount.Ballots != 6 || rc.Recount.Receipts != 6 || len(rc.Recount.Differences) != 0 {
				t.Fatalf("recount=%+v, want 6 ballots matching the stored result", rc.Recount)
			}
			wantProblem(t, ta.vote(p, v[1], ballots[1]), http.StatusConflict, "poll_closed")
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestPoll_CreateRefused: bad polls get a clear 422 (or 403, 404, 409) and leave nothing behind.
func TestPoll_CreateRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	other := ta.buildClusterFixture("2027-04")
	m := pf.meeting
	base := func(extra map[string]any) map[string]any {
		b := map[string]any{"title": "表决", "method": "single", "eligibility": "members", "weight": "person",
			"secrecy": "named", "results_visibility": "live", "options": []map[string]any{{"label": "甲"}, {"label": "乙"}}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	approval := func(extra map[string]any) map[string]any {
		b := base(extra)
		b["method"] = "approval"
		if _, ok := extra["options"]; !ok {
			delete(b, "options")
		}
		return b
	}
	cases := []struct {
		name   string
		path   string
		as     *models.User
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"owners at a meeting", meetingPolls(m), nil, approval(map[string]any{"eligibility": "owners", "weight": "owner_area", "rule": "civil_code_278_major"}),
			422, "invalid_input", "eligibility"},
		{"owner area without owners", meetingPolls(m), nil, base(map[string]any{"weight": "owner_area"}), 422, "invalid_input", "weight"},
		{"278 rule without owners", meetingPolls(m), nil, approval(map[string]any{"rule": "civil_code_278_ordinary"}), 422, "invalid_input", "rule"},
		{"rule on a dot vote", meetingPolls(m), nil, base(map[string]any{"method": "dot", "rule": "simple_majority"}), 422, "invalid_input", "rule"},
		{"approval with options", meetingPolls(m), nil, approval(map[string]any{"options": []map[string]any{{"label": "x"}, {"label": "y"}}}),
			422, "invalid_input", "options"},
		{"unknown method", meetingPolls(m), nil, base(map[string]any{"method": "lottery"}), 422, "invalid_input", "method"},
		{"no method", meetingPolls(m), nil, base(map[string]any{"method": ""}), 422, "invalid_input", "method"},
		{"multi without max", meetingPolls(m), nil, base(map[string]any{"method": "multi"}), 422, "invalid_input", "max_choices"},
		{"dots on a single", meetingPolls(m), nil, base(map[string]any{"dots_per_voter": 3}), 422, "invalid_input", "dots_per_voter"},
		{"per option above per voter", meetingPolls(m), nil, base(map[string]any{"method": "dot", "dots_per_voter": 2, "max_dots_per_option": 3}),
			422, "invalid_input", "max_dots_per_option"},
		{"one option", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"label": "甲"}}}), 422, "invalid_input", "options"},
		{"duplicate label", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"label": "甲"}, {"label": "甲"}}}),
			422, "invalid_input", "options[1]"},
		{"two links", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"cluster_id": pf.group.ID, "card_id": pf.cards[0].ID}, {"label": "乙"}}}),
			422, "invalid_input", "options[0]"},
		{"group of another meeting", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"cluster_id": other.group.ID}, {"label": "乙"}}}),
			422, "invalid_input", "options[0].cluster_id"},
		{"card of another cycle", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"card_id": other.cards[0].ID}, {"label": "乙"}}}),
			422, "invalid_input", "options[0].card_id"},
		{"no label", meetingPolls(m), nil, base(map[string]any{"options": []map[string]any{{"label": " "}, {"label": "乙"}}}),
			422, "invalid_input", "options[0].label"},
		{"unknown eligibility", meetingPolls(m), nil, base(map[string]any{"eligibility": "everyone"}), 422, "invalid_input", "eligibility"},
		{"attendees on a cycle", fmt.Sprintf("/api/v1/cycles/%d/polls", pf.cycle.ID), nil, base(map[string]any{"eligibility": "attendees"}),
			422, "invalid_input", "eligibility"},
		{"cycle poll at the round table", fmt.Sprintf("/api/v1/cycles/%d/polls", pf.cycle.ID), nil, base(nil), 409, "phase_closed", ""},
		{"resident", meetingPolls(m), pf.voters[0], base(nil), 403, "forbidden", ""},
		{"other tenant", meetingPolls(m), ta.fx.AdminB, base(nil), 404, "not_found", ""},
		{"unknown field", meetingPolls(m), nil, base(map[string]any{"secret": true}), 400, "unknown_field", ""},
		{"secret with live results", meetingPolls(m), nil, approval(map[string]any{"secrecy": "secret"}), 422, "invalid_input",
			"results_visibility"},
		{"secret with results after one's vote", meetingPolls(m), nil, approval(map[string]any{"secrecy": "secret",
			"results_visibility": "after_vote"}), 422, "invalid_input", "results_visibility"},
	}
	before := len(ta.events(ta.fx.A.ID))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as := c.as
			if as == nil {
				as = ta.fx.Facilitator
			}
			p := wantProblem(t, ta.do(req{method: "POST", path: c.path, as: as, body: c.body}), c.status, c.code)
			if c.field != "" {
				if _, ok := p.Errors[c.field]; !ok || p.Detail == "" {
					t.Fatalf("errors=%v, want one for %s", p.Errors, c.field)
				}
			}
		})
	}
	if after := len(ta.events(ta.fx.A.ID)); after != before {
		t.Fatalf("refused polls appended %d events", after-before)
	}
	var n int64
	ta.store.Gorm().Model(&models.Poll{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d polls stored, want none", n)
	}
	t.Run("OwnersMessageSaysOnTheCycle", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: meetingPolls(m), as: ta.fx.Facilitator, header: map[string]string{"Accept-Language": "en"},
			body: approval(map[string]any{"eligibility": "owners", "weight": "owner_area"})})
		if p := wantProblem(t, rec, 422, "invalid_input"); !strings.Contains(p.Errors["eligibility"], "not at a meeting") {
			t.Fatalf("errors=%v, want the owners' vote-on-the-cycle message", p.Errors)
		}
	})
	t.Run("SecretLiveMessage", func(t *testing.T) {
		for loc, want := range map[string]string{LocaleZH: "不记名投票只能在投票结束后公布结果", LocaleEN: "only be shown after the vote closes"} {
			rec := ta.do(req{method: "POST", path: meetingPolls(m), as: ta.fx.Facilitator, header: map[string]string{"Accept-Language": loc},
				body: approval(map[string]any{"secrecy": "secret"})})
			if p := wantProblem(t, rec, 422, "invalid_input"); !strings.Contains(p.Errors["results_visibility"], want) {
				t.Fatalf("%s errors=%v, want %q", loc, p.Errors, want)
			}
		}
	})
	t.Run("OKLabelsFromLinks", func(t *testing.T) {
		p := ta.createPoll(t, meetingPolls(m), base(map[string]any{"options": []map[string]any{{"cluster_id": pf.group.ID},
			{"card_id": pf.cards[2].ID}, {"label": "其他方案"}}}))
		if p.Options[0].Label != "补偿" || p.Options[1].Label != "施工期间安排临时停车位" || p.Status != "draft" || p.Rule != "" {
			t.Fatalf("options=%+v status=%s", p.Options, p.Status)
		}
		a := ta.createPoll(t, meetingPolls(m), approval(nil))
		if a.Rule != "simple_majority" || len(a.Options) != 3 || a.Options[0].Key != "yes" || a.Options[2].Key != "abstain" {
			t.Fatalf("approval poll=%+v, want yes/no/abstain under simple_majority", a)
		}
	})
}

// TestPoll_BallotsRefused: every invalid ballot is refused with its code and changes nothing.
func TestPoll_BallotsRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	m := pf.meeting
	dots := ta.openedPoll(t, m, map[string]any{"title": "贴点", "method": "dot", "dots_per_voter": 3, "max_dots_per_option": 2,
		"options": []map[string]any{{"label": "甲"}, {"label": "乙"}}})
	secret := ta.openedPoll(t, m, map[string]any{"title": "不记名表决", "method": "approval", "secrecy": "secret"})
	attendees := ta.openedPoll(t, m, map[string]any{"title": "到会者表决", "method": "approval", "eligibility": "attendees"})
	draft := ta.createPoll(t, meetingPolls(m), map[string]any{"title": "草稿", "method": "approval"})
	closed := ta.openedPoll(t, m, map[string]any{"title": "已结束", "method": "approval"})
	ta.closePoll(t, closed)
	wantStatus(t, ta.vote(secret, ta.fx.Party, map[string]any{"choice": "no"}), http.StatusCreated)

	d := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"dots": m}
	}
	cases := []struct {
		name   string
		p      pollView
		as     *models.User
		ballot map[string]any
		status int
		code   string
		field  string
	}{
		{"too many dots", dots, nil, d(dots.opt(0), 2, dots.opt(1), 2), 422, "invalid_input", "dots"},
		{"too many on one option", dots, nil, d(dots.opt(0), 3), 422, "invalid_input", "dots"},
		{"no dots", dots, nil, d(dots.opt(0), 0), 422, "invalid_input", "dots"},
		{"option of another poll", dots, nil, d(secret.opt(0), 1), 422, "invalid_input", "dots"},
		{"not an option id", dots, nil, d("yes", 1), 422, "invalid_input", "dots"},
		{"wrong shape", dots, nil, map[string]any{"choice": "yes"}, 422, "invalid_input", "dots"},
		{"two shapes", secret, nil, map[string]any{"choice": "yes", "option_ids": []uint64{secret.Options[0].ID}}, 422, "invalid_input", "choice"},
		{"unknown choice", secret, nil, map[string]any{"choice": "maybe"}, 422, "invalid_input", "choice"},
		{"not verified", dots, ta.fx.Unverified, d(dots.opt(0), 1), 403, "not_verified", ""},
		{"not signed in", attendees, nil, map[string]any{"choice": "yes"}, 403, "not_signed_in_to_vote", ""},
		{"superadmin is no member", dots, ta.fx.Super, d(dots.opt(0), 1), 403, "not_eligible", ""},
		{"other tenant", dots, ta.fx.ResidentB, d(dots.opt(0), 1), 404, "not_found", ""},
		{"draft", draft, nil, map[string]any{"choice": "yes"}, 409, "poll_not_open", ""},
		{"closed", closed, nil, map[string]any{"choice": "yes"}, 409, "poll_closed", ""},
		{"secret twice", secret, ta.fx.Party, map[string]any{"choice": "yes"}, 409, "already_voted", ""},
	}
	before := len(ta.events(ta.fx.A.ID))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as := c.as
			if as == nil {
				as = ta.fx.Resident
			}
			p := wantProblem(t, ta.vote(c.p, as, c.ballot), c.status, c.code)
			if c.field != "" {
				if _, ok := p.Errors[c.field]; !ok {
					t.Fatalf("errors=%v, want one for %s", p.Errors, c.field)
				}
			}
		})
	}
	if after := len(ta.events(ta.fx.A.ID)); after != before {
		t.Fatalf("refused ballots appended %d events", after-before)
	}
	for _, p := range []pollView{dots, attendees} {
		if r := ta.results(t, p, ta.fx.Facilitator, "?recount=1"); r.Voters != 0 || !r.Recount.Matches || r.Recount.Ballots != 0 {
			t.Fatalf("poll %d after refused ballots: voters=%d recount=%+v, want none", p.ID, r.Voters, r.Recount)
		}
	}
	// The secret poll's counts are hidden until its close; its turnout shows the one ballot.
	if r := ta.results(t, secret, ta.fx.Facilitator, ""); r.Voters != 1 || r.CountsVisible {
		t.Fatalf("secret poll after refused ballots: voters=%d visible=%v, want 1 hidden", r.Voters, r.CountsVisible)
	}
	t.Run("OKSignedIn", func(t *testing.T) {
		wantStatus(t, ta.join(ta.fx.Resident, pf.meeting.JoinCode), http.StatusCreated)
		wantStatus(t, ta.vote(attendees, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusCreated)
	})
}

// TestPoll_Visibility checks live, after_vote and after_close on the result, the poll and the
// member's stream: no count before it may be shown, on any of them.
func TestPoll_Visibility(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	m := pf.meeting
	resident, party := ta.fx.Resident, ta.fx.Party
	startSeq := ta.events(ta.fx.A.ID)
	lastID := startSeq[len(startSeq)-1].ID
	for _, vis := range []string{"live", "after_vote", "after_close"} {
		t.Run(vis, func(t *testing.T) {
			p := ta.openedPoll(t, m, map[string]any{"title": "表决" + vis, "method": "approval", "results_visibility": vis})
			wantStatus(t, ta.vote(p, party, map[string]any{"choice": "yes"}), http.StatusCreated)
			// Party voted; Resident has not.
			for _, c := range []struct {
				who  *models.User
				want bool
			}{{resident, vis == "live"}, {party, vis != "after_close"}, {ta.fx.Facilitator, vis == "live"}, {ta.fx.Committee, vis == "live"}} {
				r := ta.results(t, p, c.who, "")
				visible := r.CountsVisible && r.Options[0].Total != nil && r.Passed != nil && r.Decision != nil
				hidden := !r.CountsVisible && r.Options[0].Total == nil && r.Options[0].Share == nil && r.Passed == nil && r.Decision == nil
				if (c.want && !visible) || (!c.want && !hidden) || r.Voters != 1 {
					t.Fatalf("%s as %s: %+v, want counts visible=%v and voters 1", vis, c.who.Name, r, c.want)
				}
				pv := decode[pollView](t, ta.do(req{method: "GET", path: pollPath(p, ""), as: c.who}))
				if pv.Me.ResultsVisible != c.want || pv.Voters != 1 {
					t.Fatalf("%s as %s: poll me=%+v voters=%d", vis, c.who.Name, pv.Me, pv.Voters)
				}
			}
			if vis != "live" {
				wantProblem(t, ta.do(req{method: "GET", path: pollPath(p, "/results?recount=1"), as: ta.fx.Committee}), http.StatusConflict, "results_hidden")
			}
			ta.closePoll(t, p)
			if r := ta.results(t, p, resident, ""); !r.CountsVisible || *r.Options[0].Total != 1 || !*r.Passed {
				t.Fatalf("%s after close: %+v, want visible to everyone", vis, r)
			}
		})
	}
	t.Run("Stream", func(t *testing.T) {
		// The member's stream replayed from before the polls: ballot events carry no count and
		// no choice; the count comes with poll.closed.
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/stream", m.ID), as: resident,
			header: map[string]string{"Last-Event-ID": strconv.FormatUint(lastID, 10)}})
		body := rec.Body.String()
		var cast, closed int
		for _, ev := range sseEvents(body) {
			var se stream.Event
			if err := json.Unmarshal([]byte(ev), &se); err != nil {
				t.Fatalf("stream data %q: %v", ev, err)
			}
			switch se.Type {
			case models.EvPollBallotCast:
				cast++
				var payload map[string]any
				_ = json.Unmarshal(se.Payload, &payload)
				if len(payload) != 3 || payload["poll_id"] == nil || payload["meeting_id"] == nil || payload["cycle_id"] == nil {
					t.Fatalf("ballot event payload %v, want only the poll, meeting and cycle", payload)
				}
			case models.EvPollClosed:
				closed++
				if !strings.Contains(string(se.Payload), `"total":1`) {
					t.Fatalf("poll.closed without the result: %s", se.Payload)
				}
			case models.EvPollOfflineTallySet:
				t.Fatal("a resident's stream carried offline counts")
			}
		}
		if cast != 3 || closed != 3 {
			t.Fatalf("stream had %d ballot and %d close events, want 3 and 3:\n%s", cast, closed, body)
		}
	})
}

// sseEvents returns the data lines of a recorded event stream.
func sseEvents(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if d, ok := strings.CutPrefix(line, "data: "); ok && d != "{}" {
			out = append(out, d)
		}
	}
	return out
}

// addVoters adds n verified residents of community A (sharing the fixture's password hash) and
// returns them.
func (ta *testApp) addVoters(t testing.TB, first, n int, household *uint64) []*models.User {
	t.Helper()
	ctx := context.Background()
	out := make([]*models.User, 0, n)
	for i := range n {
		phone := fmt.Sprintf("137%08d", first+i)
		u := &models.User{Phone: phone, Name: fmt.Sprintf("投票人%d", first+i), PasswordHash: fixtureHash(), Locale: "zh-CN"}
		if err := ta.store.Gorm().Create(u).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := ta.store.AddMember(ctx, ta.fx.Super.Actor(), ta.fx.A.ID, models.AddMemberInput{Phone: phone,
			Roles: []string{models.RoleResident}, HouseholdID: household}); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

// TestPoll_Concurrency: 200 voters casting at once are each counted once; one voter sending 50
// ballots at once makes one receipt (named: the last change wins, totals still equal a recount;
// secret: one ballot, 49 refusals).
func TestPoll_Concurrency(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	voters := ta.addVoters(t, 0, 200, nil)
	for _, secrecy := range []string{"named", "secret"} {
		t.Run(secrecy, func(t *testing.T) {
			p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "并发" + secrecy, "method": "dot", "dots_per_voter": 3,
				"max_dots_per_option": 3, "secrecy": secrecy, "options": []map[string]any{{"label": "甲"}, {"label": "乙"}, {"label": "丙"}}})
			var wg sync.WaitGroup
			codes := make([]int, len(voters))
			for i, u := range voters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i] = ta.vote(p, u, map[string]any{"dots": map[string]int{p.opt(i % 3): 1 + i%3}}).Code
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusCreated {
					t.Fatalf("voter %d: status %d", i, c)
				}
			}
			// One voter, 50 ballots at once.
			same := ta.fx.Resident
			codes = make([]int, 50)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i] = ta.vote(p, same, map[string]any{"dots": map[string]int{p.opt(i % 3): 1 + i%3}}).Code
				}()
			}
			wg.Wait()
			count := map[int]int{}
			for _, c := range codes {
				count[c]++
			}
			want := map[int]int{http.StatusCreated: 1, http.StatusOK: 49}
			if secrecy == "secret" {
				want = map[int]int{http.StatusCreated: 1, http.StatusConflict: 49}
			}
			for c, n := range want {
				if count[c] != n {
					t.Fatalf("50 ballots of one voter: statuses %v, want %v", count, want)
				}
			}
			if secrecy == "secret" {
				ta.closePoll(t, p) // its counts show only after the close
			}
			r := ta.results(t, p, ta.fx.Committee, "?recount=1")
			counted := r.Recount.Ballots
			if secrecy == "secret" {
				counted = r.Recount.CountedVoters
			}
			if r.Voters != 201 || r.Recount.Receipts != 201 || counted != 201 || !r.Recount.Matches {
				t.Fatalf("voters=%d recount=%+v, want 201 voters each counted once", r.Voters, r.Recount)
			}
			var sum int64
			for _, tot := range r.totals() {
				sum += tot
			}
			// The 200 voters gave 1, 2, 3 dots in turn: 67·1 + 67·2 + 66·3 = 399; plus the one.
			if sum < 400 || sum > 402 {
				t.Fatalf("dots=%d, want 399 plus one voter's 1..3", sum)
			}
		})
	}
}

// TestPoll_Secrecy walks every poll route, the event log, each voter's export and the stream
// for a secret poll and finds no voter next to a choice; there is no table of secret ballots and
// the receipts hold no choice and no time (TestPoll_SecretStorageUnlinkable reads the rest).
func TestPoll_Secrecy(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	m := pf.meeting
	voters := ta.addVoters(t, 0, 20, nil)
	start := ta.events(ta.fx.A.ID)
	lastID := start[len(start)-1].ID
	p := ta.openedPoll(t, m, map[string]any{"title": "不记名表决", "method": "approval", "secrecy": "secret"})
	choices := []string{"yes", "no", "abstain"}
	for i, u := range voters {
		wantStatus(t, ta.vote(p, u, map[string]any{"choice": choices[i%3]}), http.StatusCreated)
	}
	wantStatus(t, ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: ta.fx.Facilitator,
		body: map[string]any{"source": "纸质票", "counts": map[string]int{"yes": 2}}}), http.StatusOK)
	voterIDs := map[uint64]bool{}
	for _, u := range voters {
		voterIDs[u.ID] = true
	}

	// leak reports an object that names a voter in one of its fields and holds a choice anywhere
	// within it (an event's actor_id beside a payload with a choice counts).
	choiceKeys := []string{"choice", "option_id", "option_ids", "dots", "ranking", "scores", "counts", "points", "ballot"}
	voterNames := map[string]bool{}
	for _, u := range voters {
		voterNames[u.Name] = true
	}
	// names says whether a field names a voter: a person's id under a person's key, or a name.
	names := func(k string, e any) bool {
		switch v := e.(type) {
		case float64:
			return voterIDs[uint64(v)] && (k == "actor_id" || strings.HasSuffix(k, "user_id") || strings.HasPrefix(k, "voter") ||
				strings.HasSuffix(k, "_by"))
		case string:
			return voterNames[v]
		}
		return false
	}
	var holds func(v any) bool
	holds = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if slices.Contains(choiceKeys, k) && e != nil || holds(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if holds(e) {
					return true
				}
			}
		}
		return false
	}
	var leak func(v any, path string) string
	leak = func(v any, path string) string {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if names(k, e) && holds(x) {
					return path + "." + k
				}
			}
			for k, e := range x {
				if l := leak(e, path+"."+k); l != "" {
					return l
				}
			}
		case []any:
			for i, e := range x {
				if l := leak(e, fmt.Sprintf("%s[%d]", path, i)); l != "" {
					return l
				}
			}
		}
		return ""
	}
	check := func(name, body string) {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("%s: %v: %s", name, err, body)
		}
		if l := leak(v, name); l != "" {
			t.Fatalf("%s: a voter next to a choice at %s", name, l)
		}
	}
	routes := []string{pollPath(p, ""), meetingPolls(m), fmt.Sprintf("/api/v1/cycles/%d/polls", pf.cycle.ID), pollPath(p, "/results"),
		pollPath(p, "/results?recount=1"), pollPath(p, "/offline-tallies"), pollPath(p, "/my-ballot"),
		fmt.Sprintf("/api/v1/communities/%d/events?limit=200", ta.fx.A.ID)}
	walk := func(stage string) {
		for _, as := range []*models.User{ta.fx.AdminA, ta.fx.Committee, ta.fx.Facilitator, voters[0]} {
			for _, r := range routes {
				rec := ta.do(req{method: "GET", path: r, as: as})
				if rec.Code == http.StatusOK {
					check(stage+" "+r+" as "+as.Name, rec.Body.String())
				}
			}
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/stream", m.ID), as: as,
				header: map[string]string{"Last-Event-ID": strconv.FormatUint(lastID, 10)}})
			for _, d := range sseEvents(rec.Body.String()) {
				check(stage+" stream as "+as.Name, d)
			}
		}
		for _, u := range voters {
			rec := ta.do(req{method: "GET", path: "/api/v1/me/export", as: u})
			wantStatus(t, rec, http.StatusOK)
			check(stage+" export of "+u.Name, rec.Body.String())
			if strings.Contains(rec.Body.String(), "poll.ballot") {
				t.Fatalf("%s: the export of %s lists a secret ballot event", stage, u.Name)
			}
		}
	}
	walk("open")
	ta.closePoll(t, p)
	walk("closed")

	t.Run("BallotEventsNameNoOne", func(t *testing.T) {
		n := 0
		for _, e := range ta.events(ta.fx.A.ID) {
			if e.Type == models.EvPollBallotCast && e.SubjectID == p.ID {
				n++
				if e.ActorID != nil || strings.Contains(e.Payload, "choice") || strings.Contains(e.Payload, "user") {
					t.Fatalf("secret ballot event %+v", e)
				}
			}
		}
		if n != len(voters) {
			t.Fatalf("%d ballot events, want %d", n, len(voters))
		}
	})
	t.Run("MyBallotShowsNoChoice", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: pollPath(p, "/my-ballot"), as: voters[0]})
		wantStatus(t, rec, http.StatusOK)
		if b := decode[models.MyBallot](t, rec); !b.Voted || b.Ballot != nil {
			t.Fatalf("my ballot=%+v, want voted without a ballot", b)
		}
	})
	t.Run("TablesHoldNoLink", func(t *testing.T) {
		cols := func(table string) []string {
			ct, err := ta.store.Gorm().Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range ct {
				out = append(out, c.Name())
			}
			slices.Sort(out)
			return out
		}
		if ta.store.Gorm().Migrator().HasTable("poll_secret_ballots") {
			t.Fatal("a table of secret ballots exists: a secret ballot lives only in the tallies")
		}
		if got := cols("poll_receipts"); !slices.Equal(got, []string{"poll_id", "user_id", "voter_key"}) {
			t.Fatalf("poll_receipts columns %v, want no choice and no time", got)
		}
	})
}

// TestPoll_OfflineTallies: paper and show-of-hands counts are kept apart, added to the totals,
// and every edit keeps the earlier value, who and when.
func TestPoll_OfflineTallies(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "是否试行", "method": "approval"})
	wantStatus(t, ta.vote(p, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusCreated)
	put := func(as *models.User, body map[string]any) *httpRec {
		return ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: as, body: body})
	}
	wantStatus(t, put(ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 5, "no": 2}}), http.StatusOK)
	wantStatus(t, put(ta.fx.AdminA, map[string]any{"source": "纸质票", "counts": map[string]int{p.opt(1): 1, "abstain": 1}}), http.StatusOK)
	r := ta.results(t, p, ta.fx.Resident, "")
	if got := r.totals(); !slices.Equal(got, []int64{6, 3, 1}) || *r.Options[0].Online != 1 || *r.Options[0].Offline != 5 ||
		r.OnlineVoters != 1 || r.OfflineVoters != 9 || r.Voters != 10 {
		t.Fatalf("results %+v totals %v, want online 1 and offline 5+2+1+1 shown apart", r, got)
	}
	// A correction of the show of hands.
	wantStatus(t, put(ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 4, "no": 2}}), http.StatusOK)
	// The same counts again change nothing.
	wantStatus(t, put(ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 4, "no": 2, "abstain": 0}}), http.StatusOK)
	rec := ta.do(req{method: "GET", path: pollPath(p, "/offline-tallies"), as: ta.fx.Committee})
	wantStatus(t, rec, http.StatusOK)
	ot := decode[models.OfflineTallies](t, rec)
	if len(ot.Items) != 2 || ot.Voters != 8 || ot.Counts[p.opt(0)] != 4 {
		t.Fatalf("offline tallies %+v", ot)
	}
	hands := ot.Items[0]
	if hands.Source != "举手" || len(hands.History) != 2 || hands.History[0].PreviousCounts != nil ||
		*hands.History[1].PreviousVoters != 7 || hands.History[1].PreviousCounts[p.opt(0)] != 5 || hands.History[1].Counts[p.opt(0)] != 4 ||
		hands.History[1].ChangedBy != ta.fx.Facilitator.ID || hands.History[1].ChangedByName != "主持人" || hands.History[1].ChangedAt.IsZero() {
		t.Fatalf("history %+v, want the first entry and the correction from 5 to 4 by the facilitator", hands.History)
	}
	if r := ta.results(t, p, ta.fx.Committee, "?recount=1"); !slices.Equal(r.totals(), []int64{5, 3, 1}) || !r.Recount.Matches {
		t.Fatalf("after correction %v, recount %+v", r.totals(), r.Recount)
	}
	for _, c := range []struct {
		name   string
		as     *models.User
		body   map[string]any
		status int
		code   string
	}{
		{"unknown option", ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"maybe": 1}}, 422, "invalid_input"},
		{"option and its key", ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 1, p.opt(0): 1}}, 422, "invalid_input"},
		{"negative", ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": -1}}, 422, "invalid_input"},
		{"more than the voters", ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 3}, "voters": 2}, 422, "invalid_input"},
		{"no source", ta.fx.Facilitator, map[string]any{"source": " ", "counts": map[string]int{"yes": 1}}, 422, "invalid_input"},
		{"no counts", ta.fx.Facilitator, map[string]any{"source": "举手"}, 422, "invalid_input"},
		{"resident", ta.fx.Resident, map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}}, 403, "forbidden"},
		{"committee", ta.fx.Committee, map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}}, 403, "forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) { wantProblem(t, put(c.as, c.body), c.status, c.code) })
	}
	wantProblem(t, ta.do(req{method: "GET", path: pollPath(p, "/offline-tallies"), as: ta.fx.Resident}), http.StatusForbidden, "forbidden")
	ta.closePoll(t, p)
	wantProblem(t, put(ta.fx.Facilitator, map[string]any{"source": "举手", "counts": map[string]int{"yes": 9}}), http.StatusConflict, "poll_closed")
	if r := ta.results(t, p, ta.fx.Committee, "?recount=1"); !slices.Equal(r.totals(), []int64{5, 3, 1}) || !r.Recount.Matches {
		t.Fatalf("closed %v, recount %+v", r.totals(), r.Recount)
	}
}

// TestPoll_CloseStoresResult: the close stores the result with the event that closed it, later
// changes to who may vote do not move it, a recount equals it, and the linked cards' timelines
// show the vote.
func TestPoll_CloseStoresResult(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "贴点", "method": "dot", "options": []map[string]any{
		{"cluster_id": pf.group.ID}, {"card_id": pf.cards[1].ID}}})
	for i, u := range pf.voters {
		wantStatus(t, ta.vote(p, u, map[string]any{"dots": map[string]int{p.opt(i % 2): 1 + i%3}}), http.StatusCreated)
	}
	closed := ta.closePoll(t, p)
	again := ta.closePoll(t, p)
	if closed.ClosedEventID == nil || again.ClosedEventID == nil || *again.ClosedEventID != *closed.ClosedEventID ||
		!slices.Equal(again.totals(), closed.totals()) {
		t.Fatalf("closing twice: %+v then %+v", closed, again)
	}
	var ev models.Event
	if err := ta.store.Gorm().Take(&ev, *closed.ClosedEventID).Error; err != nil || ev.Type != models.EvPollClosed || ev.SubjectID != p.ID {
		t.Fatalf("closed event %+v err %v", ev, err)
	}
	var payload struct {
		Result struct {
			Voters  int64 `json:"voters"`
			Options []struct {
				Total int64 `json:"total"`
			} `json:"options"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil || payload.Result.Voters != 6 ||
		payload.Result.Options[0].Total != *closed.Options[0].Total {
		t.Fatalf("poll.closed payload %s", ev.Payload)
	}
	// More members later do not change the stored result's eligible count.
	ta.addVoters(t, 500, 3, nil)
	r := ta.results(t, p, ta.fx.Committee, "?recount=1")
	if r.Eligible != closed.Eligible || !r.Recount.Matches || !slices.Equal(r.totals(), closed.totals()) {
		t.Fatalf("stored %+v, later %+v", closed, r)
	}
	for _, card := range []uint64{pf.cards[0].ID, pf.cards[1].ID} {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", card), as: ta.fx.Resident})
		wantStatus(t, rec, http.StatusOK)
		if b := rec.Body.String(); !strings.Contains(b, `"card.polled"`) || !strings.Contains(b, `"card.poll_closed"`) {
			t.Fatalf("timeline of card %d: %s", card, b)
		}
	}
	if res := ta.verify(t, ta.fx.A.ID); !res.OK {
		t.Fatalf("chain broken: %+v", res)
	}
}

// TestPoll_Phases: a cycle's poll runs while the cycle selects its topic, a meeting's poll at the
// round table until the meeting ends; closing works in any phase.
func TestPoll_Phases(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.openCycle(t, "2027-05")
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	t1 := ta.propose(t, cy.ID, f.Resident, "加装电梯")
	t2 := ta.propose(t, cy.ID, f.Party, "停车难")
	cyclePolls := fmt.Sprintf("/api/v1/cycles/%d/polls", cy.ID)
	body := map[string]any{"title": "选议题", "method": "single", "options": []map[string]any{{"topic_id": t1.ID}, {"topic_id": t2.ID}},
		"eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "after_vote"}
	wantProblem(t, ta.do(req{method: "POST", path: cyclePolls, as: f.Facilitator, body: body}), http.StatusConflict, "phase_closed")
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	p := ta.createPoll(t, cyclePolls, body)
	if p.MeetingID != nil || p.Options[0].Label != "加装电梯" {
		t.Fatalf("cycle poll %+v", p)
	}
	wantStatus(t, ta.do(req{method: "POST", path: pollPath(p, "/open"), as: f.Facilitator}), http.StatusOK)
	wantStatus(t, ta.vote(p, f.Resident, map[string]any{"option_id": p.Options[0].ID}), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: f.Facilitator,
		body: map[string]any{"topic_id": t1.ID, "reason": "投票第一"}}), http.StatusOK)
	ta.advance(t, cy.ID, models.PhaseCardCollection)
	wantProblem(t, ta.vote(p, f.Party, map[string]any{"option_id": p.Options[1].ID}), http.StatusConflict, "phase_closed")
	wantProblem(t, ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: f.Facilitator,
		body: map[string]any{"source": "纸质票", "counts": map[string]int{p.opt(0): 1}}}), http.StatusConflict, "phase_closed")
	if r := ta.closePoll(t, p); r.Voters != 1 {
		t.Fatalf("closed after the phase: %+v", r)
	}

	t.Run("MeetingEnded", func(t *testing.T) {
		pf := ta.buildPollFixture("2027-06")
		mp := ta.openedPoll(t, pf.meeting, map[string]any{"title": "会上表决", "method": "approval"})
		draft := ta.createPoll(t, meetingPolls(pf.meeting), map[string]any{"title": "草稿", "method": "approval"})
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/end", pf.meeting.ID), as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "散会"}}}), http.StatusOK)
		wantProblem(t, ta.vote(mp, f.Resident, map[string]any{"choice": "yes"}), http.StatusConflict, "meeting_ended")
		wantProblem(t, ta.do(req{method: "POST", path: pollPath(draft, "/open"), as: f.Facilitator}), http.StatusConflict, "meeting_ended")
		wantProblem(t, ta.do(req{method: "POST", path: meetingPolls(pf.meeting), as: f.Facilitator,
			body: map[string]any{"title": "散会后", "method": "approval", "eligibility": "members", "weight": "person", "secrecy": "named",
				"results_visibility": "live"}}), http.StatusConflict, "meeting_ended")
		ta.closePoll(t, mp)
		wantProblem(t, ta.do(req{method: "POST", path: pollPath(draft, "/close"), as: f.Facilitator}), http.StatusConflict, "poll_not_open")
	})
}

// TestPoll_Eligibility covers who may vote: households (one ballot each), verified residents of
// the cycle's compound, attendees under majority_of_attendees.
func TestPoll_Eligibility(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	h := ta.fx.HouseholdA.ID
	family := ta.addVoters(t, 0, 2, &h)
	t.Run("Household", func(t *testing.T) {
		p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "每户一票", "method": "approval", "weight": "household"})
		wantStatus(t, ta.vote(p, family[0], map[string]any{"choice": "yes"}), http.StatusCreated)
		wantProblem(t, ta.vote(p, family[1], map[string]any{"choice": "no"}), http.StatusConflict, "household_voted")
		wantStatus(t, ta.vote(p, family[0], map[string]any{"choice": "no"}), http.StatusOK)
		wantProblem(t, ta.vote(p, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusForbidden, "no_household")
		my := decode[models.MyBallot](t, ta.do(req{method: "GET", path: pollPath(p, "/my-ballot"), as: family[1]}))
		if !my.Voted || my.CastByMe || my.CanChange || my.Ballot == nil || my.Ballot.Choice != "no" {
			t.Fatalf("household member's view %+v", my)
		}
		if r := ta.results(t, p, family[1], ""); r.Voters != 1 || r.Eligible != 1 || *r.Turnout != 1 {
			t.Fatalf("household result %+v, want 1 of 1 household", r)
		}
	})
	t.Run("VerifiedResidents", func(t *testing.T) {
		p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "本小区居民", "method": "approval", "eligibility": "verified_residents"})
		wantStatus(t, ta.vote(p, family[0], map[string]any{"choice": "yes"}), http.StatusCreated)
		wantProblem(t, ta.vote(p, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusForbidden, "not_resident_of_compound")
		wantProblem(t, ta.vote(p, ta.fx.Unverified, map[string]any{"choice": "yes"}), http.StatusForbidden, "not_verified")
		if r := ta.results(t, p, family[0], ""); r.Eligible != 2 {
			t.Fatalf("eligible=%d, want the 2 verified residents of the compound", r.Eligible)
		}
	})
	t.Run("MajorityOfAttendees", func(t *testing.T) {
		p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "到会过半", "method": "approval", "eligibility": "attendees",
			"rule": "majority_of_attendees"})
		for _, u := range []*models.User{ta.fx.Resident, ta.fx.Party, family[0]} {
			wantStatus(t, ta.join(u, pf.meeting.JoinCode), http.StatusCreated)
		}
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", pf.meeting.ID), as: ta.fx.Facilitator,
			body: map[string]any{"name": "王奶奶"}}), http.StatusCreated)
		wantStatus(t, ta.vote(p, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusCreated)
		wantStatus(t, ta.vote(p, ta.fx.Party, map[string]any{"choice": "yes"}), http.StatusCreated)
		// 2 yes of 4 attendees is not more than half.
		r := ta.results(t, p, ta.fx.Resident, "")
		if r.Decision == nil || *r.Decision.Attendees != 4 || r.Decision.MajorityMet || *r.Passed {
			t.Fatalf("2 of 4: %+v", r.Decision)
		}
		wantStatus(t, ta.do(req{method: "PUT", path: pollPath(p, "/offline-tallies"), as: ta.fx.Facilitator,
			body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}}}), http.StatusOK)
		if r := ta.closePoll(t, p); r.Decision.Yes != 3 || !*r.Passed || r.Eligible != 4 {
			t.Fatalf("3 of 4: %+v", r)
		}
	})
}

// TestPoll_Lists: a meeting's and a cycle's polls, with each member's standing.
func TestPoll_Lists(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	a := ta.openedPoll(t, pf.meeting, map[string]any{"title": "一", "method": "approval"})
	ta.createPoll(t, meetingPolls(pf.meeting), map[string]any{"title": "二", "method": "approval"})
	wantStatus(t, ta.vote(a, ta.fx.Resident, map[string]any{"choice": "yes"}), http.StatusCreated)
	for _, path := range []string{meetingPolls(pf.meeting), fmt.Sprintf("/api/v1/cycles/%d/polls", pf.cycle.ID)} {
		rec := ta.do(req{method: "GET", path: path, as: ta.fx.Resident})
		wantStatus(t, rec, http.StatusOK)
		list := decode[itemsPage[pollView]](t, rec).Items
		if len(list) != 2 || list[0].ID != a.ID || !list[0].Me.Voted || list[0].Me.CanVote != true || list[1].Status != "draft" ||
			list[1].Me.CanVote || list[0].Me.CanManage {
			t.Fatalf("%s: %+v", path, list)
		}
	}
	wantProblem(t, ta.do(req{method: "GET", path: meetingPolls(pf.meeting), as: ta.fx.ResidentB}), http.StatusNotFound, "not_found")
}

// TestI18n_PollRules: the rules the counting code and the poll models name in computed field
// errors (which TestI18n_Catalog cannot see) have messages in both languages, and so do their
// fields.
func TestI18n_PollRules(t *testing.T) {
	t.Parallel()
	need := map[string]bool{}
	for _, pattern := range []string{"../models/tally/*.go", "../models/poll*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", pattern, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(`invalid\("([a-z_]+)", "([a-z_]+)"\)`).FindAllStringSubmatch(string(b), -1) {
				need["field."+m[1]], need["rule."+m[2]] = true, true
			}
			for _, m := range regexp.MustCompile(`fieldErr\([^\n]*?, "([a-z_]+)"\)`).FindAllStringSubmatch(string(b), -1) {
				need["rule."+m[1]] = true
			}
			for _, m := range regexp.MustCompile(`field\("([a-z_]+)"\)`).FindAllStringSubmatch(string(b), -1) {
				need["field.options."+m[1]] = true
			}
		}
	}
	if len(need) < 30 {
		t.Fatalf("found only %d keys; the patterns are broken", len(need))
	}
	for k := range need {
		for _, loc := range []string{LocaleZH, LocaleEN} {
			if _, ok := catalog[loc][k]; !ok {
				t.Errorf("%q has no %s message", k, loc)
			}
		}
	}
}
