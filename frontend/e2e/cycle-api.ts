// Test setup through the API: a fresh cycle of 西桥社区 in 安友花园, moved
// forward to the phase a test needs. Each call opens the month after the
// newest existing one, so the new cycle is the one a resident's home shows.

import { expect, type APIRequestContext } from '@playwright/test'
import { DEMO, DEMO_COMMUNITY, DEMO_PASSWORD } from './fixtures'

export const DEMO_COMPOUND = '安友花园'

const PHASES = ['planning', 'topic_collection', 'topic_selection', 'card_collection', 'round_table', 'resolved', 'closed'] as const
export type Phase = (typeof PHASES)[number]

export interface Cycle {
  id: number
  community_id: number
  compound_id: number
  month: string
  phase: string
  selected_topic_id: number | null
}

export interface Card {
  id: number
  body: string
  origin: string
  author_name: string
  anonymous: boolean
  photo_id: number | null
  status: string
  report_count: number
  mine: boolean
}

/** A logged-in API caller. */
export class Caller {
  constructor(
    private readonly request: APIRequestContext,
    readonly token: string,
  ) {}

  static async login(request: APIRequestContext, phone: string): Promise<Caller> {
    const res = await request.post('/api/v1/auth/login', { data: { phone, password: DEMO_PASSWORD } })
    expect(res.status(), await res.text()).toBe(200)
    return new Caller(request, (await res.json()).access_token)
  }

  private headers(extra: Record<string, string> = {}) {
    return { Authorization: `Bearer ${this.token}`, 'Accept-Language': 'zh-CN', ...extra }
  }

  async get<T>(path: string): Promise<T> {
    const res = await this.request.get(`/api/v1${path}`, { headers: this.headers() })
    expect(res.status(), `GET ${path}: ${await res.text()}`).toBe(200)
    return res.json() as Promise<T>
  }

  /** The raw response, for asserting refusals. */
  post(path: string, data: unknown, headers: Record<string, string> = {}) {
    return this.request.post(`/api/v1${path}`, { headers: this.headers(headers), data })
  }

  async ok<T>(path: string, data: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.post(path, data, headers)
    expect(res.ok(), `POST ${path}: ${res.status()} ${await res.text()}`).toBeTruthy()
    return res.json() as Promise<T>
  }
}

export interface Place {
  cid: number
  compoundId: number
}

export async function demoPlace(caller: Caller): Promise<Place> {
  const communities = await caller.get<{ items: { id: number; name: string }[] }>('/communities')
  const cid = communities.items.find((c) => c.name === DEMO_COMMUNITY)?.id
  expect(cid, `${DEMO_COMMUNITY} is seeded`).toBeTruthy()
  const compounds = await caller.get<{ items: { id: number; name: string }[] }>(`/communities/${cid}/compounds`)
  const compoundId = compounds.items.find((c) => c.name === DEMO_COMPOUND)?.id
  expect(compoundId, `${DEMO_COMPOUND} is seeded`).toBeTruthy()
  return { cid: cid!, compoundId: compoundId! }
}

/** The month after the newest cycle of the community (2030-01 at the earliest). */
export async function nextFreeMonth(caller: Caller, cid: number): Promise<string> {
  const list = await caller.get<{ items: Cycle[] }>(`/communities/${cid}/cycles`)
  const newest = list.items.map((c) => c.month).sort().pop() ?? '2029-12'
  const [y, m] = (newest < '2029-12' ? '2029-12' : newest).split('-').map(Number)
  const d = new Date(Date.UTC(y, m, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

export interface OpenedCycle extends Place {
  facilitator: Caller
  cycle: Cycle
  topicId: number | null
  topicTitle: string
}

/**
 * Opens a new cycle as the demo facilitator and moves it to `phase`. On the
 * way through topic collection it adds `topicTitle` (as typed in from a home
 * visit); passing topic selection, it selects that topic.
 */
export async function openCycle(
  request: APIRequestContext,
  phase: Phase,
  topicTitle = `3单元加装电梯（测试 ${Math.floor(Math.random() * 1e5)}）`,
): Promise<OpenedCycle> {
  const facilitator = await Caller.login(request, DEMO.facilitator)
  const place = await demoPlace(facilitator)
  const month = await nextFreeMonth(facilitator, place.cid)
  let cycle = await facilitator.ok<Cycle>(`/communities/${place.cid}/cycles`, {
    month,
    compound_id: place.compoundId,
    reason: '老人多，加装电梯的呼声最高',
  })
  let topicId: number | null = null
  for (const to of PHASES.slice(1, PHASES.indexOf(phase) + 1)) {
    if (cycle.phase === 'topic_selection' && topicId) {
      cycle = await facilitator.ok<Cycle>(`/cycles/${cycle.id}/select-topic`, {
        topic_id: topicId,
        reason: '附议最多，关系到全楼老人出行',
      })
    }
    cycle = await facilitator.ok<Cycle>(`/cycles/${cycle.id}/advance`, { to })
    if (cycle.phase === 'topic_collection') {
      const topic = await facilitator.ok<{ id: number }>(`/cycles/${cycle.id}/topics`, {
        title: topicTitle,
        description: '入户走访时好几位老人提到上下楼困难',
        source: 'home_visit',
      })
      topicId = topic.id
    }
  }
  expect(cycle.phase).toBe(phase)
  return { ...place, facilitator, cycle, topicId, topicTitle }
}

/**
 * A round table that adopts a resolution: the facilitator schedules and
 * starts a meeting, `voter` signs in and votes yes on a named motion, and the
 * facilitator drafts the resolution from it and adopts the draft (an ordinary
 * one, whose vote passed), standing on `cardIds`.
 */
export async function adoptedResolution<R extends { id: number; status: string }>(
  opened: OpenedCycle,
  voter: Caller,
  meetingTitle: string,
  cardIds: number[] = [],
): Promise<R> {
  const f = opened.facilitator
  const meeting = await f.ok<{ id: number; join_code: string }>(`/cycles/${opened.cycle.id}/meetings`, {
    title: meetingTitle,
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '2号楼架空层',
  })
  await f.ok(`/meetings/${meeting.id}/start`, {})
  await voter.ok('/meetings/join', { code: meeting.join_code })
  const poll = await f.ok<{ id: number }>(`/meetings/${meeting.id}/polls`, {
    title: '同意加装电梯',
    method: 'approval',
    eligibility: 'attendees',
    weight: 'person',
    secrecy: 'named',
    results_visibility: 'live',
    rule: 'simple_majority',
  })
  await f.ok(`/polls/${poll.id}/open`, {})
  await voter.ok(`/polls/${poll.id}/ballots`, { choice: 'yes' })
  await f.ok(`/polls/${poll.id}/close`, {})
  const draft = await f.ok<R>(`/cycles/${opened.cycle.id}/resolutions`, {
    poll_id: poll.id,
    title: '3单元加装电梯',
    text: '同意加装电梯，费用按楼层分摊。',
    ...(cardIds.length ? { card_ids: cardIds } : {}),
  })
  // A draft until the facilitator, having read it out on the wall, adopts it (docs/paper.md).
  expect(draft.status).toBe('draft')
  const r = await f.ok<R>(`/resolutions/${draft.id}/adopt`, {})
  expect(r.status).toBe('adopted')
  return r
}
