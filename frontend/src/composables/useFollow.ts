// The follow-through of a resolution (docs/follow-through.md): publicity with
// objections, the budget, action items, claims, updates with photos, and the
// caller's own items.

import { api } from '@/api/client'
import type { ListPage } from '@/api/types'
import type {
  ActionItem,
  ClaimableItem,
  Escalation,
  FollowedResolution,
  ItemClaim,
  ItemInput,
  ItemStatus,
  Objection,
  RaiseEscalationInput,
  UpdateInput,
} from '@/api/follow-types'

export const startPublicity = (id: number, days?: number) =>
  api.post<FollowedResolution>(`/resolutions/${id}/publicity`, days === undefined ? {} : { days })
export const lodgeObjection = (id: number, text: string) => api.post<Objection>(`/resolutions/${id}/objections`, { text })
export const answerObjection = (id: number, text: string) => api.post<Objection>(`/objections/${id}/answer`, { text })
export const setBudget = (id: number, budget_fen: number, funding_source: string) =>
  api.patch<FollowedResolution>(`/resolutions/${id}`, { budget_fen, funding_source })

export const listItems = (resolutionId: number) =>
  api.get<ListPage<ActionItem>>(`/resolutions/${resolutionId}/items`).then((p) => p.items)
export const createItem = (resolutionId: number, input: ItemInput) => api.post<ActionItem>(`/resolutions/${resolutionId}/items`, input)
export const getItem = (id: number) => api.get<ActionItem>(`/items/${id}`)
export const updateItem = (id: number, patch: { status?: ItemStatus; progress?: number; blocked_reason?: string }) =>
  api.patch<ActionItem>(`/items/${id}`, patch)
export const postUpdate = (id: number, input: UpdateInput) => api.post(`/items/${id}/updates`, input)
export const myItems = () => api.get<ListPage<ActionItem>>('/me/items').then((p) => p.items)

export const claimItem = (id: number) => api.post<ItemClaim>(`/items/${id}/claims`, {})
export const decideClaim = (id: number, confirm: boolean) => api.post<ItemClaim>(`/claims/${id}/${confirm ? 'confirm' : 'decline'}`, {})
export const claimableItems = (cid: number) =>
  api.get<{ items: ClaimableItem[]; load: number }>(`/communities/${cid}/claimable-items`)

// Escalations of an item beyond the community's remit (吹哨 / 12345).
export const raiseEscalation = (itemId: number, input: RaiseEscalationInput) =>
  api.post<Escalation>(`/items/${itemId}/escalations`, input)
export const updateEscalation = (id: number, patch: { ticket_no?: string; department?: string; response_due?: string }) =>
  api.patch<Escalation>(`/escalations/${id}`, patch)
export const respondEscalation = (id: number, input: { response: string; responded_on?: string }) =>
  api.post<Escalation>(`/escalations/${id}/response`, input)

/** Fen as yuan with two decimals: 12000 → "120.00". */
export function yuan(fen: number | null | undefined): string {
  return ((fen ?? 0) / 100).toFixed(2)
}

/** Photos are shrunk on the phone by the one helper every form uses. */
export { shrinkPhoto } from './useUploads'
