// Shapes of the /api/v1 JSON. The server's contract, handlers/openapi.yaml, is the one source:
// src/api/schema.d.ts is generated from it (`npm run api:types`; CI's `npm run api:check` fails
// when it is stale), and the names the UI uses are aliases of its schemas. Only what the contract
// does not describe (filters, stream frames, limits the UI enforces while typing) is written here.
import type { components } from './schema'

type Schemas = components['schemas']

export type Locale = 'zh-CN' | 'en'

export const ROLES = [
  'resident',
  'grid_worker',
  'facilitator',
  'party_member',
  'committee',
  'admin',
] as const satisfies readonly Role[]
export type Role = Schemas['Role']

export const ORGANIZATION_KINDS = [
  'property',
  'owners_committee',
  'self_governance',
  'district_department',
  'work_unit',
  'social_org',
] as const satisfies readonly OrganizationKind[]
export type OrganizationKind = Schemas['OrganizationKind']

export interface ListPage<T> {
  items: T[]
  next_cursor?: string | null
}

export type User = Schemas['User']

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

export type Me = Schemas['Me']

export type TokenResponse = Schemas['Session']

export type LoginRequest = Schemas['LoginRequest']

export type RegisterRequest = Schemas['RegisterRequest']

export type MePatch = Schemas['UpdateMeRequest']

export type Community = Schemas['Community']

export type CommunityInput = Schemas['CreateCommunityRequest']

export type RegisterPlaces = Schemas['PlaceTree']

export type Compound = Schemas['Compound']

export type CompoundInput = Schemas['CreateCompoundRequest']

export type Building = Schemas['Building']

export type Household = Schemas['Household']

export type HouseholdInput = Schemas['CreateHouseholdRequest']

export type Member = Schemas['MemberView']

export interface MemberFilter {
  role?: Role | ''
  verified?: boolean
  q?: string
}

export type MemberInput = Schemas['AddMemberRequest']

/**
 * An admin's offer of membership: what the admin typed and offered, nothing
 * of the account it reached. The person accepts or declines it on 我的社区.
 */
export type Invitation = Schemas['Invitation']

export type MemberPatch = Schemas['UpdateMemberRequest']

export type Organization = Schemas['Organization']

export type OrganizationInput = Schemas['CreateOrganizationRequest']

// The monthly cycle (docs/domain.md "The monthly cycle"): seven phases in order, plus cancelled.
export const PHASES = [
  'planning',
  'topic_collection',
  'topic_selection',
  'card_collection',
  'round_table',
  'resolved',
  'closed',
] as const satisfies readonly Phase[]
export type Phase = Schemas['Phase']

export type Cycle = Schemas['Cycle']

export type CycleInput = Schemas['CreateCycleRequest']

export type AdvanceInput = Schemas['AdvanceCycleRequest']

export const TOPIC_SOURCES = ['online', 'home_visit', 'hotline', 'property_log', 'party_branch'] as const satisfies readonly TopicSource[]
export type TopicSource = Schemas['TopicSource']
export type TopicStatus = Schemas['TopicStatus']

export type Topic = Schemas['Topic']

export type TopicInput = Schemas['ProposeTopicRequest']

/** The longest topic title and description, in characters. */
export const TOPIC_TITLE_MAX = 60
export const TOPIC_DESCRIPTION_MAX = 1000

export type CardOrigin = Schemas['CardOrigin']
export type CardStatus = Schemas['CardStatus']

/** The longest card body, in characters (the server counts code points). */
export const CARD_BODY_MAX = 300

export type Card = Schemas['Card']

export type CardInput = Schemas['SubmitCardRequest']

export interface CardFilter {
  status?: CardStatus | ''
  mine?: boolean
}

export type ReportResult = Schemas['ReportResult']

export type TimelineItem = Schemas['TimelineItem']

export type Upload = Schemas['Upload']

// RFC 9457 problem details with the project's two extra members.
/** A problem+json error; the client makes partial ones of its own (network, client). */
export type Problem = Partial<Schemas['Problem']>

export type MeetingStatus = Schemas['MeetingStatus']

export type AgendaItem = Schemas['AgendaItem']

/** 圆桌会议: the round table of a cycle. */
export type Meeting = Schemas['Meeting']

export type MeetingInput = Schemas['ScheduleMeetingRequest']

export type Attendance = Schemas['Attendance']

export type AttendanceList = Schemas['AttendanceList']

export type JoinResult = Schemas['JoinResult']

export type ClusterSuggestion = Schemas['Suggestion']

/** One Server-Sent Event of a meeting's stream. */
export interface StreamEvent {
  id: string
  type: string
  data: unknown
}

/** A group of cards on a meeting's wall (KJ method). */
export type Cluster = Schemas['Cluster']

/** A meeting's card wall: its groups in order and the cards in none of them. */
export type ClusterBoard = Schemas['ClusterBoard']

/** PUT /cards/:id/cluster: where a card lies now (both null: the loose pile). */
export type CardPlacement = Schemas['CardPlacement']

export type Stance = Schemas['Stance']
export type SpeakerSlotStatus = Schemas['SpeakerSlotStatus']

/** 发言: one person's turn to speak (a member, or someone without a phone by name). */
export type SpeakerSlot = Schemas['SpeakerSlot']

/** A waiting slot as the queue offers it; blocked ones say why. */
export type QueuedSpeaker = Schemas['QueuedSpeaker']

export type Speaking = Schemas['Speaking']

/** GET /meetings/:id/speakers: the queue on the current agenda item, the timer and the item timer. */
export type SpeakerBoard = Schemas['SpeakerBoard']

/** What a meeting's wall (大屏) can show. */
export type ProjectorMode = Schemas['ProjectorMode']

/** GET /display/:token and /meetings/:id/projector: the wall's state, and all it may know. */
export type Wall = Schemas['Wall']

/** A card on the wall: its text, never its author. */
export type WallCard = Schemas['WallCard']

export type WallGroup = Schemas['WallGroup']

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
] as const satisfies readonly SeatKind[]
export type SeatKind = Schemas['SeatKind']

export type Seat = Schemas['Seat']

export type SeatList = Schemas['SeatList']

/** Who is invited; {} leaves (or makes) the seat open. */
export type SeatInvitee = Schemas['SeatInvitee']

export type SeatInput = Schemas['InviteSeatRequest']

export type SeatPatch = Schemas['UpdateSeatRequest']

// Voting (投票): one engine for dot votes on card groups, formal votes on a
// motion and topic selection polls. Shapes of /polls, /meetings/:id/polls
// and /cycles/:id/polls.
export type PollMethod = Schemas['PollMethod']
export type PollEligibility = Schemas['PollEligibility']
export type PollWeight = Schemas['PollWeight']
export type PollSecrecy = Schemas['PollSecrecy']
export type PollVisibility = Schemas['PollVisibility']
export type PollRule = Schemas['PollRule']
export type PollStatus = Schemas['Poll']['status']
/** The fixed options of an approval poll; '' for any other option. */
export type ApprovalKey = 'yes' | 'no' | 'abstain'

export type PollOption = Schemas['PollOption']

/** What a poll means for the one asking. */
export type PollViewer = Schemas['PollViewer']

export type Poll = Schemas['Poll']

export type PollInput = Schemas['CreatePollRequest']

/** A ballot: exactly the field of the poll's method; keys of dots and scores are option ids. */
export type BallotChoice = Schemas['BallotChoice']

/** Whether one voted (or their household did), and their named ballot. */
export type MyBallot = Schemas['MyBallot']

/** The Civil Code art. 278 figures of a decision (tally.OwnerFigures); areas in m². */
export type OwnerFigures = Schemas['OwnerFigures']

/** How a motion's rule was applied, with every figure it used (tally.Decision). */
export type PollDecision = Schemas['Decision']

/** One option of a result; counts are null while hidden. */
export type ResultOption = Schemas['ResultOption']

export type PollResult = Schemas['PollResult']

/** One owners' paper ballot entered unit by unit (书面表决票); choice is null in a secret poll. */
export type PaperBallot = Schemas['PaperBallot']

export type PaperBallots = Schemas['PaperBallots']

/** One unit of an owners' poll's roll (表决名册); never its owner. */
export type OwnerRollUnit = Schemas['OwnerRollUnit']

export type OwnerRoll = Schemas['OwnerRoll']

export type OfflineTallyEdit = Schemas['OfflineTallyEdit']

/** One paper or show-of-hands source with its history. */
export type OfflineTally = Schemas['OfflineTally']

export type OfflineTallies = Schemas['OfflineTallies']

/** Mode poll: one poll of the meeting as the wall shows it; counts only while public. */
export type WallPoll = Schemas['WallPoll']
export type WallPollOption = Schemas['WallPollOption']

/** Which quorum a result missed; absent when it is quorate. */
export type QuorumReason = Schemas['QuorumReason']

/** What GET /auth/options says this server offers on the login screens. */
export type AuthOptions = Schemas['AuthOptions']

/** A one-time password reset code, shown once to the staff member who issued it. */
export type ResetCode = Schemas['ResetCode']
