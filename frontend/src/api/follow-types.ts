// Shapes of the follow-through's JSON (docs/follow-through.md): publicity and
// objections, the budget, action items, claims and updates — snake_case as the
// server sends them, aliases of the schemas generated from handlers/openapi.yaml.
import type { Resolution } from './resolution-types'
import type { components } from './schema'

export const ITEM_STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const
export type ItemStatus = (typeof ITEM_STATUSES)[number]

export const FUNDING_SOURCES = ['maintenance_fund', 'government_subsidy', 'residents', 'property', 'other'] as const
export type FundingSource = (typeof FUNDING_SOURCES)[number]

type Schemas = components['schemas']

export type Objection = Schemas['Objection']

/** A resolution with its follow-through (the server's Resolution carries it all). */
export type FollowedResolution = Resolution

export type ItemClaim = Schemas['ItemClaim']
export type ItemUpdate = Schemas['ItemUpdate']
export type ActionItem = Schemas['ActionItem']
export type Escalation = Schemas['Escalation']
export type EscalationChannel = Schemas['EscalationChannel']
export type RaiseEscalationInput = Schemas['RaiseEscalationRequest']

export interface ClaimableItem extends ActionItem {
  matched_skills: string[]
  load: number
  my_claim: '' | ItemClaim['status']
}

export interface ItemInput {
  title: string
  due_date: string
  parent_id?: number
  weight?: number
  skills?: string[]
  assignee_user_id?: number
  open_for_claims?: boolean
}

export interface UpdateInput {
  note: string
  progress?: number
  photo_ids?: number[]
  hours?: number
  cost_fen?: number
}
