package models

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Where a result comes from.
const (
	ResultSourceLive   = "live"   // computed now from the running totals
	ResultSourceClosed = "closed" // computed at close and stored with the poll.closed event
)

// storedResult is what a poll keeps at close: the figures it was computed from and the result;
// for an owners' poll also its scope and the base frozen at its open.
type storedResult struct {
	ComputedAt time.Time      `json:"computed_at"`
	Input      tally.Input    `json:"input"`
	Result     tally.Result   `json:"result"`
	OwnerBase  *OwnerPollBase `json:"owner_base,omitempty"`
}

func (r *storedResult) encode() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	return string(b), nil
}

// ResultOption is one option of a result as a caller sees it: tally.OptionResult, the one
// definition of an option's figures, and whether the poll's visibility hides its counts from the
// caller. Hidden counts are zero here and null in the JSON (ResultOption and WallPollOption in
// handlers/openapi.yaml); the wall's options (WallPoll) leave out supporters and areas.
type ResultOption struct {
	tally.OptionResult
	Hidden bool
	wall   bool
}

// MarshalJSON writes the option with its key always (the stored result omits an empty one), its
// counts or nulls, and its areas when an owners' poll has them and they are shown.
func (o ResultOption) MarshalJSON() ([]byte, error) {
	count := func(v any) any {
		if o.Hidden {
			return nil
		}
		return v
	}
	type field struct {
		name  string
		value any
	}
	fields := []field{{"id", o.ID}, {"key", o.Key}, {"label", o.Label}, {"online", count(o.Online)},
		{"offline", count(o.Offline)}, {"total", count(o.Total)}, {"share", count(o.Share)}}
	if !o.wall {
		fields = append(fields, field{"supporters", count(o.Supporters)})
	}
	fields = append(fields, field{"rank", count(o.Rank)})
	if !o.wall && !o.Hidden {
		for _, a := range []field{{"online_area", o.OnlineArea}, {"offline_area", o.OfflineArea}, {"total_area", o.TotalArea}} {
			if a.value.(*float64) != nil {
				fields = append(fields, a)
			}
		}
	}
	b := make([]byte, 0, 192)
	for i, f := range fields {
		b = append(b, ',')
		if i == 0 {
			b[0] = '{'
		}
		b = strconv.AppendQuote(b, f.name)
		b = append(b, ':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an option as MarshalJSON writes it: null counts are hidden ones, and an
// option with some counts null and others not is refused.
func (o *ResultOption) UnmarshalJSON(b []byte) error {
	var probe struct {
		Online, Offline, Total, Share, Rank, Supporters json.RawMessage
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	nulls := 0
	for _, c := range [][]byte{probe.Online, probe.Offline, probe.Total, probe.Share, probe.Rank} {
		if len(c) == 0 || string(c) == "null" {
			nulls++
		}
	}
	if nulls != 0 && nulls != 5 || nulls == 5 && len(probe.Supporters) > 0 && string(probe.Supporters) != "null" {
		return fmt.Errorf("result option %s: some counts hidden, some not", b)
	}
	o.OptionResult = tally.OptionResult{}
	if err := json.Unmarshal(b, &o.OptionResult); err != nil {
		return err
	}
	o.Hidden = nulls == 5
	return nil
}

// PollResult is a poll's result for one caller (GET /polls/:id/results in handlers/openapi.yaml): voters,
// eligible, turnout and quorum always; the counts per option, the decision and whether the motion
// passed only when the poll's visibility lets the caller see them.
type PollResult struct {
	PollID        uint64    `json:"poll_id"`
	Status        string    `json:"status"`
	Method        string    `json:"method"`
	Rule          string    `json:"rule"`
	Source        string    `json:"source"`
	ComputedAt    time.Time `json:"computed_at"`
	ClosedEventID *uint64   `json:"closed_event_id"`
	CountsVisible bool      `json:"counts_visible"`
	Voters        int64     `json:"voters"`
	OnlineVoters  int64     `json:"online_voters"`
	OfflineVoters int64     `json:"offline_voters"`
	Eligible      int64     `json:"eligible"`
	Turnout       *float64  `json:"turnout"`
	Quorum        int64     `json:"quorum"`
	QuorumMet     bool      `json:"quorum_met"`
	// QuorumReason names the quorum a result missed: meeting_quorum (a motion voted while fewer
	// were signed in than the meeting's quorum; judged at the close), poll_quorum or
	// owners_participation; empty when quorate.
	QuorumReason string          `json:"quorum_reason,omitempty"`
	Passed       *bool           `json:"passed"`
	Options      []ResultOption  `json:"options"`
	Decision     *tally.Decision `json:"decision"`
	// OwnerBase is an owners' poll's scope and the base it is measured against (frozen at the
	// open; the register's now for a draft); null for other polls.
	OwnerBase *OwnerPollBase `json:"owner_base"`
	// SmallCounts warns, on a closed secret poll, that its totals could give a choice away: an
	// option chosen by fewer than MinSecretCount voters, or by every voter.
	SmallCounts bool     `json:"small_counts"`
	Recount     *Recount `json:"recount,omitempty"`
}

// Recount is the committee's check: the result computed again from the stored ballots and the
// offline tallies (not from the running totals), and whether it equals the result shown. A secret
// poll keeps no ballots (docs/ballot-secrecy.md): its recount checks the receipts against the
// voters its tallies counted, and NotRederived says what it took as it stands.
type Recount struct {
	// Ballots are the named ballot rows recounted (0 for a secret poll, which has none).
	Ballots  int64 `json:"ballots"`
	Receipts int64 `json:"receipts"`
	// CountedVoters are the online voters the running tallies hold.
	CountedVoters int64 `json:"counted_voters"`
	// NotRederived names what this poll's recount cannot compute again, by design.
	NotRederived []RecountLimit `json:"not_rederived"`
	Matches      bool           `json:"matches"`
	// Differences name each figure that differs, for a person to follow up.
	Differences []string     `json:"differences"`
	Result      tally.Result `json:"result"`
}

// RecountLimit is one thing a recount takes as it stands: a stable code and, in the answer, its
// explanation in the caller's language.
type RecountLimit struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func newPollResult(p *Poll, r tally.Result, visible bool) *PollResult {
	out := &PollResult{PollID: p.ID, Status: p.Status, Method: p.Method, Rule: p.Rule, CountsVisible: visible,
		ClosedEventID: p.ClosedEventID, Voters: r.Voters, OnlineVoters: r.OnlineVoters, OfflineVoters: r.OfflineVoters,
		Eligible: r.Eligible, Turnout: r.Turnout, Quorum: r.Quorum, QuorumMet: r.QuorumMet, QuorumReason: r.QuorumReason,
		Options: []ResultOption{}}
	for _, o := range r.Options {
		ro := ResultOption{OptionResult: o, Hidden: !visible}
		if !visible {
			// Hidden counts are not merely unwritten: they are not in the value either.
			ro.OptionResult = tally.OptionResult{ID: o.ID, Key: o.Key, Label: o.Label}
		}
		out.Options = append(out.Options, ro)
	}
	if visible {
		out.Passed, out.Decision = r.Passed, r.Decision
	}
	return out
}

// offlineSupporters: an offline count of an approval, single or multiple choice poll is people
// choosing the option; of the other methods it is points, which say nothing about how many.
func offlineSupporters(method string, points int64) int64 {
	switch method {
	case tally.Approval, tally.Single, tally.Multi:
		return points
	}
	return 0
}

// onlineVoters sums a poll's voter counts over its tally rows.
func onlineVoters(db *gorm.DB, pollID uint64) (int64, error) {
	var n int64
	if err := db.Model(&pollOptionTally{}).Select("COALESCE(SUM(online_voters), 0)").Where("poll_id = ?", pollID).
		Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("read voters of poll %d: %w", pollID, err)
	}
	return n, nil
}

// onlineTallies sums the shards of a poll's running tallies per option.
func onlineTallies(db *gorm.DB, pollID uint64) (map[uint64]tally.Line, error) {
	var rows []struct {
		OptionID                                   uint64
		OnlinePoints, OnlineSupporters, OnlineArea int64
	}
	if err := db.Model(&pollOptionTally{}).Select(`option_id, SUM(online_points) AS online_points,
		SUM(online_supporters) AS online_supporters, SUM(online_area) AS online_area`).
		Where("poll_id = ?", pollID).Group("option_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read tallies of poll %d: %w", pollID, err)
	}
	out := make(map[uint64]tally.Line, len(rows))
	for _, r := range rows {
		out[r.OptionID] = tally.Line{Points: r.OnlinePoints, Supporters: r.OnlineSupporters, Area: r.OnlineArea}
	}
	return out, nil
}

// paperTallies sums the paper ballots an owners' poll's tallies hold per option, with the owners
// they stand for.
func paperTallies(db *gorm.DB, pollID uint64) (map[uint64]tally.Line, int64, error) {
	var rows []struct {
		OptionID                                  uint64
		OfflinePoints, OfflineArea, OfflineVoters int64
	}
	if err := db.Model(&pollOptionTally{}).Select(`option_id, SUM(offline_points) AS offline_points,
		SUM(offline_area) AS offline_area, SUM(offline_voters) AS offline_voters`).
		Where("poll_id = ?", pollID).Group("option_id").Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("read paper tallies of poll %d: %w", pollID, err)
	}
	out := make(map[uint64]tally.Line, len(rows))
	var voters int64
	for _, r := range rows {
		out[r.OptionID] = tally.Line{Points: r.OfflinePoints, Supporters: r.OfflinePoints, Area: r.OfflineArea}
		voters += r.OfflineVoters
	}
	return out, voters, nil
}

// currentResult is a poll's result as it stands: the one stored at its close, or else computed
// at now from the running totals (with an owners' poll's base), and which of the two it is.
func currentResult(db *gorm.DB, p *Poll, now time.Time) (storedResult, string, error) {
	var sr storedResult
	if p.Status == PollClosed && p.Result != nil {
		if err := json.Unmarshal([]byte(*p.Result), &sr); err != nil {
			return sr, "", fmt.Errorf("decode result of poll %d: %w", p.ID, err)
		}
		return sr, ResultSourceClosed, nil
	}
	in, err := resultInput(db, db, p)
	if err != nil {
		return sr, "", err
	}
	sr = storedResult{ComputedAt: now, Input: *in, Result: tally.Compute(*in)}
	if p.Eligibility == EligibleOwners {
		if sr.OwnerBase, err = pollOwnerBase(db, p); err != nil {
			return sr, "", err
		}
	}
	return sr, ResultSourceLive, nil
}

// resultInput gathers what a result is computed from: the running tallies and voter counts (read
// through tallies, which may lock them), the options' offline counts (already loaded on p), and
// who may vote and who signed in, as of now.
func resultInput(db, tallies *gorm.DB, p *Poll) (*tally.Input, error) {
	pl, err := readPollPlace(db, p)
	if err != nil {
		return nil, err
	}
	online, err := onlineVoters(tallies, p.ID)
	if err != nil {
		return nil, err
	}
	lines, err := onlineTallies(tallies, p.ID)
	if err != nil {
		return nil, err
	}
	paper, paperVoters, err := paperTallies(tallies, p.ID)
	if err != nil {
		return nil, err
	}
	in := &tally.Input{Method: p.Method, Rule: p.Rule, Quorum: int64(p.Quorum), OnlineVoters: online,
		OfflineVoters: p.OfflineVoters + paperVoters, Options: make([]tally.OptionInput, 0, len(p.Options))}
	if p.Eligibility == EligibleOwners {
		if err := ownerInput(db, p, in); err != nil {
			return nil, err
		}
	} else if in.Eligible, err = eligibleCount(db, p, pl); err != nil {
		return nil, err
	}
	if p.MeetingID != nil {
		if err := db.Model(&Attendance{}).Where("meeting_id = ?", *p.MeetingID).Count(&in.Attendees).Error; err != nil {
			return nil, fmt.Errorf("count attendees of poll %d: %w", p.ID, err)
		}
		var q []int64
		if err := db.Model(&Meeting{}).Where("id = ?", *p.MeetingID).Pluck("quorum", &q).Error; err != nil {
			return nil, fmt.Errorf("read quorum of poll %d's meeting: %w", p.ID, err)
		}
		if len(q) == 1 {
			in.MeetingQuorum = q[0]
		}
	}
	for _, o := range p.Options {
		pp := paper[o.ID]
		in.Options = append(in.Options, tally.OptionInput{ID: o.ID, Key: o.OptionKey, Label: o.Label, Online: lines[o.ID],
			Offline: tally.Line{Points: o.OfflinePoints + pp.Points, Supporters: offlineSupporters(p.Method, o.OfflinePoints) + pp.Supporters,
				Area: o.OfflineArea + pp.Area}})
	}
	return in, nil
}

// PollResults returns a poll's result to a member: live from the running totals while it is open
// (O(options), however many ballots), the stored one once it is closed. The counts show as the
// poll's visibility allows the caller: live to everyone, after_vote once the caller (or their
// household) voted, after_close to no one before the close. With recount, facilitators, admins
// and the committee also get the result computed again from the ballot rows, to compare; it
// needs the counts to be visible to them (409 results_hidden otherwise).
func (s *Store) PollResults(ctx context.Context, a Actor, id uint64, recount bool) (*PollResult, error) {
	var out *PollResult
	// One read transaction: the running totals, the stored result and the ballots of a recount are
	// read from one snapshot, so a ballot committed meanwhile cannot make them differ.
	err := s.rdb(ctx).Transaction(func(db *gorm.DB) error {
		p, err := findPoll(db, id)
		if err != nil {
			return err
		}
		acc, err := access(db, a, p.CommunityID)
		if err != nil {
			return err
		}
		if recount && !acc.Has(pollAuditors...) {
			return errForbidden
		}
		voted := false
		f, err := readBallotFacts(db, p, a.UserID)
		if err != nil {
			return err
		}
		if v, err := voterOf(p, f, a); err == nil {
			if voted, err = hasReceipt(db, p.ID, v.Key); err != nil {
				return err
			}
		} else if ErrorCode(err) == EINTERNAL {
			return err
		}
		visible := p.countsVisible(voted)
		sr, source, err := currentResult(db, p, s.now())
		if err != nil {
			return err
		}
		out = newPollResult(p, sr.Result, visible)
		out.Source, out.ComputedAt, out.OwnerBase = source, sr.ComputedAt, sr.OwnerBase
		out.SmallCounts = p.Secrecy == SecrecySecret && p.Status == PollClosed && smallCounts(sr.Result)
		if !recount {
			return nil
		}
		if !visible {
			return Errorf(ECONFLICT, "results_hidden")
		}
		out.Recount, err = recountPoll(db, p, sr)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// recountPoll counts the poll again from its ballot rows, receipts and offline tallies — never
// the running totals — with the same eligibility figures as the result it is compared with.
func recountPoll(db *gorm.DB, p *Poll, shown storedResult) (*Recount, error) {
	rc := &Recount{Differences: []string{}, NotRederived: []RecountLimit{}}
	online := tally.Totals{}
	var err error
	if rc.CountedVoters, err = onlineVoters(db, p.ID); err != nil {
		return nil, err
	}
	if p.Secrecy == SecrecySecret {
		// No ballot to count again: the tallies are all there is.
		lines, err := onlineTallies(db, p.ID)
		if err != nil {
			return nil, err
		}
		for id, l := range lines {
			online[id] = l
		}
		rc.NotRederived = append(rc.NotRederived, RecountLimit{Code: NotRederivedSecretChoices})
	} else if err := recountNamed(db, p, online, rc); err != nil {
		return nil, err
	}
	if err := db.Model(&pollReceipt{}).Where("poll_id = ?", p.ID).Count(&rc.Receipts).Error; err != nil {
		return nil, fmt.Errorf("count receipts of poll %d: %w", p.ID, err)
	}
	offline, offlineArea, offlineVoters, err := offlineSums(db, p.ID)
	if err != nil {
		return nil, err
	}
	if p.Eligibility == EligibleOwners {
		paperVoters, err := recountPaper(db, p, offline, offlineArea, rc)
		if err != nil {
			return nil, err
		}
		offlineVoters += paperVoters
	}
	in := shown.Input
	in.Options = make([]tally.OptionInput, len(shown.Input.Options))
	copy(in.Options, shown.Input.Options)
	in.OnlineVoters, in.OfflineVoters = rc.Receipts, offlineVoters
	for i, o := range in.Options {
		in.Options[i].Online = online[o.ID]
		in.Options[i].Offline = tally.Line{Points: offline[o.ID], Supporters: offlineSupporters(p.Method, offline[o.ID]),
			Area: offlineArea[o.ID]}
	}
	rc.Result = tally.Compute(in)
	diff := func(what string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			rc.Differences = append(rc.Differences, fmt.Sprintf("%s: shown %v, recounted %v", what, a, b))
		}
	}
	if p.Secrecy == SecrecySecret {
		diff("receipts against counted voters", rc.Receipts, rc.CountedVoters)
	} else {
		diff("ballots against receipts", rc.Receipts, rc.Ballots)
	}
	diff("online voters", shown.Input.OnlineVoters, in.OnlineVoters)
	diff("offline voters", shown.Input.OfflineVoters, in.OfflineVoters)
	for i, o := range shown.Input.Options {
		diff(fmt.Sprintf("option %d online", o.ID), o.Online, in.Options[i].Online)
		diff(fmt.Sprintf("option %d offline", o.ID), o.Offline, in.Options[i].Offline)
	}
	if !reflect.DeepEqual(shown.Result, rc.Result) {
		rc.Differences = append(rc.Differences, "result: the recounted result differs from the one shown")
	}
	rc.Matches = len(rc.Differences) == 0
	return rc, nil
}

// recountNamed adds a named poll's ballot rows into online, counting them in rc.
func recountNamed(db *gorm.DB, p *Poll, online tally.Totals, rc *Recount) error {
	var after uint64
	for {
		var rows []namedBallot
		if err := db.Select("id", "choice", "area").Where("poll_id = ? AND id > ?", p.ID, after).
			Order("id").Limit(5000).Find(&rows).Error; err != nil {
			return fmt.Errorf("read ballots of poll %d: %w", p.ID, err)
		}
		for _, r := range rows {
			pts, err := decodePoints(r.Choice)
			if err != nil {
				return err
			}
			online.Add(pts, r.Area)
			rc.Ballots++
		}
		if len(rows) < 5000 {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
