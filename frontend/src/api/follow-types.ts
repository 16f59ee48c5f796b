// Shapes of the follow-through's JSON (docs/follow-through.md): publicity and
// objections, the budget, action items, claims and updates — snake_case as the
// server sends them (handlers/openapi.yaml).
import type { Resolution } from './resolution-types'

export const ITEM_STATUSES = ['todo', 'in_progress', 'blocked', 'done', 'cancelled'] as const
export type ItemStatus = (typeof ITEM_STATUSES)[number]

export const FUNDING_SOURCES = ['maintenance_fund', 'government_subsidy', 'residents', 'property', 'other'] as const
export type FundingSource = (typeof FUNDING_SOURCES)[number]

export interface Objection {
  id: number
  resolution_id: number
  text: string
  answer: string
  answered_at: string | null
  created_at: string
  mine: boolean
}

/** A resolution with its follow-through. */
export interface FollowedResolution extends Resolution {
  publicity_ends_at: string | null
  budget_fen: number | null
  funding_source: FundingSource | ''
  objections: Objection[]
  progress: number
  item_count: number
  overdue_items: number
  spent_fen: number
}

export interface ItemClaim {
  id: number
  item_id: number
  user_id: number
  user_name?: string
  status: 'pending' | 'confirmed' | 'declined'
  created_at: string
}

export interface ItemUpdate {
  id: number
  item_id: number
  author_name: string
  note: string
  progress: number | null
  hours: number
  cost_fen: number
  photo_ids: number[]
  photo_urls: string[]
  created_at: string
}

export interface ActionItem {
  id: number
  community_id: number
  resolution_id: number
  resolution_title: string
  parent_id: number | null
  title: string
  weight: number
  due_date: string
  skills: string[]
  assignee_user_id: number | null
  assignee_org_id: number | null
  assignee_name: string
  assignee_org_name: string
  contact_name: string
  status: ItemStatus
  progress: number
  overdue: boolean
  blocked_reason: string
  open_for_claims: boolean
  has_children: boolean
  may_edit: boolean
  claims?: ItemClaim[]
  updates?: ItemUpdate[]
}

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
