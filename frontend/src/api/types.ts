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
  /** Initial password; the server needs it only when the phone has no account yet. */
  password?: string
  roles: Role[]
  compound_id?: number
  household_id?: number
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

// The monthly cycle (DESIGN.md §2): seven phases in order, plus cancelled.
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
  join_code: string
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

/** What a meeting's wall (大屏) can show. */
export type ProjectorMode = 'join' | 'topic' | 'cards' | 'message' | 'blank'

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
  topic: { title: string; reason: string } | null
  cards: { id: number; body: string }[] | null
  message: string | null
}
