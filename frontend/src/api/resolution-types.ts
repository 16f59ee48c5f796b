// Shapes of the resolutions (决议) and owners' register (业主名册) JSON, as the
// server sends them (snake_case kept, so a field here can be searched for in
// the Go code and in handlers/openapi.yaml); the polls they refer to are in
// types.ts.
import type { PollDecision } from './types'

/** How a round table's resolution stands (docs/domain.md "The monthly cycle", the first steps). */
export type ResolutionStatus =
  | 'draft'
  | 'adopted'
  | 'rejected'
  | 'publicity'
  | 'implementing'
  | 'evaluating'
  | 'accepted'

/**
 * What decides a resolution: the round table's consultation (协商), or the
 * owners under Civil Code art. 278 by a double majority or by double three
 * quarters.
 */
export const RESOLUTION_CATEGORIES = ['ordinary', 'civil_code_278_ordinary', 'civil_code_278_major'] as const
export type ResolutionCategory = (typeof RESOLUTION_CATEGORIES)[number]

/** The matters Civil Code art. 278 reserves to the owners, in the API's order. */
export const MATTERS_278 = [
  'rules_of_procedure',
  'management_covenant',
  'owners_committee',
  'property_service',
  'maintenance_fund_use',
  'maintenance_fund_raise',
  'rebuilding',
  'common_parts_use',
  'elevator_retrofit',
  'other_major_matter',
] as const
export type Matter278 = (typeof MATTERS_278)[number]

/** The rule each matter is decided under (models.MatterCategory). */
export const MATTER_CATEGORY: Record<Matter278, Exclude<ResolutionCategory, 'ordinary'>> = {
  rules_of_procedure: 'civil_code_278_ordinary',
  management_covenant: 'civil_code_278_ordinary',
  owners_committee: 'civil_code_278_ordinary',
  property_service: 'civil_code_278_ordinary',
  maintenance_fund_use: 'civil_code_278_ordinary',
  other_major_matter: 'civil_code_278_ordinary',
  maintenance_fund_raise: 'civil_code_278_major',
  rebuilding: 'civil_code_278_major',
  common_parts_use: 'civil_code_278_major',
  elevator_retrofit: 'civil_code_278_major',
}

/** The longest resolution title and text, in characters. */
export const RESOLUTION_TITLE_MAX = 100
export const RESOLUTION_TEXT_MAX = 5000

/** The owners' decision on a 278 matter: an owners' poll, or the official platform's result. */
export interface OwnersDecision {
  kind: 'poll' | 'official'
  poll_id: number | null
  source: string
  decided_on: string
  eligible_units: number
  eligible_area: number
  participating_units: number
  participating_area: number
  units_for: number
  area_for: number
  units_against: number
  area_against: number
  notice_upload_id: number | null
  notice_url: string
  passed: boolean
  decision: PollDecision | null
  recorded_by: number
  recorded_at: string
}

/** One signature (签字); names only for facilitators, admins and the committee. */
export interface Signature {
  id: number
  user_id: number | null
  name: string
  method: 'self' | 'facilitator'
  signed_by: number
  /** Who signed this person in (代签); empty for one's own signature. */
  signed_by_name: string
  signed_at: string
}

export interface Resolution {
  id: number
  community_id: number
  cycle_id: number
  meeting_id: number
  poll_id: number
  title: string
  text: string
  category: ResolutionCategory
  matter: Matter278 | ''
  /** The category and the matter in the reader's language. */
  category_label: string
  matter_label: string
  status: ResolutionStatus
  poll_passed: boolean
  drafted_by: number
  decided_at: string | null
  created_at: string
  updated_at: string
  poll_title: string
  owners_decision_required: boolean
  owners_decision: OwnersDecision | null
  cluster_ids: number[]
  card_ids: number[]
  signature_count: number
  signed_by_me: boolean
  can_sign: boolean
  names_visible: boolean
  signatures: Signature[]
}

export interface ResolutionInput {
  poll_id: number
  title: string
  text: string
  category?: ResolutionCategory
  matter?: Matter278
  cluster_ids?: number[]
  card_ids?: number[]
}

/** An owners' vote as the city's official e-voting platform published it; areas in m². */
export interface OfficialResultInput {
  source: string
  /** YYYY-MM-DD, in Asia/Shanghai. */
  decided_on: string
  eligible_units: number
  eligible_area: number
  participating_units: number
  participating_area: number
  units_for: number
  area_for: number
  units_against: number
  area_against: number
  notice_upload_id: number
}

export type OwnersDecisionInput = { poll_id: number } | { official: OfficialResultInput }

/** {} signs for oneself; a facilitator signs in an attendee by user id or a walk-in by name. */
export type SignInput = Record<string, never> | { user_id: number } | { name: string }

/** Who owns a unit, as admins and facilitators see it. */
export interface UnitOwner {
  kind: 'member' | 'named'
  user_id: number | null
  name: string
  /** Shared by every unit of one owner. */
  owner_key: string
  /** How many units of the compound this owner holds. */
  units: number
  updated_at: string
}

export interface RegisterUnit {
  household_id: number
  building_id: number
  building_name: string
  room: string
  area: number
  /** The caller owns this unit. */
  mine: boolean
  owner: UnitOwner | null
}

/** GET /compounds/:id/owners: a compound's (or one building's) owners' register. */
export interface OwnerRegister {
  compound_id: number
  building_id: number | null
  units: number
  /** Owners by head: an owner of several units once, a unit without a recorded owner as one. */
  heads: number
  /** Total exclusive area, m². */
  area: number
  /** Units with a recorded owner; null for those who may not see owners. */
  recorded: number | null
  names_visible: boolean
  items: RegisterUnit[]
}

/** PUT /households/:id/owner: exactly one of the three. */
export type OwnerInput = { user_id: number } | { name: string } | { same_owner_as: number }
