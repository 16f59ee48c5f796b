// The committee's desk and the street's view (docs/desk.md): dashboards of a
// community and of a street, the records behind a figure, the streets a
// person reads.

import { api } from '@/api/client'
import type { Dashboard, DashFilter, DashRecordPage, RecordKind, Street } from '@/api/desk-types'

function query(f: DashFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ from: f.from, to: f.to, ...extra })
  if (f.compound_id) q.set('compound_id', String(f.compound_id))
  return q.toString()
}

export const communityDashboard = (cid: number, f: DashFilter) =>
  api.get<Dashboard>(`/communities/${cid}/dashboard?${query(f)}`)
export const streetDashboard = (sid: number, f: DashFilter) =>
  api.get<Dashboard>(`/streets/${sid}/dashboard?${query({ from: f.from, to: f.to })}`)
export const dashboardRecords = (cid: number, f: DashFilter, kind: RecordKind, status = '') =>
  api.get<DashRecordPage>(`/communities/${cid}/dashboard/records?${query(f, status ? { kind, status } : { kind })}`)
export const listStreets = () => api.get<{ items: Street[] }>('/streets').then((p) => p.items)

/** A rate (0–1, or null) as a whole percentage, "—" when there is nothing to divide. */
export function percent(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`
}
