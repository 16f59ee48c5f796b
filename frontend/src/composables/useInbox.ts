// The inbox (docs/notifications.md): notifications rendered by the server in
// the reader's language, the unread count behind the bell, kept live by the
// caller's notification stream (read with fetch, since EventSource cannot send
// the bearer token); and the last steps of a resolution — the satisfaction
// survey and the committee's sign-off.

import { ref } from 'vue'
import { api, API_BASE, getAccessToken, hasAccessToken, refreshSession } from '@/api/client'
import { parseEvents } from './useMeetings'

export interface InboxItem {
  id: number
  type: string
  subject_type: string
  subject_id: number
  community_id: number
  title: string
  body: string
  params: Record<string, unknown>
  read_at: string | null
  created_at: string
}

export interface InboxPage {
  items: InboxItem[]
  next_cursor: string
  unread: number
}

export type SurveyLevel = 'satisfied' | 'basically_satisfied' | 'dissatisfied' | 'very_dissatisfied'
export const surveyLevels: SurveyLevel[] = ['satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied']

export interface Acceptance {
  id: number
  round: number
  user_name: string
  decision: 'accept' | 'refuse'
  remarks: string
  created_at: string
}

export interface Survey {
  resolution_id: number
  status: string
  round: number
  households: number
  answers: number
  levels: Record<SurveyLevel, number>
  visits: number
  rate: number | null
  threshold: number
  below_threshold: boolean
  my_household_id: number | null
  my_level: string
  can_answer: boolean
  can_record_visits: boolean
  can_accept: boolean
  can_reopen: boolean
  acceptances: Acceptance[]
}

/** The unread count, shared by the bell and the inbox. */
export const unread = ref(0)

export async function listInbox(cursor = ''): Promise<InboxPage> {
  const page = await api.get<InboxPage>(`/me/notifications?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
  unread.value = page.unread
  return page
}

export async function markRead(body: { ids?: number[]; all?: boolean }): Promise<void> {
  const r = await api.post<{ unread: number }>('/me/notifications/read', body)
  unread.value = r.unread
}

export const getSurvey = (id: number) => api.get<Survey>(`/resolutions/${id}/survey`)
export const answerSurvey = (id: number, body: { level: SurveyLevel; household_id?: number; via?: 'visit' }) =>
  api.post(`/resolutions/${id}/survey-answers`, body)
export const signOff = (id: number, decision: 'accept' | 'refuse', remarks: string) =>
  api.post(`/resolutions/${id}/acceptance`, { decision, remarks })
export const reopen = (id: number, reason: string) => api.post(`/resolutions/${id}/reopen`, { reason })

/** Where a notification leads. */
export function inboxLink(n: InboxItem): string {
  switch (n.subject_type) {
    case 'card':
      return `/cards/${n.subject_id}`
    case 'item':
      return `/items/${n.subject_id}`
    case 'resolution':
      return `/resolutions/${n.subject_id}`
    case 'meeting':
      return `/meetings/${n.subject_id}`
    case 'objection':
      return n.params.resolution_id ? `/resolutions/${String(n.params.resolution_id)}` : '/'
  }
  return '/'
}

let running = false
let controller: AbortController | null = null

/** Keeps the unread count live while someone is logged in; started once. */
export function startInboxStream(onArrive?: (n: InboxItem) => void): void {
  if (running) return
  running = true
  void (async () => {
    let retryMs = 2000
    while (running && hasAccessToken()) {
      try {
        controller = new AbortController()
        const token = getAccessToken()
        const res = await fetch(`${API_BASE}/me/notifications/stream`, {
          headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          credentials: 'same-origin',
          signal: controller.signal,
          cache: 'no-store',
        })
        if (res.status === 401) {
          if (!(await refreshSession())) break
          continue
        }
        if (!res.ok || !res.body) throw new Error(`stream ${res.status}`)
        retryMs = 2000
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer = parseEvents(buffer + value, (e) => {
            const d = e.data as { unread?: number; notification?: InboxItem } | null
            if (d && typeof d.unread === 'number') unread.value = d.unread
            if (e.type === 'notification' && d?.notification) onArrive?.(d.notification)
          })
        }
      } catch {
        // Dropped: try again shortly.
      }
      if (!running) break
      await new Promise((r) => setTimeout(r, retryMs))
      retryMs = Math.min(retryMs * 2, 30000)
    }
    running = false
  })()
}

export function stopInboxStream(): void {
  running = false
  controller?.abort()
}
