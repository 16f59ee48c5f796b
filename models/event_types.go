package models

import (
	"time"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// EventType names what an event says happened (docs/architecture.md "The event log"). Every
// type the log holds is a constant of this file, so that a writer, the wall's filter or a test
// that misspells one does not compile. It is a string type: an untyped string constant
// (`EvItemCreated = "item.created"`) is an EventType wherever one is expected, and the type is
// stored and hashed as the plain string it always was.
type EventType string

// The event types, by subject. A new one is added here, to AllEventTypes, and given a payload
// struct below.
const (
	EvCommunityCreated    EventType = "community.created"
	EvCommunityUpdated    EventType = "community.updated"
	EvCompoundCreated     EventType = "compound.created"
	EvBuildingCreated     EventType = "building.created"
	EvHouseholdCreated    EventType = "household.created"
	EvOrganizationCreated EventType = "organization.created"

	EvHouseholdOwnerSet     EventType = "household_owner.set"
	EvHouseholdOwnerChanged EventType = "household_owner.changed"
	EvHouseholdOwnerCleared EventType = "household_owner.cleared"

	EvMemberRegistered         EventType = "member.registered"
	EvMemberAdded              EventType = "member.added"
	EvMemberInvited            EventType = "member.invited"
	EvMemberInvitationDeclined EventType = "member.invitation_declined"
	EvMemberRenamed            EventType = "member.renamed"
	EvMemberLeft               EventType = "member.left"
	EvMemberUpdated            EventType = "member.updated"
	EvMemberRolesChanged       EventType = "member.roles_changed"
	EvMemberVerified           EventType = "member.verified"
	EvMemberUnverified         EventType = "member.unverified"
	EvMemberPasswordChanged    EventType = "member.password_changed"
	EvMemberPasswordReset      EventType = "member.password_reset"
	EvMemberPasswordResetIssue EventType = "member.password_reset_issued"

	EvCycleCreated       EventType = "cycle.created"
	EvCycleAdvanced      EventType = "cycle.advanced"
	EvCycleCancelled     EventType = "cycle.cancelled"
	EvCycleTopicSelected EventType = "cycle.topic_selected"

	EvTopicProposed             EventType = "topic.proposed"
	EvTopicEndorsed             EventType = "topic.endorsed"
	EvTopicEndorsementWithdrawn EventType = "topic.endorsement_withdrawn"
	EvTopicReopened             EventType = "topic.reopened"
	EvTopicShortlisted          EventType = "topic.shortlisted"
	EvTopicRejected             EventType = "topic.rejected"
	EvTopicMerged               EventType = "topic.merged"
	EvTopicCarried              EventType = "topic.carried"

	EvCardCreated            EventType = "card.created"
	EvCardWithdrawn          EventType = "card.withdrawn"
	EvCardHidden             EventType = "card.hidden"
	EvCardRestored           EventType = "card.restored"
	EvCardReported           EventType = "card.reported"
	EvCardCorrected          EventType = "card.corrected"
	EvCardGrouped            EventType = "card.grouped"
	EvCardUngrouped          EventType = "card.ungrouped"
	EvCardPolled             EventType = "card.polled"
	EvCardPollClosed         EventType = "card.poll_closed"
	EvCardResolved           EventType = "card.resolved"
	EvCardResolutionAdopted  EventType = "card.resolution_adopted"
	EvCardResolutionRejected EventType = "card.resolution_rejected"

	EvClusterCreated   EventType = "cluster.created"
	EvClusterRenamed   EventType = "cluster.renamed"
	EvClusterReordered EventType = "cluster.reordered"
	EvClusterDissolved EventType = "cluster.dissolved"

	EvMeetingScheduled           EventType = "meeting.scheduled"
	EvMeetingStarted             EventType = "meeting.started"
	EvMeetingEnded               EventType = "meeting.ended"
	EvMeetingDisplayTokenRenewed EventType = "meeting.display_token_renewed"
	EvMeetingItemChanged         EventType = "meeting.item_changed"
	EvAttendanceCheckedIn        EventType = "attendance.checked_in"
	EvProjectorChanged           EventType = "projector.changed"

	EvSeatInvited EventType = "seat.invited"
	EvSeatChanged EventType = "seat.changed"
	EvSeatRemoved EventType = "seat.removed"

	EvSpeakerAsked     EventType = "speaker.asked"
	EvSpeakerStarted   EventType = "speaker.started"
	EvSpeakerFinished  EventType = "speaker.finished"
	EvSpeakerWithdrawn EventType = "speaker.withdrawn"

	EvPollCreated            EventType = "poll.created"
	EvPollOpened             EventType = "poll.opened"
	EvPollBallotCast         EventType = "poll.ballot_cast"
	EvPollBallotChanged      EventType = "poll.ballot_changed"
	EvPollPaperBallotEntered EventType = "poll.paper_ballot_entered"
	EvPollPaperBallotVoided  EventType = "poll.paper_ballot_voided"
	EvPollOfflineTallySet    EventType = "poll.offline_tally_set"
	EvPollClosed             EventType = "poll.closed"

	EvResolutionDrafted                EventType = "resolution.drafted"
	EvResolutionOwnersDecisionRecorded EventType = "resolution.owners_decision_recorded"
	EvResolutionAdopted                EventType = "resolution.adopted"
	EvResolutionRejected               EventType = "resolution.rejected"
	EvResolutionSigned                 EventType = "resolution.signed"
	// A draft's title or text corrected, or the minority's view recorded (docs/paper.md).
	EvResolutionAmended EventType = "resolution.amended"

	// The follow-through (docs/follow-through.md "Events").
	EventResolutionPublicized   EventType = "resolution.publicized"
	EventResolutionImplementing EventType = "resolution.implementing"
	EventResolutionEvaluating   EventType = "resolution.evaluating"
	EventResolutionBudget       EventType = "resolution.budget_set"
	EventObjectionLodged        EventType = "objection.lodged"
	EventObjectionAnswered      EventType = "objection.answered"
	EventItemCreated            EventType = "item.created"
	EventItemChanged            EventType = "item.changed"
	EventItemUpdatePosted       EventType = "item.update_posted"
	EventClaimMade              EventType = "claim.made"
	EventClaimConfirmed         EventType = "claim.confirmed"
	EventClaimDeclined          EventType = "claim.declined"

	// The evaluation and sign-off (docs/notifications.md): the survey, the committee's decision,
	// a reopening, what each does to a card's story, and the reminder job's record.
	EvSurveyAnswered              EventType = "survey.answered"
	EvResolutionAccepted          EventType = "resolution.accepted"
	EvResolutionAcceptanceRefused EventType = "resolution.acceptance_refused"
	EvResolutionReopened          EventType = "resolution.reopened"
	EvCardResolutionAccepted      EventType = "card.resolution_accepted"
	EvCardResolutionReturned      EventType = "card.resolution_returned"
	EvItemReminderSent            EventType = "item.reminder_sent"

	// Escalation of an item beyond the community's remit (docs/follow-through.md "Escalation").
	EvEscalationRaised          EventType = "escalation.raised"
	EvEscalationChanged         EventType = "escalation.changed"
	EvEscalationResponded       EventType = "escalation.responded"
	EvEscalationResponseOverdue EventType = "escalation.response_overdue"
)

// EvAttendanceChanged is never in the log: the projector wall's stream carries it instead of
// attendance.checked_in, which names who signed in (handlers/display.go).
const EvAttendanceChanged EventType = "attendance.changed"

// AllEventTypes lists every declared event type, in the order above.
func AllEventTypes() []EventType {
	return []EventType{
		EvCommunityCreated, EvCommunityUpdated, EvCompoundCreated, EvBuildingCreated, EvHouseholdCreated,
		EvOrganizationCreated,
		EvHouseholdOwnerSet, EvHouseholdOwnerChanged, EvHouseholdOwnerCleared,
		EvMemberRegistered, EvMemberAdded, EvMemberInvited, EvMemberInvitationDeclined, EvMemberRenamed,
		EvMemberLeft, EvMemberUpdated, EvMemberRolesChanged, EvMemberVerified, EvMemberUnverified,
		EvMemberPasswordChanged, EvMemberPasswordReset, EvMemberPasswordResetIssue,
		EvCycleCreated, EvCycleAdvanced, EvCycleCancelled, EvCycleTopicSelected,
		EvTopicProposed, EvTopicEndorsed, EvTopicEndorsementWithdrawn, EvTopicReopened, EvTopicShortlisted,
		EvTopicRejected, EvTopicMerged, EvTopicCarried,
		EvCardCreated, EvCardWithdrawn, EvCardHidden, EvCardRestored, EvCardReported, EvCardCorrected, EvCardGrouped,
		EvCardUngrouped, EvCardPolled, EvCardPollClosed, EvCardResolved, EvCardResolutionAdopted,
		EvCardResolutionRejected,
		EvClusterCreated, EvClusterRenamed, EvClusterReordered, EvClusterDissolved,
		EvMeetingScheduled, EvMeetingStarted, EvMeetingEnded, EvMeetingDisplayTokenRenewed, EvMeetingItemChanged,
		EvAttendanceCheckedIn, EvProjectorChanged,
		EvSeatInvited, EvSeatChanged, EvSeatRemoved,
		EvSpeakerAsked, EvSpeakerStarted, EvSpeakerFinished, EvSpeakerWithdrawn,
		EvPollCreated, EvPollOpened, EvPollBallotCast, EvPollBallotChanged, EvPollPaperBallotEntered,
		EvPollPaperBallotVoided, EvPollOfflineTallySet, EvPollClosed,
		EvResolutionDrafted, EvResolutionOwnersDecisionRecorded, EvResolutionAdopted, EvResolutionRejected,
		EvResolutionSigned, EvResolutionAmended,
		EventResolutionPublicized, EventResolutionImplementing, EventResolutionEvaluating, EventResolutionBudget, EventObjectionLodged, EventObjectionAnswered, EventItemCreated, EventItemChanged, EventItemUpdatePosted, EventClaimMade, EventClaimConfirmed, EventClaimDeclined,
		EvSurveyAnswered, EvResolutionAccepted, EvResolutionAcceptanceRefused, EvResolutionReopened,
		EvCardResolutionAccepted, EvCardResolutionReturned, EvItemReminderSent,
		EvEscalationRaised, EvEscalationChanged, EvEscalationResponded, EvEscalationResponseOverdue,
	}
}

var declaredEventTypes = func() map[EventType]bool {
	m := map[EventType]bool{}
	for _, t := range AllEventTypes() {
		m[t] = true
	}
	return m
}()

// Declared says whether t is one of AllEventTypes.
func (t EventType) Declared() bool { return declaredEventTypes[t] }

// The payloads, one struct per event (or per family of events that say the same thing). Their
// fields are in the order of their JSON names, the order the log has always stored them in.
// A payload names people by id only where the event's visibility allows, and an anonymous
// card's never names its author.

// CommunityCreatedPayload is community.created's.
type CommunityCreatedPayload struct {
	City     string `json:"city"`
	District string `json:"district"`
	Name     string `json:"name"`
	Street   string `json:"street"`
}

// CommunityUpdatedPayload is community.updated's: the fields that changed, with their new value.
type CommunityUpdatedPayload struct {
	City          *string `json:"city,omitempty"`
	District      *string `json:"district,omitempty"`
	Name          *string `json:"name,omitempty"`
	PublicityDays *int    `json:"publicity_days,omitempty"`
	Street        *string `json:"street,omitempty"`
	// SatisfactionThreshold is the survey's percent below which a resolution is flagged.
	SatisfactionThreshold *int `json:"satisfaction_threshold,omitempty"`
}

// CompoundCreatedPayload is compound.created's.
type CompoundCreatedPayload struct {
	Address string `json:"address"`
	Name    string `json:"name"`
}

// BuildingCreatedPayload is building.created's.
type BuildingCreatedPayload struct {
	CompoundID uint64 `json:"compound_id"`
	Name       string `json:"name"`
}

// HouseholdCreatedPayload is household.created's.
type HouseholdCreatedPayload struct {
	AreaCenti  int64  `json:"area_centi"`
	BuildingID uint64 `json:"building_id"`
	CompoundID uint64 `json:"compound_id"`
	Room       string `json:"room"`
}

// OrganizationCreatedPayload is organization.created's.
type OrganizationCreatedPayload struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// HouseholdOwnerPayload is household_owner.set's and .changed's (with the previous key). The
// owner is named by key and, for a member, user id; never by name.
type HouseholdOwnerPayload struct {
	BuildingID       uint64  `json:"building_id"`
	CompoundID       uint64  `json:"compound_id"`
	HouseholdID      uint64  `json:"household_id"`
	OwnerKey         string  `json:"owner_key"`
	PreviousOwnerKey *string `json:"previous_owner_key,omitempty"`
	UserID           *uint64 `json:"user_id"`
}

// HouseholdOwnerClearedPayload is household_owner.cleared's.
type HouseholdOwnerClearedPayload struct {
	BuildingID       uint64 `json:"building_id"`
	CompoundID       uint64 `json:"compound_id"`
	HouseholdID      uint64 `json:"household_id"`
	PreviousOwnerKey string `json:"previous_owner_key"`
}

// MemberRegisteredPayload is member.registered's.
type MemberRegisteredPayload struct {
	CompoundID     *uint64 `json:"compound_id"`
	HouseholdID    *uint64 `json:"household_id"`
	PrivacyVersion string  `json:"privacy_version"`
	UserID         uint64  `json:"user_id"`
}

// MemberAddedPayload is member.added's: by an admin, by an accepted invitation (with its id and
// whether it verified the member) or on the command line (via).
type MemberAddedPayload struct {
	CompoundID   *uint64  `json:"compound_id"`
	HouseholdID  *uint64  `json:"household_id"`
	InvitationID *uint64  `json:"invitation_id,omitempty"`
	Roles        []string `json:"roles"`
	UserID       uint64   `json:"user_id"`
	Verified     *bool    `json:"verified,omitempty"`
	Via          string   `json:"via,omitempty"`
}

// MemberInvitedPayload is member.invited's.
type MemberInvitedPayload struct {
	CompoundID   *uint64  `json:"compound_id"`
	HouseholdID  *uint64  `json:"household_id"`
	InvitationID uint64   `json:"invitation_id"`
	Roles        []string `json:"roles"`
	Verified     bool     `json:"verified"`
}

// InvitationPayload is member.invitation_declined's: no user, whose id would tell the admin
// whether the account existed before.
type InvitationPayload struct {
	InvitationID uint64 `json:"invitation_id"`
}

// MemberPayload is the payload of the member events that say only whose they are (renamed,
// verified, unverified, password changed).
type MemberPayload struct {
	UserID uint64 `json:"user_id"`
}

// MemberLeftPayload is member.left's.
type MemberLeftPayload struct {
	Reason string `json:"reason"` // LeftAccountClosed
	UserID uint64 `json:"user_id"`
}

// LeftAccountClosed is why a member left every community: they closed their account.
const LeftAccountClosed = "account_closed"

// MemberUpdatedPayload is member.updated's: the names of the fields that changed.
type MemberUpdatedPayload struct {
	Fields []string `json:"fields"`
	UserID uint64   `json:"user_id"`
}

// MemberRolesChangedPayload is member.roles_changed's.
type MemberRolesChangedPayload struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Roles   []string `json:"roles"`
	UserID  uint64   `json:"user_id"`
}

// PasswordResetPayload is member.password_reset's: the channel of the code and who issued it.
type PasswordResetPayload struct {
	Channel  string  `json:"channel"`
	IssuedBy *uint64 `json:"issued_by"`
	UserID   uint64  `json:"user_id"`
}

// PasswordResetIssuedPayload is member.password_reset_issued's.
type PasswordResetIssuedPayload struct {
	ExpiresAt time.Time `json:"expires_at"`
	UserID    uint64    `json:"user_id"`
}

// CycleCreatedPayload is cycle.created's.
type CycleCreatedPayload struct {
	CompoundID uint64 `json:"compound_id"`
	Month      string `json:"month"`
	Reason     string `json:"reason"`
}

// CyclePhasePayload is cycle.advanced's and cycle.cancelled's; a meeting that moved its cycle
// to the round table names itself.
type CyclePhasePayload struct {
	Direction string  `json:"direction"`
	From      string  `json:"from"`
	MeetingID *uint64 `json:"meeting_id,omitempty"`
	Reason    string  `json:"reason"`
	To        string  `json:"to"`
}

// TopicSelectedPayload is cycle.topic_selected's.
type TopicSelectedPayload struct {
	Reason  string `json:"reason"`
	Title   string `json:"title"`
	TopicID uint64 `json:"topic_id"`
}

// TopicProposedPayload is topic.proposed's.
type TopicProposedPayload struct {
	CycleID uint64 `json:"cycle_id"`
	Source  string `json:"source"`
	Title   string `json:"title"`
}

// TopicEndorsementPayload is topic.endorsed's and topic.endorsement_withdrawn's.
type TopicEndorsementPayload struct {
	CycleID uint64 `json:"cycle_id"`
}

// TopicStatusPayload is topic.reopened's, .shortlisted's and .rejected's.
type TopicStatusPayload struct {
	CycleID uint64 `json:"cycle_id"`
	From    string `json:"from"`
	Reason  string `json:"reason"`
}

// TopicMergedPayload is topic.merged's.
type TopicMergedPayload struct {
	CycleID     uint64 `json:"cycle_id"`
	IntoTopicID uint64 `json:"into_topic_id"`
}

// TopicCarriedPayload is topic.carried's: the topic (the event's subject) is the copy, in the
// cycle just opened, of a topic its compound's earlier cycle did not choose. It names no
// proposer.
type TopicCarriedPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	Endorsements int64  `json:"endorsements"`
	FromCycleID  uint64 `json:"from_cycle_id"`
	FromTopicID  uint64 `json:"from_topic_id"`
	Title        string `json:"title"`
}

// CardCreatedPayload is card.created's: nothing of the author.
type CardCreatedPayload struct {
	Anonymous bool   `json:"anonymous"`
	CycleID   uint64 `json:"cycle_id"`
	HasPhoto  bool   `json:"has_photo"`
	Origin    string `json:"origin"`
}

// CardStatusPayload is card.withdrawn's, .hidden's, .restored's and .reported's.
type CardStatusPayload struct {
	CycleID uint64 `json:"cycle_id"`
	Reason  string `json:"reason"` // as typed, or HiddenByReports
}

// HiddenByReports is the reason of a card hidden because enough members reported it.
const HiddenByReports = "reports"

// CardCorrectedPayload is card.corrected's: a paper card's text and author name as typed, before
// and after its typist corrected them.
type CardCorrectedPayload struct {
	After   CardWording `json:"after"`
	Before  CardWording `json:"before"`
	CycleID uint64      `json:"cycle_id"`
}

// CardWording is what a correction of a card changes.
type CardWording struct {
	AuthorName string `json:"author_name"`
	Body       string `json:"body"`
}

// CardGroupPayload is card.grouped's and card.ungrouped's: ids and the group's label only, so an
// anonymous card stays unlinked to its author.
type CardGroupPayload struct {
	ClusterID uint64 `json:"cluster_id"`
	// Dissolved: the card left because its group was dissolved.
	Dissolved     bool    `json:"dissolved,omitempty"`
	FromClusterID *uint64 `json:"from_cluster_id,omitempty"`
	Label         string  `json:"label"`
	MeetingID     uint64  `json:"meeting_id"`
	Position      *int    `json:"position,omitempty"`
}

// CardPollPayload is card.polled's and card.poll_closed's (with the option's total and rank).
type CardPollPayload struct {
	CycleID   uint64  `json:"cycle_id"`
	MeetingID *uint64 `json:"meeting_id,omitempty"`
	OptionID  uint64  `json:"option_id"`
	PollID    uint64  `json:"poll_id"`
	Rank      *int    `json:"rank,omitempty"`
	Title     string  `json:"title"`
	Total     *int64  `json:"total,omitempty"`
}

// CardResolutionPayload is card.resolved's, .resolution_adopted's and .resolution_rejected's.
type CardResolutionPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	MeetingID    uint64 `json:"meeting_id"`
	PollID       uint64 `json:"poll_id"`
	ResolutionID uint64 `json:"resolution_id"`
	Title        string `json:"title"`
}

// ClusterCreatedPayload is cluster.created's.
type ClusterCreatedPayload struct {
	Label     string `json:"label"`
	MeetingID uint64 `json:"meeting_id"`
	Position  int    `json:"position"`
}

// ClusterRenamedPayload is cluster.renamed's.
type ClusterRenamedPayload struct {
	From      string `json:"from"`
	Label     string `json:"label"`
	MeetingID uint64 `json:"meeting_id"`
}

// ClusterReorderedPayload is cluster.reordered's.
type ClusterReorderedPayload struct {
	From      int    `json:"from"`
	MeetingID uint64 `json:"meeting_id"`
	To        int    `json:"to"`
}

// ClusterDissolvedPayload is cluster.dissolved's.
type ClusterDissolvedPayload struct {
	CardIDs   []uint64 `json:"card_ids"`
	Label     string   `json:"label"`
	MeetingID uint64   `json:"meeting_id"`
}

// MeetingScheduledPayload is meeting.scheduled's.
type MeetingScheduledPayload struct {
	AgendaItems int       `json:"agenda_items"`
	CycleID     uint64    `json:"cycle_id"`
	Location    string    `json:"location"`
	Quorum      int       `json:"quorum"`
	StartsAt    time.Time `json:"starts_at"`
	Title       string    `json:"title"`
}

// MeetingPayload is meeting.started's and meeting.display_token_renewed's.
type MeetingPayload struct {
	CycleID uint64 `json:"cycle_id"`
}

// MeetingEndedPayload is meeting.ended's.
type MeetingEndedPayload struct {
	AttendeeCount int64    `json:"attendee_count"`
	CardIDs       []uint64 `json:"card_ids"`
	CycleID       uint64   `json:"cycle_id"`
	QuorumMet     bool     `json:"quorum_met"`
}

// MeetingItemChangedPayload is meeting.item_changed's: the agenda positions.
type MeetingItemChangedPayload struct {
	From      int    `json:"from"`
	MeetingID uint64 `json:"meeting_id"`
	To        int    `json:"to"`
}

// AttendanceCheckedInPayload is attendance.checked_in's (for the committee: who signed in).
type AttendanceCheckedInPayload struct {
	MeetingID uint64  `json:"meeting_id"`
	Method    string  `json:"method"`
	UserID    *uint64 `json:"user_id"`
	WalkIn    bool    `json:"walk_in"`
}

// ProjectorChangedPayload is projector.changed's: the wall's mode and what it shows.
type ProjectorChangedPayload struct {
	ClusterID *uint64 `json:"cluster_id,omitempty"`
	MeetingID uint64  `json:"meeting_id"`
	Mode      string  `json:"mode"`
	Page      int     `json:"page,omitempty"`
	PollID    *uint64 `json:"poll_id,omitempty"`
	// ResolutionID is the resolution of the resolution mode.
	ResolutionID *uint64 `json:"resolution_id,omitempty"`
}

// SeatPayload is seat.invited's and seat.removed's: the seat and its invitee.
type SeatPayload struct {
	Kind           string  `json:"kind"`
	Label          string  `json:"label"`
	MeetingID      uint64  `json:"meeting_id"`
	Name           string  `json:"name"`
	OrganizationID *uint64 `json:"organization_id"`
	Position       int     `json:"position"`
	UserID         *uint64 `json:"user_id"`
}

// SeatInviteePayload is an invitee as seat.changed names it.
type SeatInviteePayload struct {
	Name           string  `json:"name"`
	OrganizationID *uint64 `json:"organization_id"`
	UserID         *uint64 `json:"user_id"`
}

// SeatFieldChange is one changed field of a seat, before and after.
type SeatFieldChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// SeatChangedPayload is seat.changed's: the changed fields by name (kind, label, invitee,
// position) and the seat's kind and label after the change.
type SeatChangedPayload struct {
	Changes   map[string]SeatFieldChange `json:"changes"`
	Kind      string                     `json:"kind"`
	Label     string                     `json:"label"`
	MeetingID uint64                     `json:"meeting_id"`
}

// SpeakerPayload is the speaker events': ids and stance, never a name. Asked says whether the
// speaker walked in; started carries the speech limit, finished the seconds spoken.
type SpeakerPayload struct {
	AgendaPosition int     `json:"agenda_position"`
	MeetingID      uint64  `json:"meeting_id"`
	Seconds        *int    `json:"seconds,omitempty"`
	SpeechSeconds  *int    `json:"speech_seconds,omitempty"`
	Stance         string  `json:"stance"`
	UserID         *uint64 `json:"user_id"`
	WalkIn         *bool   `json:"walk_in,omitempty"`
}

// PollPayload is the references every poll event carries, and all that poll.ballot_cast and
// poll.ballot_changed carry (a secret ballot's event names no voter, not even as its actor).
type PollPayload struct {
	CycleID   uint64  `json:"cycle_id"`
	MeetingID *uint64 `json:"meeting_id,omitempty"`
	PollID    uint64  `json:"poll_id"`
}

// PollCreatedPayload is poll.created's; an owners' poll adds its scope.
type PollCreatedPayload struct {
	BuildingIDs       *[]uint64 `json:"building_ids,omitempty"`
	CompoundID        *uint64   `json:"compound_id,omitempty"`
	CycleID           uint64    `json:"cycle_id"`
	Eligibility       string    `json:"eligibility"`
	MeetingID         *uint64   `json:"meeting_id,omitempty"`
	Method            string    `json:"method"`
	Options           int       `json:"options"`
	PollID            uint64    `json:"poll_id"`
	Quorum            int       `json:"quorum"`
	ResultsVisibility string    `json:"results_visibility"`
	Rule              string    `json:"rule"`
	Secrecy           string    `json:"secrecy"`
	Title             string    `json:"title"`
	Weight            string    `json:"weight"`
}

// PollOpenedPayload is poll.opened's; an owners' poll adds the base frozen as it opened.
type PollOpenedPayload struct {
	CycleID   uint64         `json:"cycle_id"`
	MeetingID *uint64        `json:"meeting_id,omitempty"`
	OwnerBase *OwnerPollBase `json:"owner_base,omitempty"`
	PollID    uint64         `json:"poll_id"`
}

// PollClosedPayload is poll.closed's: the result and the figures it was computed from.
type PollClosedPayload struct {
	CycleID   uint64         `json:"cycle_id"`
	Input     tally.Input    `json:"input"`
	MeetingID *uint64        `json:"meeting_id,omitempty"`
	OwnerBase *OwnerPollBase `json:"owner_base,omitempty"`
	PollID    uint64         `json:"poll_id"`
	Result    tally.Result   `json:"result"`
}

// PaperBallotPayload is poll.paper_ballot_entered's (with the choice in a named poll) and
// poll.paper_ballot_voided's (with the reason).
type PaperBallotPayload struct {
	BallotNo      string  `json:"ballot_no"`
	Choice        *string `json:"choice,omitempty"`
	CycleID       uint64  `json:"cycle_id"`
	HouseholdID   uint64  `json:"household_id"`
	MeetingID     *uint64 `json:"meeting_id,omitempty"`
	PaperBallotID uint64  `json:"paper_ballot_id"`
	PollID        uint64  `json:"poll_id"`
	Reason        *string `json:"reason,omitempty"`
}

// OfflineTallyPayload is poll.offline_tally_set's: the counts by option key, and the ones they
// replace (null the first time).
type OfflineTallyPayload struct {
	Counts         map[string]int64 `json:"counts"`
	CycleID        uint64           `json:"cycle_id"`
	MeetingID      *uint64          `json:"meeting_id,omitempty"`
	PollID         uint64           `json:"poll_id"`
	PreviousCounts map[string]int64 `json:"previous_counts"`
	PreviousVoters *int64           `json:"previous_voters"`
	Source         string           `json:"source"`
	Voters         int64            `json:"voters"`
}

// ResolutionDraftedPayload is resolution.drafted's.
type ResolutionDraftedPayload struct {
	CardIDs      []uint64 `json:"card_ids"`
	Category     string   `json:"category"`
	ClusterIDs   []uint64 `json:"cluster_ids"`
	CycleID      uint64   `json:"cycle_id"`
	Matter       string   `json:"matter"`
	MeetingID    uint64   `json:"meeting_id"`
	Nature       string   `json:"nature"`
	PollID       uint64   `json:"poll_id"`
	PollPassed   bool     `json:"poll_passed"`
	ResolutionID uint64   `json:"resolution_id"`
	Title        string   `json:"title"`
}

// ResolutionDecidedPayload is resolution.adopted's and resolution.rejected's: decided by the
// poll or by the owners (with the kind of their decision).
type ResolutionDecidedPayload struct {
	Category       string  `json:"category"`
	CycleID        uint64  `json:"cycle_id"`
	DecidedBy      string  `json:"decided_by"`
	MeetingID      uint64  `json:"meeting_id"`
	Nature         string  `json:"nature"`
	OwnersDecision *string `json:"owners_decision,omitempty"`
	PollID         uint64  `json:"poll_id"`
	ResolutionID   uint64  `json:"resolution_id"`
	Title          string  `json:"title"`
}

// ResolutionAmendedPayload is resolution.amended's: each changed field with its value before and
// after (docs/paper.md "Draft, then adopt").
type ResolutionAmendedPayload struct {
	Changes      []ResolutionFieldChange `json:"changes"`
	CycleID      uint64                  `json:"cycle_id"`
	MeetingID    uint64                  `json:"meeting_id"`
	PollID       uint64                  `json:"poll_id"`
	ResolutionID uint64                  `json:"resolution_id"`
}

// ResolutionFieldChange is one field of an amendment, before and after.
type ResolutionFieldChange struct {
	After  string `json:"after"`
	Before string `json:"before"`
	Field  string `json:"field"`
}

// OwnersDecisionRecordedPayload is resolution.owners_decision_recorded's: the figures of the
// owners' decision and its evaluation.
type OwnersDecisionRecordedPayload struct {
	AreaAgainst        int64          `json:"area_against_centi"`
	AreaFor            int64          `json:"area_for_centi"`
	CycleID            uint64         `json:"cycle_id"`
	DecidedOn          string         `json:"decided_on"`
	Decision           tally.Decision `json:"decision"`
	EligibleArea       int64          `json:"eligible_area_centi"`
	EligibleUnits      int64          `json:"eligible_units"`
	Kind               string         `json:"kind"`
	MeetingID          uint64         `json:"meeting_id"`
	NoticeUploadID     *uint64        `json:"notice_upload_id"`
	OwnersPollID       *uint64        `json:"owners_poll_id"`
	ParticipatingArea  int64          `json:"participating_area_centi"`
	ParticipatingUnits int64          `json:"participating_units"`
	Passed             bool           `json:"passed"`
	PollID             uint64         `json:"poll_id"`
	ResolutionID       uint64         `json:"resolution_id"`
	Source             string         `json:"source"`
	UnitsAgainst       int64          `json:"units_against"`
	UnitsFor           int64          `json:"units_for"`
}

// ResolutionSignedPayload is resolution.signed's (for the committee: who signed).
type ResolutionSignedPayload struct {
	CycleID      uint64  `json:"cycle_id"`
	MeetingID    uint64  `json:"meeting_id"`
	Method       string  `json:"method"`
	PollID       uint64  `json:"poll_id"`
	ResolutionID uint64  `json:"resolution_id"`
	UserID       *uint64 `json:"user_id"`
	WalkIn       bool    `json:"walk_in"`
}

// FieldChange is one field of a change with its value before and after, for the audit trail's
// readable before and after.
type FieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// EscalationRaisedPayload is escalation.raised's.
type EscalationRaisedPayload struct {
	Channel      string `json:"channel"`
	Department   string `json:"department"`
	EscalationID uint64 `json:"escalation_id"`
	ItemID       uint64 `json:"item_id"`
	Reason       string `json:"reason"`
	ResolutionID uint64 `json:"resolution_id"`
	ResponseDue  string `json:"response_due"`
	TicketNo     string `json:"ticket_no"`
}

// EscalationChangedPayload is escalation.changed's: each changed field, before and after.
type EscalationChangedPayload struct {
	Changes      []FieldChange `json:"changes"`
	EscalationID uint64        `json:"escalation_id"`
	ItemID       uint64        `json:"item_id"`
	ResolutionID uint64        `json:"resolution_id"`
}

// EscalationRespondedPayload is escalation.responded's: the response, the days it took (from
// the day raised to the day it came, the community's calendar) and whether it came late.
type EscalationRespondedPayload struct {
	Department   string `json:"department"`
	EscalationID uint64 `json:"escalation_id"`
	ItemID       uint64 `json:"item_id"`
	Late         bool   `json:"late"`
	ResolutionID uint64 `json:"resolution_id"`
	RespondedOn  string `json:"responded_on"`
	Response     string `json:"response"`
	ResponseDays int    `json:"response_days"`
	ResponseDue  string `json:"response_due"`
	TicketNo     string `json:"ticket_no"`
}

// EscalationOverduePayload is escalation.response_overdue's: written once per missed deadline
// by the reminder job.
type EscalationOverduePayload struct {
	Department   string `json:"department"`
	EscalationID uint64 `json:"escalation_id"`
	ItemID       uint64 `json:"item_id"`
	ResolutionID uint64 `json:"resolution_id"`
	ResponseDue  string `json:"response_due"`
	TicketNo     string `json:"ticket_no"`
}

// The follow-through's payloads (docs/follow-through.md "Events"). Optional fields of a change
// are pointers left out when nil; a field that can be changed to null (an assignee removed, a
// done item reopened) is a pointer to a pointer: left out when the outer one is nil, null when
// the inner one is.

// ResolutionPublicizedPayload is resolution.publicized's.
type ResolutionPublicizedPayload struct {
	CycleID         uint64    `json:"cycle_id"`
	Days            int       `json:"days"`
	MeetingID       uint64    `json:"meeting_id"`
	PollID          uint64    `json:"poll_id"`
	PublicityEndsAt time.Time `json:"publicity_ends_at"`
	ResolutionID    uint64    `json:"resolution_id"`
}

// ResolutionImplementingPayload is resolution.implementing's: with no publicity (days 0), or
// when the period ended.
type ResolutionImplementingPayload struct {
	CycleID          uint64     `json:"cycle_id"`
	Days             *int       `json:"days,omitempty"`
	MeetingID        uint64     `json:"meeting_id"`
	PollID           uint64     `json:"poll_id"`
	PublicityEndedAt *time.Time `json:"publicity_ended_at,omitempty"`
	Reason           string     `json:"reason"`
	ResolutionID     uint64     `json:"resolution_id"`
}

// ResolutionEvaluatingPayload is resolution.evaluating's: the progress when the last item closed.
type ResolutionEvaluatingPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	MeetingID    uint64 `json:"meeting_id"`
	PollID       uint64 `json:"poll_id"`
	Progress     int    `json:"progress"`
	ResolutionID uint64 `json:"resolution_id"`
}

// ResolutionBudgetPayload is resolution.budget_set's: the fields that changed.
type ResolutionBudgetPayload struct {
	BudgetFen     *int64  `json:"budget_fen,omitempty"`
	CycleID       uint64  `json:"cycle_id"`
	FundingSource *string `json:"funding_source,omitempty"`
	MeetingID     uint64  `json:"meeting_id"`
	PollID        uint64  `json:"poll_id"`
	ResolutionID  uint64  `json:"resolution_id"`
}

// ObjectionLodgedPayload is objection.lodged's (no author: objections name no one).
type ObjectionLodgedPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	MeetingID    uint64 `json:"meeting_id"`
	ObjectionID  uint64 `json:"objection_id"`
	PollID       uint64 `json:"poll_id"`
	ResolutionID uint64 `json:"resolution_id"`
	Text         string `json:"text"`
}

// ObjectionAnsweredPayload is objection.answered's.
type ObjectionAnsweredPayload struct {
	Answer       string `json:"answer"`
	ObjectionID  uint64 `json:"objection_id"`
	ResolutionID uint64 `json:"resolution_id"`
}

// ItemCreatedPayload is item.created's.
type ItemCreatedPayload struct {
	AssigneeOrgID  *uint64  `json:"assignee_org_id"`
	AssigneeUserID *uint64  `json:"assignee_user_id"`
	DueDate        string   `json:"due_date"`
	ItemID         uint64   `json:"item_id"`
	OpenForClaims  bool     `json:"open_for_claims"`
	ParentID       *uint64  `json:"parent_id"`
	ResolutionID   uint64   `json:"resolution_id"`
	Skills         []string `json:"skills"`
	Title          string   `json:"title"`
	Weight         int      `json:"weight"`
}

// ItemChangedPayload is item.changed's: the fields that changed, with their new value; By says
// when a parent closed (children_closed) or opened again (child_reopened) by itself.
type ItemChangedPayload struct {
	AssigneeUserID **uint64    `json:"assignee_user_id,omitempty"`
	BlockedReason  *string     `json:"blocked_reason,omitempty"`
	By             string      `json:"by,omitempty"`
	DoneAt         **time.Time `json:"done_at,omitempty"`
	DueDate        *string     `json:"due_date,omitempty"`
	ItemID         uint64      `json:"item_id"`
	OpenForClaims  *bool       `json:"open_for_claims,omitempty"`
	Progress       *int        `json:"progress,omitempty"`
	ResolutionID   uint64      `json:"resolution_id"`
	Status         *string     `json:"status,omitempty"`
}

// ItemUpdatePostedPayload is item.update_posted's: the note, the progress if reported, how many
// photos, hours and cost.
type ItemUpdatePostedPayload struct {
	CostFen      int64   `json:"cost_fen"`
	Hours        float64 `json:"hours"`
	ItemID       uint64  `json:"item_id"`
	Note         string  `json:"note"`
	Photos       int     `json:"photos"`
	Progress     *int    `json:"progress"`
	ResolutionID uint64  `json:"resolution_id"`
	UpdateID     uint64  `json:"update_id"`
}

// ClaimPayload is claim.made's, claim.confirmed's and claim.declined's: the claimant once
// decided, and why a claim was declined when another was confirmed.
type ClaimPayload struct {
	ClaimID      uint64 `json:"claim_id"`
	ItemID       uint64 `json:"item_id"`
	Reason       string `json:"reason,omitempty"`
	ResolutionID uint64 `json:"resolution_id"`
	UserID       uint64 `json:"user_id,omitempty"`
}

// ItemReminderPayload is item.reminder_sent's.
type ItemReminderPayload struct {
	DueDate      string `json:"due_date"`
	Kind         string `json:"kind"`
	ResolutionID uint64 `json:"resolution_id"`
}

// SurveyAnsweredPayload is survey.answered's (committee only: which household said what).
type SurveyAnsweredPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	HouseholdID  uint64 `json:"household_id"`
	Level        string `json:"level"`
	ResolutionID uint64 `json:"resolution_id"`
	Round        int    `json:"round"`
	Via          string `json:"via"`
}

// EvaluationStepPayload is resolution.accepted's, .acceptance_refused's (the decision and
// remarks) and .reopened's (the reason, the rate and the threshold it fell below).
type EvaluationStepPayload struct {
	CycleID      uint64    `json:"cycle_id"`
	Decision     string    `json:"decision,omitempty"`
	Rate         **float64 `json:"rate,omitempty"`
	Reason       *string   `json:"reason,omitempty"`
	Remarks      *string   `json:"remarks,omitempty"`
	ResolutionID uint64    `json:"resolution_id"`
	Round        int       `json:"round"`
	Threshold    *int      `json:"threshold,omitempty"`
	Title        string    `json:"title"`
}

// CardEvaluationPayload is card.resolution_accepted's and card.resolution_returned's.
type CardEvaluationPayload struct {
	CycleID      uint64 `json:"cycle_id"`
	ResolutionID uint64 `json:"resolution_id"`
	Title        string `json:"title"`
}

// ptr is a pointer to a copy of v, for a payload's optional fields.
func ptr[T any](v T) *T { return &v }
