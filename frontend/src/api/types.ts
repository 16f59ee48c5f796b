// Shapes of the /api/v1 JSON as the server sends them (snake_case kept, so a
// field here can be searched for in the Go code and the OpenAPI file).

export type Locale = 'zh-CN' | 'en'

export const ROLES = [
  'resident',
  'grid_worker',
  'facilitator',
  'party_member',
  'committee',
  'admin',
] as const
export type Role = (typeof ROLES)[number]

export const ORGANIZATION_KINDS = [
  'property',
  'owners_committee',
  'self_governance',
  'district_department',
  'work_unit',
  'social_org',
] as const
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number]

export interface ListPage<T> {
  items: T[]
  next_cursor?: string | null
}

export interface User {
  id: number
  phone: string
  name: string
  locale?: Locale | '' | null
  large_text: boolean
  is_superadmin: boolean
  created_at: string
}

export interface Membership {
  community_id: number
  community_name: string
  roles: Role[]
  verified: boolean
  verified_at?: string | null
  compound_id?: number | null
  compound_name?: string | null
  building_name?: string | null
  household_id?: number | null
  household_room?: string | null
}

export interface Me {
  user: User
  memberships: Membership[]
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  user: User
}

export interface LoginRequest {
  phone: string
  password: string
}

export interface RegisterRequest {
  phone: string
  name: string
  password: string
  community_id: number
  compound_id?: number
  household_id?: number
  privacy_consent: true
}

export interface MePatch {
  name?: string
  locale?: Locale
  large_text?: boolean
}

export interface Community {
  id: number
  name: string
  street: string
  district: string
  city: string
}

export type CommunityInput = Omit<Community, 'id'>

export interface RegisterPlaces {
  compounds: {
    id: number
    name: string
    buildings: {
      id: number
      name: string
      households: { id: number; room: string }[]
    }[]
  }[]
}

export interface Compound {
  id: number
  name: string
  address?: string | null
  building_count: number
  household_count: number
}

export interface CompoundInput {
  name: string
  address?: string
}

export interface Building {
  id: number
  name: string
}

export interface Household {
  id: number
  building_id: number
  building_name: string
  room: string
  area: number
  owner_occupied: boolean
}

export interface HouseholdInput {
  building_id: number
  room: string
  area: number
  owner_occupied?: boolean
}

export interface Member {
  user_id: number
  name: string
  phone: string
  roles: Role[]
  verified: boolean
  verified_at?: string | null
  verified_by_name?: string | null
  compound_id?: number | null
  compound_name?: string | null
  building_name?: string | null
  household_id?: number | null
  household_room?: string | null
  skills?: string[] | null
  work_unit?: string | null
  organization_id?: number | null
  organization_name?: string | null
}

export interface MemberFilter {
  role?: Role | ''
  verified?: boolean
  q?: string
}

export interface MemberInput {
  phone: string
  name: string
  /**
   * Initial password for a phone without an account. A community admin always
   * sends one (the answer never tells whether the phone had an account).
   */
  password?: string
  roles: Role[]
  compound_id?: number
  household_id?: number
}

/**
 * An admin's offer of membership: what the admin typed and offered, nothing
 * of the account it reached. The person accepts or declines it on 我的社区.
 */
export interface Invitation {
  id: number
  community_id: number
  community_name: string
  name: string
  phone: string
  roles: Role[]
  compound_id: number | null
  compound_name: string
  household_id: number | null
  building_name: string
  household_room: string
  verified: boolean
  invited_by_name: string
  status: 'pending' | 'accepted' | 'declined'
  created_at: string
  expires_at: string
}

export interface MemberPatch {
  roles?: Role[]
  verified?: boolean
  skills?: string[]
  work_unit?: string
  organization_id?: number | null
  compound_id?: number | null
  household_id?: number | null
}

export interface Organization {
  id: number
  name: string
  kind: OrganizationKind
}

export interface OrganizationInput {
  name: string
  kind: OrganizationKind
}

// The monthly cycle (docs/domain.md "The monthly cycle"): seven phases in order, plus cancelled.
export const PHASES = [
  'planning',
  'topic_collection',
  'topic_selection',
  'card_collection',
  'round_table',
  'resolved',
  'closed',
] as const
export type Phase = (typeof PHASES)[number] | 'cancelled'

export interface Cycle {
  id: number
  community_id: number
  compound_id: number
  compound_name: string
  month: string
  phase: Phase
  facilitator_id?: number | null
  reason: string
  selected_topic_id?: number | null
  selection_reason: string
  created_by: number
  created_at: string
  updated_at: string
}

export interface CycleInput {
  month: string
  compound_id: number
  reason?: string
}

export interface AdvanceInput {
  to: Phase
  reason?: string
}

export const TOPIC_SOURCES = ['online', 'home_visit', 'hotline', 'property_log', 'party_branch'] as const
export type TopicSource = (typeof TOPIC_SOURCES)[number]
export type TopicStatus = 'open' | 'shortlisted' | 'selected' | 'merged' | 'rejected'

export interface Topic {
  id: number
  cycle_id: number
  community_id: number
  title: string
  description: string
  source: TopicSource
  proposer_id?: number | null
  proposer_name: string
  status: TopicStatus
  merged_into_id?: number | null
  status_reason: string
  endorsement_count: number
  endorsed_by_me: boolean
  created_at: string
  updated_at: string
}

export interface TopicInput {
  title: string
  description?: string
  source?: TopicSource
  proposer_id?: number
}

/** The longest topic title and description, in characters. */
export const TOPIC_TITLE_MAX = 60
export const TOPIC_DESCRIPTION_MAX = 1000

export type CardOrigin = 'online' | 'paper' | 'table'
export type CardStatus = 'visible' | 'hidden' | 'withdrawn'

/** The longest card body, in characters (the server counts code points). */
export const CARD_BODY_MAX = 300

export interface Card {
  id: number
  cycle_id: number
  community_id: number
  body: string
  anonymous: boolean
  origin: CardOrigin
  author_name: string
  photo_id?: number | null
  photo_url: string
  status: CardStatus
  /** "reports" when three reports hid the card; otherwise the moderator's words. */
  moderation_reason: string
  report_count: number
  mine: boolean
  /** The caller typed this paper or table card in, so may correct or withdraw it. */
  entered_by_me: boolean
  created_at: string
  updated_at: string
}

export interface CardInput {
  body: string
  anonymous?: boolean
  origin?: CardOrigin
  author_name?: string
  photo_id?: number
}

export interface CardFilter {
  status?: CardStatus | ''
  mine?: boolean
}

export interface ReportResult {
  reported: boolean
  /** null when the report hid the card from its reporter. */
  card: Card | null
}

export interface TimelineItem {
  type: string
  at: string
  reason?: string
  /** The vote's or the resolution's title, for their steps. */
  title?: string
  poll_id?: number
  resolution_id?: number
}

export interface Upload {
  id: number
  community_id: number
  content_type: string
  size: number
  width: number
  height: number
  url: string
}

// RFC 9457 problem details with the project's two extra members.
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: Record<string, string>
}

export type MeetingStatus = 'scheduled' | 'started' | 'ended'

export interface AgendaItem {
  position: number
  title: string
  minutes: number
}

/** 圆桌会议: the round table of a cycle. */
export interface Meeting {
  id: number
  cycle_id: number
  community_id: number
  title: string
  starts_at: string
  location: string
  status: MeetingStatus
  /** Sent only to facilitators and admins (and shown on the wall): others sign in in the room. */
  join_code?: string
  quorum: number
  speech_seconds: number
  speeches_per_item: number
  summary: string
  attendee_count: number
  started_at: string | null
  ended_at: string | null
  agenda: AgendaItem[]
  minutes_card_ids: number[]
  quorum_met: boolean
  /** Stakeholder seats (席位) planned, and those whose invitee signed in. */
  seat_count: number
  seats_present: number
  /** The projector's token, sent only by the calls that make one. */
  display_token?: string
}

export interface MeetingInput {
  title: string
  starts_at: string
  location: string
  agenda?: { title: string; minutes: number }[]
  quorum?: number
}

export interface Attendance {
  id: number
  meeting_id: number
  user_id: number | null
  name: string
  checked_in_by: number
  method: string
  created_at: string
}

export interface AttendanceList {
  count: number
  quorum: number
  quorum_met: boolean
  checked_in: boolean
  names_visible: boolean
  items: Attendance[]
  next_cursor?: string
}

export interface JoinResult {
  meeting: Meeting
  attendance: Attendance
}

export interface ClusterSuggestion {
  card_ids: number[]
  score: number
}

/** One Server-Sent Event of a meeting's stream. */
export interface StreamEvent {
  id: string
  type: string
  data: unknown
}

/** A group of cards on a meeting's wall (KJ method). */
export interface Cluster {
  id: number
  meeting_id: number
  label: string
  position: number
  card_ids: number[]
}

/** A meeting's card wall: its groups in order and the cards in none of them. */
export interface ClusterBoard {
  items: Cluster[]
  loose: number[]
}

/** PUT /cards/:id/cluster: where a card lies now (both null: the loose pile). */
export interface CardPlacement {
  card_id: number
  meeting_id: number
  cluster_id: number | null
  position: number | null
}

export type Stance = 'pro' | 'con' | 'neutral'
export type SpeakerSlotStatus = 'waiting' | 'speaking' | 'done' | 'withdrawn'

/** 发言: one person's turn to speak (a member, or someone without a phone by name). */
export interface SpeakerSlot {
  id: number
  meeting_id: number
  user_id: number | null
  name: string
  stance: Stance
  agenda_position: number
  status: SpeakerSlotStatus
  asked_by: number
  asked_at: string
  started_at: string | null
  ended_at: string | null
  started_by: number | null
}

/** A waiting slot as the queue offers it; blocked ones say why. */
export interface QueuedSpeaker extends SpeakerSlot {
  spoken: number
  blocked: boolean
  reason?: 'speech_limit' | 'already_queued'
}

export interface Speaking {
  slot: SpeakerSlot
  remaining_seconds: number
  phase: 'normal' | 'warning' | 'over'
}

/** GET /meetings/:id/speakers: the queue on the current agenda item, the timer and the item timer. */
export interface SpeakerBoard {
  meeting_id: number
  current_item: AgendaItem | null
  item_started_at: string | null
  /** The server's clock when the board was read. */
  now: string
  speech_seconds: number
  speeches_per_item: number
  speaking: Speaking | null
  queue: QueuedSpeaker[]
  done: SpeakerSlot[]
}

/** What a meeting's wall (大屏) can show. */
export type ProjectorMode = 'join' | 'topic' | 'cards' | 'cluster' | 'speaker' | 'poll' | 'message' | 'blank'

/** GET /display/:token and /meetings/:id/projector: the wall's state, and all it may know. */
export interface Wall {
  title: string
  location: string
  starts_at: string
  status: string
  join_code: string
  join_url: string
  attendee_count: number
  quorum: number
  quorum_met: boolean
  mode: ProjectorMode
  updated_at: string
  /** The server's clock when the wall was read; the speaker timer counts against it. */
  now: string
  topic: { title: string; reason: string } | null
  /** Mode cards: the loose cards, after the groups. */
  cards: WallCard[] | null
  /** Mode cards: the meeting's groups in order. */
  groups: WallGroup[] | null
  /** Mode cluster: the group on the wall; null once dissolved. */
  cluster: WallGroup | null
  speaker: WallSpeaker | null
  /** Mode poll: the poll on the wall. */
  poll: WallPoll | null
  message: string | null
}

/** A card on the wall: its text, never its author. */
export interface WallCard {
  id: number
  body: string
}

export interface WallGroup {
  id: number
  label: string
  position: number
  cards: WallCard[]
}

/** A turn as the wall shows it: the masked name (王**) and the stance. */
export interface WallTurn {
  name: string
  stance: Stance
}

/** Mode speaker: the agenda item, the timer's limits, the running speech and who is next. */
export interface WallSpeaker {
  item: { position: number; title: string; minutes: number } | null
  limit_seconds: number
  warning_seconds: number
  current: (WallTurn & { started_at: string }) | null
  next: WallTurn[]
  waiting: number
}

// Stakeholder seats (席位) at the round table: for which side or body, and who
// is invited — a member, an organization, a guest by name, or nobody yet.
export const SEAT_KINDS = [
  'resident_pro',
  'resident_con',
  'resident_neutral',
  'building_head',
  'owners_committee',
  'property',
  'party_org',
  'party_member',
  'grid_worker',
  'department',
  'expert',
  'other',
] as const
export type SeatKind = (typeof SEAT_KINDS)[number]

export interface Seat {
  id: number
  meeting_id: number
  kind: SeatKind
  label: string
  position: number
  user_id: number | null
  organization_id: number | null
  /** The invited person: the member's name or the guest's; empty when none. */
  name: string
  organization_name: string
  /** Staff only; masked but for admins. */
  phone: string
  invited_at: string | null
  created_by: number
  created_at: string
  /** null for callers who may not see who signed in. */
  present: boolean | null
  checked_in_at: string | null
}

export interface SeatList {
  items: Seat[]
  next_cursor: string
  seat_count: number
  seats_present: number
  presence_visible: boolean
}

/** Who is invited; {} leaves (or makes) the seat open. */
export interface SeatInvitee {
  user_id?: number
  organization_id?: number
  name?: string
}

export interface SeatInput {
  kind: SeatKind
  label: string
  invitee?: SeatInvitee
}

export interface SeatPatch {
  kind?: SeatKind
  label?: string
  position?: number
  invitee?: SeatInvitee
}

// Voting (投票): one engine for dot votes on card groups, formal votes on a
// motion and topic selection polls. Shapes of /polls, /meetings/:id/polls
// and /cycles/:id/polls.
export type PollMethod = 'approval' | 'single' | 'multi' | 'dot' | 'ranked' | 'score'
export type PollEligibility = 'attendees' | 'verified_residents' | 'members' | 'owners'
export type PollWeight = 'person' | 'household' | 'owner_area'
export type PollSecrecy = 'named' | 'secret'
export type PollVisibility = 'live' | 'after_vote' | 'after_close'
export type PollRule = '' | 'simple_majority' | 'majority_of_attendees' | 'two_thirds' | 'civil_code_278_ordinary' | 'civil_code_278_major'
export type PollStatus = 'draft' | 'open' | 'closed'
/** The fixed options of an approval poll; '' for any other option. */
export type ApprovalKey = 'yes' | 'no' | 'abstain'

export interface PollOption {
  id: number
  position: number
  label: string
  key: ApprovalKey | ''
  cluster_id: number | null
  card_id: number | null
  topic_id: number | null
}

/** What a poll means for the one asking. */
export interface PollViewer {
  eligible: boolean
  voted: boolean
  can_vote: boolean
  results_visible: boolean
  can_manage: boolean
}

export interface Poll {
  id: number
  community_id: number
  cycle_id: number
  meeting_id: number | null
  title: string
  method: PollMethod
  max_choices: number
  dots_per_voter: number
  max_dots_per_option: number
  score_max: number
  eligibility: PollEligibility
  weight: PollWeight
  secrecy: PollSecrecy
  results_visibility: PollVisibility
  rule: PollRule
  quorum: number
  status: PollStatus
  created_by: number
  opened_at: string | null
  closed_at: string | null
  closed_event_id: number | null
  created_at: string
  updated_at: string
  options: PollOption[]
  voters: number
  me: PollViewer | null
}

export interface PollInput {
  title: string
  method: PollMethod
  options?: { label?: string; cluster_id?: number; card_id?: number; topic_id?: number }[]
  max_choices?: number
  dots_per_voter?: number
  max_dots_per_option?: number
  score_max?: number
  eligibility: PollEligibility
  weight: PollWeight
  secrecy: PollSecrecy
  results_visibility: PollVisibility
  rule?: PollRule
  quorum?: number
}

/** A ballot: exactly the field of the poll's method; keys of dots and scores are option ids. */
export interface BallotChoice {
  choice?: ApprovalKey
  option_id?: number
  option_ids?: number[]
  dots?: Record<string, number>
  ranking?: number[]
  scores?: Record<string, number>
}

/** Whether one voted (or their household did), and their named ballot. */
export interface MyBallot {
  poll_id: number
  eligible: boolean
  /** Why one may not vote, as a problem code (not_signed_in_to_vote, …). */
  reason?: string
  voted: boolean
  cast_by_me: boolean
  can_change: boolean
  /** The named ballot; always null for a secret one. */
  ballot: BallotChoice | null
  cast_at: string | null
  changed_at: string | null
  changes: number
}

/** The Civil Code art. 278 figures of a decision (tally.OwnerFigures); areas in m². */
export interface OwnerFigures {
  eligible_owners: number
  eligible_area: number
  participating_owners: number
  participating_area: number
  approving_owners: number
  approving_area: number
  participation_by_head_met: boolean
  participation_by_area_met: boolean
  approval_by_head_met: boolean
  approval_by_area_met: boolean
  participation_threshold: string
  approval_threshold: string
}

/** How a motion's rule was applied, with every figure it used (tally.Decision). */
export interface PollDecision {
  rule: PollRule
  threshold: string
  yes: number
  no: number
  abstain: number
  attendees?: number
  /** The meeting's quorum the attendance at the close was held against. */
  meeting_quorum?: number
  majority_met: boolean
  quorum_met: boolean
  passed: boolean
  /** An owners' poll's figures by head and by area. */
  owners?: OwnerFigures
}

/** One option of a result; counts are null while hidden. */
export interface ResultOption {
  id: number
  key: ApprovalKey | ''
  label: string
  online: number | null
  offline: number | null
  total: number | null
  share: number | null
  supporters?: number | null
  rank: number | null
  /** An owners' poll's areas in m²; absent for other polls, null while hidden. */
  online_area?: number | null
  offline_area?: number | null
  total_area?: number | null
}

export interface PollResult {
  poll_id: number
  status: PollStatus
  method: PollMethod
  rule: PollRule
  source: 'live' | 'closed'
  computed_at: string
  counts_visible: boolean
  voters: number
  online_voters: number
  offline_voters: number
  eligible: number
  turnout: number | null
  quorum: number
  quorum_met: boolean
  quorum_reason?: QuorumReason
  passed: boolean | null
  options: ResultOption[]
  decision: PollDecision | null
  /** A closed secret poll whose totals could give a choice away (an option with 1–4 voters, or all of them). */
  small_counts: boolean
}

/** One owners' paper ballot entered unit by unit (书面表决票); choice is null in a secret poll. */
export interface PaperBallot {
  id: number
  poll_id: number
  household_id: number
  building_name: string
  room: string
  units: string[]
  area: number
  ballot_no: string
  choice: 'yes' | 'no' | 'abstain' | null
  entered_by: number
  entered_by_name: string
  entered_at: string
  voided_by: number | null
  voided_by_name: string | null
  voided_at: string | null
  void_reason: string | null
}

export interface PaperBallots {
  poll_id: number
  secrecy: PollSecrecy
  counted: number
  items: PaperBallot[]
}

/** One unit of an owners' poll's roll (表决名册); never its owner. */
export interface OwnerRollUnit {
  household_id: number
  building_id: number
  building_name: string
  room: string
  area: number
  mine: boolean
  voted: boolean | null
  paper: boolean | null
  choice: 'yes' | 'no' | 'abstain' | null
}

export interface OwnerRoll {
  poll_id: number
  status: PollStatus
  voted_visible: boolean
  choices_visible: boolean
  items: OwnerRollUnit[]
}

export interface OfflineTallyEdit {
  previous_voters: number | null
  previous_counts: Record<string, number> | null
  voters: number
  counts: Record<string, number>
  changed_by: number
  changed_by_name: string
  changed_at: string
}

/** One paper or show-of-hands source with its history. */
export interface OfflineTally {
  source: string
  voters: number
  counts: Record<string, number>
  updated_by: number
  updated_by_name: string
  updated_at: string
  history: OfflineTallyEdit[]
}

export interface OfflineTallies {
  poll_id: number
  voters: number
  counts: Record<string, number>
  items: OfflineTally[]
}

/** Mode poll: one poll of the meeting as the wall shows it; counts only while public. */
export interface WallPoll {
  id: number
  title: string
  method: PollMethod
  status: PollStatus
  rule: PollRule
  secrecy: PollSecrecy
  results_visibility: PollVisibility
  /** A motion voted at the round table: a consultation (协商). */
  consultation: boolean
  max_choices: number
  dots_per_voter: number
  max_dots_per_option: number
  score_max: number
  voters: number
  offline_voters: number
  eligible: number
  turnout: number | null
  quorum: number
  quorum_met: boolean
  quorum_reason?: QuorumReason
  counts_visible: boolean
  options: ResultOption[]
  passed: boolean | null
  decision: PollDecision | null
}

/** Which quorum a result missed; absent when it is quorate. */
export type QuorumReason = 'meeting_quorum' | 'poll_quorum' | 'owners_participation'

/** What GET /auth/options says this server offers on the login screens. */
export interface AuthOptions {
  /** A reset code can be texted (an SMS provider is configured). */
  sms_reset: boolean
  password_min_length: number
}

/** A one-time password reset code, shown once to the staff member who issued it. */
export interface ResetCode {
  code: string
  expires_at: string
}
