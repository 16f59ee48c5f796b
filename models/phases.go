package models

import "slices"

// Step is one kind of change to a cycle or to something in it. Every operation that changes a
// cycle's topics, cards, meetings, seats, attendance, speakers, groups, polls or resolutions
// names its step and asks stepRules whether the cycle's phase (and, for a meeting's step, the
// meeting's status) allows it. docs/phases.md explains the table in words.
type Step string

// The steps, in the order of the cycle.
const (
	StepProposeTopic    Step = "propose_topic"    // a resident proposes, staff type in an offline topic
	StepEndorse         Step = "endorse"          // 附议 and its withdrawal
	StepTriageTopic     Step = "triage_topic"     // shortlist, reject, reopen, merge
	StepSelectTopic     Step = "select_topic"     // the facilitator records the cycle's topic
	StepTopicPoll       Step = "topic_poll"       // the cycle's topic vote: draft, open, ballots, room counts
	StepSubmitCard      Step = "submit_card"      // online and paper cards
	StepTableCard       Step = "table_card"       // cards written at the table
	StepWithdrawCard    Step = "withdraw_card"    // an author withdraws their card
	StepModerateCard    Step = "moderate_card"    // hide or restore a card
	StepReportCard      Step = "report_card"      // a member reports a card
	StepScheduleMeeting Step = "schedule_meeting" // a round table is scheduled
	StepStartMeeting    Step = "start_meeting"
	StepEndMeeting      Step = "end_meeting" // with its minutes
	StepPrepareMeeting  Step = "prepare_meeting"
	StepCheckIn         Step = "check_in" // staff sign someone in (代签到)
	StepJoin            Step = "join"     // a member signs in with the code or the wall's QR
	StepSpeak           Step = "speak"    // ask to speak, withdraw the hand
	StepChair           Step = "chair"    // give and end the floor, move along the agenda
	StepGroupCards      Step = "group_cards"
	StepMeetingPoll     Step = "meeting_poll" // a meeting's vote: draft, open, ballots, room counts
	StepOwnersPoll      Step = "owners_poll"  // an owners' ballot: draft, open, ballots, paper counts
	StepClosePoll       Step = "close_poll"
	StepResolve         Step = "resolve" // draft a resolution, record the owners' decision
	StepSign            Step = "sign"    // 签字 on a resolution
)

// stepRule is when a step may be taken: in which phases of the cycle and, for a step on a
// meeting, in which statuses of the meeting (none for a step that concerns no meeting).
type stepRule struct {
	phases  []string
	meeting []string
}

var (
	collecting    = []string{PhaseCardCollection, PhaseRoundTable}
	atTable       = []string{PhaseRoundTable}
	tableOrAfter  = []string{PhaseRoundTable, PhaseResolved}
	notArchived   = []string{PhasePlanning, PhaseTopicCollection, PhaseTopicSelection, PhaseCardCollection, PhaseRoundTable, PhaseResolved, PhaseCancelled}
	beforeTheEnd  = []string{MeetingScheduled, MeetingStarted}
	whileRunning  = []string{MeetingStarted}
	whileAwaiting = []string{MeetingScheduled}
)

// stepRules is the one table of what each phase and meeting status allows. A meeting runs only
// while its cycle holds the round table: it starts then (a cycle still collecting cards moves to
// the round table as it starts), and the cycle cannot leave the round table while one of its
// meetings runs (AdvanceCycle). A closed cycle is an archive and allows nothing; a cancelled one
// still lets a card be hidden or reported and an open vote be ended.
var stepRules = map[Step]stepRule{
	StepProposeTopic:    {phases: []string{PhaseTopicCollection}},
	StepEndorse:         {phases: []string{PhaseTopicCollection}},
	StepTriageTopic:     {phases: []string{PhaseTopicCollection, PhaseTopicSelection}},
	StepSelectTopic:     {phases: []string{PhaseTopicSelection}},
	StepTopicPoll:       {phases: []string{PhaseTopicSelection}},
	StepSubmitCard:      {phases: collecting},
	StepTableCard:       {phases: atTable},
	StepWithdrawCard:    {phases: collecting},
	StepModerateCard:    {phases: notArchived},
	StepReportCard:      {phases: notArchived},
	StepScheduleMeeting: {phases: collecting},
	// A meeting is prepared (seats, projector, display link) and staff sign people in at the
	// door before it starts; members sign themselves in, speak and group cards only while it runs.
	StepStartMeeting:   {phases: collecting, meeting: whileAwaiting},
	StepPrepareMeeting: {phases: collecting, meeting: beforeTheEnd},
	StepCheckIn:        {phases: collecting, meeting: beforeTheEnd},
	StepJoin:           {phases: atTable, meeting: whileRunning},
	StepSpeak:          {phases: atTable, meeting: whileRunning},
	StepChair:          {phases: atTable, meeting: whileRunning},
	StepGroupCards:     {phases: atTable, meeting: whileRunning},
	StepMeetingPoll:    {phases: atTable, meeting: beforeTheEnd},
	// A meeting that was left running when its cycle moved on (before this table) can still be
	// ended while the cycle forms its resolutions.
	StepEndMeeting: {phases: tableOrAfter, meeting: whileRunning},
	// An owners' ballot can take weeks after the meeting.
	StepOwnersPoll: {phases: tableOrAfter},
	StepClosePoll:  {phases: notArchived},
	StepResolve:    {phases: tableOrAfter},
	// Signing goes on after the meeting; who may sign is decided by the sign-in (SignResolution).
	StepSign: {phases: tableOrAfter},
}

// allowStep says whether a step may be taken in a cycle's phase and, for a meeting's step, in
// the meeting's status. A closed cycle refuses everything with 409 cycle_archived; a meeting in
// the wrong status with the meeting's own reason (the more precise one); a phase that does not
// allow the step with 409 phase_closed naming the phase.
func allowStep(s Step, phase, meetingStatus string) error {
	r, ok := stepRules[s]
	if !ok {
		panic("models: no rule for step " + string(s))
	}
	if err := requireNotArchived(phase); err != nil {
		return err
	}
	if r.meeting != nil && !slices.Contains(r.meeting, meetingStatus) {
		return meetingStateError(meetingStatus)
	}
	if !slices.Contains(r.phases, phase) {
		return phaseError(phase)
	}
	return nil
}

// requireNotArchived refuses any change in a closed cycle (409 cycle_archived), for operations
// that check their object's own state before their step.
func requireNotArchived(phase string) error {
	if phase == PhaseClosed {
		return (&Error{Code: ECONFLICT, Reason: "cycle_archived"}).With("phase", phase)
	}
	return nil
}

// allow checks a step that concerns no meeting against the cycle's phase.
func (c *Cycle) allow(s Step) error { return allowStep(s, c.Phase, "") }

// allowMeeting checks a meeting's step against the cycle's phase and the meeting's status.
func (c *Cycle) allowMeeting(s Step, m *Meeting) error { return allowStep(s, c.Phase, m.Status) }
