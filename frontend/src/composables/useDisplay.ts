// The wall (大屏) of a meeting: its state by display token (no login), the
// projector controls of the facilitator, and the wall's stream. The stream
// needs no bearer token, so a plain EventSource follows it and reconnects by
// itself with Last-Event-ID.

import { api, API_BASE } from '@/api/client'
import type { ProjectorMode, Wall } from '@/api/types'

export const PROJECTOR_MODES: readonly ProjectorMode[] = ['join', 'topic', 'cards', 'message', 'blank']

export function getWall(token: string): Promise<Wall> {
  return api.get<Wall>(`/display/${encodeURIComponent(token)}`, { auth: false })
}

export function getProjector(meetingId: number): Promise<Wall> {
  return api.get<Wall>(`/meetings/${meetingId}/projector`)
}

export function setProjector(meetingId: number, mode: ProjectorMode, message?: string): Promise<Wall> {
  return api.put<Wall>(`/meetings/${meetingId}/projector`, mode === 'message' ? { mode, message } : { mode })
}

/** The event types the wall's stream sends; each one means "fetch the wall again". */
export const WALL_EVENTS = [
  'connected',
  'attendance.changed',
  'projector.changed',
  'meeting.started',
  'meeting.ended',
  'meeting.display_token_renewed',
  'card.created',
  'card.hidden',
  'card.restored',
  'card.withdrawn',
] as const

export function wallStreamUrl(token: string): string {
  return `${API_BASE}/display/${encodeURIComponent(token)}/stream`
}
