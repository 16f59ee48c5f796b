// Shared steps of the voting browser tests: a round table under way with
// grouped cards, the console, the wall and residents' phones signed in at the
// meeting.

import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, login, resetDisplay } from './fixtures'

export interface Meeting {
  id: number
  join_code: string
  display_token: string
}
export interface Poll {
  id: number
  title: string
  status: string
  method: string
  secrecy: string
  results_visibility: string
  options: { id: number; label: string; key: string; cluster_id: number | null }[]
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
/** Verified residents of 安友花园 in the demo data: 张三, 李四, 王五, 赵六. */
export const RESIDENTS = [
  { phone: DEMO.resident, name: '张三' },
  { phone: '13900000102', name: '李四' },
  { phone: '13900000103', name: '王五' },
  { phone: '13900000104', name: '赵六' },
] as const

/** A started meeting of a fresh cycle at the round table; `groups` label → card bodies, made through the API. */
export async function meetingWithGroups(request: APIRequestContext, groups: Record<string, string[]> = {}) {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const meeting = await f.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 600_000).toISOString(),
    location: '2号楼架空层',
  })
  await f.ok(`/meetings/${meeting.id}/start`, {})
  const author = await Caller.login(request, DEMO.resident)
  const key = `vote-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  const clusters: { id: number; label: string }[] = []
  let n = 0
  for (const [label, bodies] of Object.entries(groups)) {
    const cl = await f.ok<{ id: number; label: string }>(`/meetings/${meeting.id}/clusters`, { label })
    clusters.push(cl)
    for (const body of bodies) {
      const card = await author.ok<{ id: number }>(`/cycles/${opened.cycle.id}/cards`, { body }, { 'Idempotency-Key': `${key}-${n++}` })
      const res = await request.put(`/api/v1/cards/${card.id}/cluster`, {
        headers: { Authorization: `Bearer ${f.token}` },
        data: { cluster_id: cl.id },
      })
      expect(res.status(), await res.text()).toBe(200)
    }
  }
  return { ...opened, meeting, clusters }
}

export async function openConsole(page: Page, cid: number, meetingId: number): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1400 })
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meetingId}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await expect(page.getByTestId('console-live')).toContainText('实时')
  await expect(page.getByTestId('console-polls')).toBeVisible()
}

export async function openWall(browser: Browser, baseURL: string | undefined, token: string) {
  const context = await browser.newContext({ ...WALL, baseURL })
  const wall = await context.newPage()
  await wall.goto(`/display/${token}`)
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')
  return { context, wall }
}

/** A resident signed in at the meeting (through the API), on a phone showing the meeting page. */
export async function residentPhone(
  browser: Browser,
  baseURL: string | undefined,
  request: APIRequestContext,
  who: { phone: string },
  meeting: Meeting,
  signIn = true,
): Promise<{ context: BrowserContext; page: Page }> {
  if (signIn) {
    const caller = await Caller.login(request, who.phone)
    const res = await caller.post('/meetings/join', { code: meeting.join_code })
    expect([200, 201], await res.text()).toContain(res.status())
  }
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  await login(page, who.phone, { to: `/meetings/${meeting.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('meeting-page')).toBeVisible()
  await expect(page.getByTestId('meeting-live')).toContainText('实时')
  return { context, page }
}

/** Confirms the open Vant dialog. */
export async function confirmDialog(page: Page): Promise<void> {
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.locator('.van-dialog:visible')).toHaveCount(0)
}

/** The meeting's polls as the facilitator reads them. */
export async function polls(facilitator: Caller, meetingId: number): Promise<Poll[]> {
  return (await facilitator.get<{ items: Poll[] }>(`/meetings/${meetingId}/polls`)).items
}
