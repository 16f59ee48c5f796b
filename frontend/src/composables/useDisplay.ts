// The wall (大屏) of a meeting: its state by display token (no login), the
// projector controls of the facilitator with their preview, and the wall's
// stream. The stream needs no bearer token, so a plain EventSource follows it
// and reconnects by itself with Last-Event-ID.

import { api, API_BASE } from '@/api/client'
import type { ProjectorMode, Wall } from '@/api/types'

/** The modes in the console's order. */
export const PROJECTOR_MODES: readonly ProjectorMode[] = ['join', 'topic', 'cards', 'cluster', 'speaker', 'poll', 'message', 'blank']

/** What the facilitator puts on the wall: a mode, and the group, poll or text the mode takes. */
export interface ProjectorChoice {
  mode: ProjectorMode
  cluster_id?: number
  poll_id?: number
  message?: string
  /** The resolution of the resolution mode: a draft read out before it is adopted. */
  resolution_id?: number
  /** The page of the cards to hold (cards and cluster), 1-based; absent lets the wall turn pages (docs/wall.md). */
  page?: number
}

/** The body of a choice: only the fields its mode takes. */
function choiceBody(c: ProjectorChoice): ProjectorChoice {
  const page = c.page ? { page: c.page } : {}
  if (c.mode === 'cluster') return { mode: c.mode, cluster_id: c.cluster_id, ...page }
  if (c.mode === 'cards') return { mode: c.mode, ...page }
  if (c.mode === 'poll') return { mode: c.mode, poll_id: c.poll_id }
  if (c.mode === 'message') return { mode: c.mode, message: c.message }
  if (c.mode === 'resolution') return { mode: c.mode, resolution_id: c.resolution_id }
  return { mode: c.mode }
}

export function getWall(token: string): Promise<Wall> {
  return api.get<Wall>(`/display/${encodeURIComponent(token)}`, { auth: false })
}

/** What the wall shows now, for the console. */
export function getProjector(meetingId: number): Promise<Wall> {
  return api.get<Wall>(`/meetings/${meetingId}/projector`)
}

/** The wall as a choice would show it, without putting it up; refused like putting it up would be. */
export function previewProjector(meetingId: number, choice: ProjectorChoice): Promise<Wall> {
  const query: Record<string, string> = {}
  for (const [k, v] of Object.entries(choiceBody(choice))) if (v !== undefined && v !== '') query[k] = String(v)
  return api.get<Wall>(`/meetings/${meetingId}/projector`, { query })
}

export function setProjector(meetingId: number, choice: ProjectorChoice): Promise<Wall> {
  return api.put<Wall>(`/meetings/${meetingId}/projector`, choiceBody(choice))
}

/** The event types the wall's stream sends; each one means "fetch the wall again". */
export const WALL_EVENTS = [
  'connected',
  'attendance.changed',
  'projector.changed',
  'meeting.started',
  'meeting.ended',
  'meeting.display_token_renewed',
  'meeting.item_changed',
  'card.created',
  'card.corrected',
  'card.hidden',
  'card.restored',
  'card.withdrawn',
  'card.grouped',
  'card.ungrouped',
  'cluster.created',
  'cluster.renamed',
  'cluster.reordered',
  'cluster.dissolved',
  'speaker.asked',
  'speaker.started',
  'speaker.finished',
  'speaker.withdrawn',
  'poll.opened',
  'poll.ballot_cast',
  'poll.ballot_changed',
  'poll.offline_tally_set',
  'poll.closed',
  'resolution.amended',
  'resolution.adopted',
  'resolution.rejected',
  'resolution.owners_decision_recorded',
] as const

export function wallStreamUrl(token: string): string {
  return `${API_BASE}/display/${encodeURIComponent(token)}/stream`
}
