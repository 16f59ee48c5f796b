// The committee's desk and the street's view (docs/desk.md): dashboards of a
// community and of a street, the records behind a figure, the streets a
// person reads.

import { api } from '@/api/client'
import type { Dashboard, DashFilter, DashRecordPage, RecordKind, Street, StreetObserver } from '@/api/desk-types'

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

// The superadmin's street screen: record a street, put communities in it,
// add and remove its observers (by the phone of their account).
export const createStreet = (s: { name: string; district: string; city: string }) => api.post<Street>('/streets', s)
export const addStreetCommunity = (sid: number, cid: number) => api.put<Street>(`/streets/${sid}/communities/${cid}`)
export const listStreetObservers = (sid: number) =>
  api.get<{ items: StreetObserver[] }>(`/streets/${sid}/observers`).then((p) => p.items)
export const addStreetObserver = (sid: number, phone: string) => api.post<void>(`/streets/${sid}/observers`, { phone })
export const removeStreetObserver = (sid: number, uid: number) => api.delete<void>(`/streets/${sid}/observers/${uid}`)

/** A rate (0–1, or null) as a whole percentage, "—" when there is nothing to divide. */
export function percent(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`
}
