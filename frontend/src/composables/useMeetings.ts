// Meetings (圆桌会议) of a cycle: scheduling, the list, start and end, the
// join code sign-in, attendance and check-in, grouping suggestions, and the
// live stream (Server-Sent Events read with fetch, since EventSource cannot
// send the bearer token).

import { onBeforeUnmount, ref, type Ref } from 'vue'
import { api, API_BASE, ApiError, hasAccessToken, refreshSession, getAccessToken } from '@/api/client'
import type {
  AttendanceList,
  Attendance,
  ClusterBoard,
  ClusterSuggestion,
  JoinResult,
  ListPage,
  Meeting,
  MeetingInput,
  StreamEvent,
} from '@/api/types'
import { useAsync } from './useAsync'

export function listMeetings(cycleId: number): Promise<Meeting[]> {
  return api.get<ListPage<Meeting>>(`/cycles/${cycleId}/meetings`).then((p) => p.items)
}

export function getMeeting(id: number): Promise<Meeting> {
  return api.get<Meeting>(`/meetings/${id}`)
}

export function scheduleMeeting(cycleId: number, input: MeetingInput): Promise<Meeting> {
  return api.post<Meeting>(`/cycles/${cycleId}/meetings`, input)
}

export function startMeeting(id: number): Promise<Meeting> {
  return api.post<Meeting>(`/meetings/${id}/start`, {})
}

export function endMeeting(id: number, summary: string, cardIds: number[] = []): Promise<Meeting> {
  return api.post<Meeting>(`/meetings/${id}/end`, { minutes: { summary, card_ids: cardIds } })
}

export function renewDisplayToken(id: number): Promise<string> {
  return api.post<{ display_token: string }>(`/meetings/${id}/display-token`, {}).then((r) => r.display_token)
}

/**
 * The wall's current token from the server, for any facilitator on any
 * computer; null when the meeting's token predates the server keeping it
 * (409 wall_link_unknown), so only this browser's copy, if any, is left.
 */
export async function wallToken(id: number): Promise<string | null> {
  try {
    return (await api.get<{ url: string; display_token: string }>(`/meetings/${id}/wall-link`)).display_token
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) return null
    throw e
  }
}

export function joinMeeting(code: string, method: 'code' | 'qr' = 'code'): Promise<JoinResult> {
  return api.post<JoinResult>('/meetings/join', { code, method })
}

export function meetingAttendance(id: number): Promise<AttendanceList> {
  return api.get<AttendanceList>(`/meetings/${id}/attendance`)
}

export function checkIn(id: number, who: { user_id: number } | { name: string }): Promise<Attendance> {
  return api.post<Attendance>(`/meetings/${id}/attendance`, who)
}

export function clusterSuggestions(id: number): Promise<ClusterSuggestion[]> {
  return api.get<ListPage<ClusterSuggestion>>(`/meetings/${id}/cluster-suggestions`).then((p) => p.items)
}

/** The meetings of one cycle, soonest first. */
export function useMeetings(cycleId: Ref<number>) {
  const items = ref<Meeting[]>([])
  const state = useAsync()
  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        items.value = (await listMeetings(cycleId.value)).sort((a, b) => a.starts_at.localeCompare(b.starts_at))
      })
    },
    async schedule(input: MeetingInput): Promise<Meeting> {
      const m = await scheduleMeeting(cycleId.value, input)
      items.value = [...items.value, m].sort((a, b) => a.starts_at.localeCompare(b.starts_at))
      return m
    },
  }
}

/** Splits a text/event-stream body into events; returns the unparsed rest. */
export function parseEvents(buffer: string, emit: (e: StreamEvent) => void): string {
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n')
  const rest = blocks.pop() ?? ''
  for (const block of blocks) {
    let id = ''
    let type = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue
      const i = line.indexOf(':')
      const field = i < 0 ? line : line.slice(0, i)
      let value = i < 0 ? '' : line.slice(i + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'id') id = value
      else if (field === 'event') type = value
      else if (field === 'data') data.push(value)
    }
    let parsed: unknown = data.join('\n')
    try {
      parsed = JSON.parse(parsed as string)
    } catch {
      // Not JSON: keep the text.
    }
    emit({ id, type, data: parsed })
  }
  return rest
}

/**
 * Follows GET /meetings/:id/stream while the component lives: reconnects
 * after a drop with Last-Event-ID (so nothing is lost), refreshes the token
 * on 401, and calls `onEvent` for each event. `live` says whether the stream
 * is open now.
 */
export function useMeetingStream(meetingId: Ref<number>, onEvent: (e: StreamEvent) => void) {
  const live = ref(false)
  let lastId = ''
  let stopped = false
  let controller: AbortController | null = null
  let retryMs = 1000

  async function connectOnce(): Promise<void> {
    controller = new AbortController()
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    const token = getAccessToken()
    if (token) headers.Authorization = `Bearer ${token}`
    if (lastId) headers['Last-Event-ID'] = lastId
    const res = await fetch(`${API_BASE}/meetings/${meetingId.value}/stream`, {
      headers,
      credentials: 'same-origin',
      signal: controller.signal,
      cache: 'no-store',
    })
    if (res.status === 401) {
      if (!(await refreshSession())) throw new Error('unauthorized')
      return
    }
    if (!res.ok || !res.body) throw new Error(`stream ${res.status}`)
    live.value = true
    retryMs = 1000
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer = parseEvents(buffer + value, (e) => {
        if (e.id) lastId = e.id
        onEvent(e)
      })
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        await connectOnce()
      } catch {
        // Dropped or refused: wait and try again.
      }
      live.value = false
      if (stopped || !hasAccessToken()) break
      await new Promise((r) => setTimeout(r, retryMs))
      retryMs = Math.min(retryMs * 2, 15000)
      // Something may have happened while we were away from a fresh stream.
      if (!lastId) onEvent({ id: '', type: 'reconnected', data: null })
    }
  }

  function start(): void {
    stopped = false
    void loop()
  }
  function stop(): void {
    stopped = true
    controller?.abort()
  }
  onBeforeUnmount(stop)
  return { live, start, stop }
}

const DISPLAY_KEY = 'yyt.display.'

/**
 * The server gives the projector's token only when it makes one, so this
 * browser keeps the latest per meeting; another computer renews it.
 */
export function rememberDisplayToken(meetingId: number, token: string): void {
  try {
    localStorage.setItem(DISPLAY_KEY + meetingId, token)
  } catch {
    // Storage refused: the console shows it until reload.
  }
}

export function rememberedDisplayToken(meetingId: number): string | null {
  try {
    return localStorage.getItem(DISPLAY_KEY + meetingId)
  } catch {
    return null
  }
}

/** The wall's groups, or null while the server has no clusters API (404). */
export async function clusterBoard(meetingId: number): Promise<ClusterBoard | null> {
  try {
    return await api.get<ClusterBoard>(`/meetings/${meetingId}/clusters`)
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null
    throw e
  }
}
