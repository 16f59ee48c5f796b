// The audit trail (docs/audit-trail.md): the community's log searched with
// readable before and after, the chain check's badge, a resolution's story.
import { api } from '@/api/client'
import type { components } from '@/api/schema'

type Schemas = components['schemas']
export type AuditEvent = Schemas['Event']
export type AuditCheck = Schemas['AuditCheck']
export type ResolutionStory = Schemas['ResolutionStory']
export type FieldChange = Schemas['FieldChange']

export interface EventQuery {
  type?: string
  subject_type?: string
  subject_id?: string
  actor_id?: string
  from?: string
  to?: string
  before?: string
}

export function searchEvents(cid: number, q: EventQuery) {
  const params = new URLSearchParams({ order: 'desc', limit: '50' })
  for (const [k, v] of Object.entries(q)) if (v) params.set(k, String(v))
  return api.get<{ items: AuditEvent[]; next_cursor: string }>(`/communities/${cid}/events?${params}`)
}
export const lastCheck = (cid: number) =>
  api.get<{ last: AuditCheck | null }>(`/communities/${cid}/audit/checks/latest`).then((r) => r.last)
export const runCheck = (cid: number) => api.post<AuditCheck>(`/communities/${cid}/audit/checks`, {})
export const resolutionStory = (id: number) => api.get<ResolutionStory>(`/resolutions/${id}/story`)

/** A JSON value of a change as a person reads it. */
export function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? '✓' : '✗'
  return JSON.stringify(v)
}
