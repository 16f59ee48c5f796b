package models

import (
	"context"
	"fmt"
	"time"
)

// Minutes 会议纪要 are a meeting's record as one document (docs/paper.md "The minutes"): who was
// there and at which seats, the agenda, the speeches by stance, the card groups, the polls with
// their results and rules, the resolutions with the minority's view and the signatures, and the
// facilitator's summary. They are read from the record, never stored apart from it; once the
// meeting has ended (Final) nothing of the meeting changes them but a resolution's review, the
// minority's view and signatures, which are part of the record too.
type Minutes struct {
	MeetingID   uint64     `json:"meeting_id"`
	CycleID     uint64     `json:"cycle_id"`
	CommunityID uint64     `json:"community_id"`
	Title       string     `json:"title"`
	Location    string     `json:"location"`
	StartsAt    time.Time  `json:"starts_at"`
	StartedAt   *time.Time `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at"`
	Status      string     `json:"status"`
	// Final: the meeting ended, so these are its minutes of record.
	Final     bool   `json:"final"`
	Topic     string `json:"topic"`
	Community string `json:"community"`
	Compound  string `json:"compound"`
	Quorum    int    `json:"quorum"`
	// AttendeeCount is how many signed in; Attendees names them for facilitators, admins and the
	// committee (NamesVisible), as the attendance list does.
	AttendeeCount int64             `json:"attendee_count"`
	QuorumMet     bool              `json:"quorum_met"`
	NamesVisible  bool              `json:"names_visible"`
	Attendees     []MinutesAttendee `json:"attendees"`
	Seats         []MinutesSeat     `json:"seats"`
	Agenda        []AgendaItem      `json:"agenda"`
	Speeches      []MinutesSpeech   `json:"speeches"`
	Groups        []WallGroup       `json:"groups"`
	Polls         []MinutesPoll     `json:"polls"`
	Resolutions   []Resolution      `json:"resolutions"`
	Summary       string            `json:"summary"`
}

// MinutesAttendee is one sign-in.
type MinutesAttendee struct {
	Name        string    `json:"name"`
	Method      string    `json:"method"`
	CheckedInAt time.Time `json:"checked_in_at"`
}

// MinutesSeat is a stakeholder seat and whether its invitee came.
type MinutesSeat struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Name    string `json:"name"`
	Present bool   `json:"present"`
}

// MinutesSpeech is a speech given: who (masked for those who may not see attendees' names), the
// stance, the agenda item and when.
type MinutesSpeech struct {
	Name           string     `json:"name"`
	Stance         string     `json:"stance"`
	AgendaPosition int        `json:"agenda_position"`
	StartedAt      *time.Time `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
}

// MinutesPoll is a poll of the meeting with its rule and, once it may be shown, its result.
type MinutesPoll struct {
	ID      uint64      `json:"id"`
	Title   string      `json:"title"`
	Method  string      `json:"method"`
	Rule    string      `json:"rule"`
	Secrecy string      `json:"secrecy"`
	Status  string      `json:"status"`
	Result  *PollResult `json:"result"`
}

// MeetingMinutes reads a meeting's minutes for a member of its community. Each part is read
// through the route that shows it, so it shows exactly what that route shows the reader: names
// of attendees and signatories to facilitators, admins and the committee, poll figures only when
// they may be shown, never a card's author.
func (s *Store) MeetingMinutes(ctx context.Context, a Actor, meetingID uint64) (*Minutes, error) {
	m, err := s.GetMeeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	out := &Minutes{MeetingID: m.ID, CycleID: m.CycleID, CommunityID: m.CommunityID, Title: m.Title, Location: m.Location,
		StartsAt: m.StartsAt, StartedAt: m.StartedAt, EndedAt: m.EndedAt, Status: m.Status, Final: m.Status == MeetingEnded,
		Quorum: m.Quorum, Agenda: m.Agenda, Summary: m.Summary, Attendees: []MinutesAttendee{}, Seats: []MinutesSeat{},
		Speeches: []MinutesSpeech{}, Polls: []MinutesPoll{}, Resolutions: []Resolution{}}
	if out.Agenda == nil {
		out.Agenda = []AgendaItem{}
	}
	var place struct{ Topic, Community, Compound string }
	if err := db.Table("cycles").Select("COALESCE(topics.title, '') AS topic, communities.name AS community, compounds.name AS compound").
		Joins("JOIN communities ON communities.id = cycles.community_id").
		Joins("JOIN compounds ON compounds.id = cycles.compound_id").
		Joins("LEFT JOIN topics ON topics.id = cycles.selected_topic_id").
		Where("cycles.id = ?", m.CycleID).Take(&place).Error; err != nil {
		return nil, fmt.Errorf("read cycle of meeting %d: %w", m.ID, err)
	}
	out.Topic, out.Community, out.Compound = place.Topic, place.Community, place.Compound

	att, err := s.ListAttendance(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	out.AttendeeCount, out.QuorumMet, out.NamesVisible = att.Count, att.QuorumMet, att.NamesVisible
	for _, x := range att.Items {
		out.Attendees = append(out.Attendees, MinutesAttendee{Name: x.Name, Method: x.Method, CheckedInAt: x.CreatedAt})
	}
	seats, err := s.ListSeats(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	for _, st := range seats.Items {
		name := st.Name
		if st.OrganizationName != "" && name == "" {
			name = st.OrganizationName
		}
		out.Seats = append(out.Seats, MinutesSeat{Kind: st.Kind, Label: st.Label, Name: name,
			Present: seats.PresenceVisible && st.CheckedInAt != nil})
	}
	var done []SpeakerSlot
	if err := slotQuery(db).Where("speaker_slots.meeting_id = ? AND speaker_slots.started_at IS NOT NULL", meetingID).
		Order("speaker_slots.started_at, speaker_slots.id").Find(&done).Error; err != nil {
		return nil, fmt.Errorf("read speeches of meeting %d: %w", meetingID, err)
	}
	for _, sl := range done {
		name := sl.Name
		if !out.NamesVisible {
			name = maskName(name)
		}
		out.Speeches = append(out.Speeches, MinutesSpeech{Name: name, Stance: sl.Stance, AgendaPosition: sl.AgendaPosition,
			StartedAt: sl.StartedAt, EndedAt: sl.EndedAt})
	}
	if out.Groups, _, err = wallGroups(db, m); err != nil {
		return nil, err
	}
	polls, err := s.ListMeetingPolls(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	for _, p := range polls {
		mp := MinutesPoll{ID: p.ID, Title: p.Title, Method: p.Method, Rule: p.Rule, Secrecy: p.Secrecy, Status: p.Status}
		if p.Status == PollClosed {
			if mp.Result, err = s.PollResults(ctx, a, p.ID, false); err != nil {
				return nil, err
			}
		}
		out.Polls = append(out.Polls, mp)
	}
	rs, err := s.ListCycleResolutions(ctx, a, m.CycleID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.MeetingID == m.ID {
			out.Resolutions = append(out.Resolutions, r)
		}
	}
	return out, nil
}
