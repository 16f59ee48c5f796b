// The wall follows the console within a second. Two pages side by side — the
// facilitator's console on a laptop and the wall (/display/<token>, no login,
// 1920×1080, never reloaded):
// (1) grouping cards in the console — a suggestion chip made into a group,
//     then one more card moved in — shows on the wall's card wall in under a
//     second, measured from the click to the change in the wall's DOM; the
//     console previews one group before putting it up;
// (2) a speaker queued from a phone takes the floor from the console and the
//     wall shows the masked name, the stance and a countdown that turns amber
//     at 30 s left and counts the overtime.

import type { APIRequestContext, Browser, Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
  display_token: string
}

const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

/** A meeting under way (the cycle at the round table), with `speech_seconds` a speech. */
async function meetingUnderWay(request: APIRequestContext, speechSeconds?: number) {
  const opened = await openCycle(request, 'card_collection')
  const meeting = await opened.facilitator.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 600_000).toISOString(),
    location: '2号楼架空层',
    agenda: [{ title: '费用怎么分摊', minutes: 25 }],
    ...(speechSeconds ? { speech_seconds: speechSeconds } : {}),
  })
  expect(meeting.display_token).toBeTruthy()
  await opened.facilitator.ok(`/meetings/${meeting.id}/start`, {})
  return { ...opened, meeting }
}

async function putProjector(request: APIRequestContext, as: Caller, meetingId: number, data: unknown): Promise<void> {
  const res = await request.put(`/api/v1/meetings/${meetingId}/projector`, { headers: { Authorization: `Bearer ${as.token}` }, data })
  expect(res.status(), await res.text()).toBe(200)
}

async function openConsole(page: Page, cid: number, meetingId: number): Promise<void> {
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meetingId}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await expect(page.getByTestId('console-live')).toContainText('实时')
}

async function openWall(browser: Browser, baseURL: string | undefined, token: string, clock = false) {
  const context = await browser.newContext({ ...WALL, baseURL })
  const wall = await context.newPage()
  // A clock the test can move: the wall counts a turn down on its own timer.
  if (clock) await wall.clock.install()
  await wall.goto(`/display/${token}`)
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')
  return { context, wall }
}

declare global {
  interface Window {
    __seenAt?: number
    __clickedAt?: number
    __allAt?: number
  }
}

/**
 * Starts watching the wall's DOM for a group column labelled `label`: the
 * time it first holds one of `bodies` is kept in window.__seenAt, the time
 * it holds all of them in window.__allAt.
 */
async function watchForGroup(wall: Page, label: string, bodies: string[]): Promise<void> {
  await wall.evaluate(
    ([label, bodies]) => {
      window.__seenAt = 0
      window.__allAt = 0
      const check = () => {
        for (const col of document.querySelectorAll('section[data-testid^="wall-group-"]')) {
          const text = col.textContent ?? ''
          if (!text.includes(label as string)) continue
          const held = (bodies as string[]).filter((b) => text.includes(b)).length
          if (held && !window.__seenAt) window.__seenAt = Date.now()
          if (held === bodies.length && !window.__allAt) window.__allAt = Date.now()
        }
      }
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true })
      check()
    },
    [label, bodies] as const,
  )
}

/** Keeps in window.__clickedAt when the next click on an element matching `selector` happens. */
async function watchClick(page: Page, selector: string): Promise<void> {
  await page.evaluate((selector) => {
    window.__clickedAt = 0
    document.addEventListener(
      'click',
      (e) => {
        if (!window.__clickedAt && (e.target as Element | null)?.closest(selector)) window.__clickedAt = Date.now()
      },
      { capture: true },
    )
  }, selector)
}

/**
 * Milliseconds from the click watchClick saw on the console to the wall
 * showing a card in the group, and to it showing all of them; both pages
 * read the same machine clock.
 */
async function clickToWall(consolePage: Page, wall: Page): Promise<{ first: number; all: number }> {
  await wall.waitForFunction(() => (window.__allAt ?? 0) > 0, null, { timeout: 5_000 })
  const clickedAt = await consolePage.evaluate(() => window.__clickedAt ?? 0)
  expect(clickedAt).toBeGreaterThan(0)
  const seen = await wall.evaluate(() => ({ first: window.__seenAt!, all: window.__allAt! }))
  return { first: seen.first - clickedAt, all: seen.all - clickedAt }
}

test('grouping in the console shows on the wall within a second; one group goes up after a preview', async ({ page, browser, baseURL, request }) => {
  const { cid, cycle, facilitator, meeting } = await meetingUnderWay(request)
  const resident = await Caller.login(request, DEMO.resident)
  const bodies = ['电梯费用按楼层分摊，高层多出一点', '电梯费用按楼层高低分摊，低层少出一点', '施工期间晚上别施工，老人要休息']
  const cards: { id: number; body: string }[] = []
  for (const [i, body] of bodies.entries()) {
    cards.push(await resident.ok(`/cycles/${cycle.id}/cards`, { body }, { 'Idempotency-Key': `wall-live-${Date.now()}-${i}` }))
  }
  await putProjector(request, facilitator, meeting.id, { mode: 'cards' })

  await openConsole(page, cid, meeting.id)
  const { context, wall } = await openWall(browser, baseURL, meeting.display_token)
  await expect(wall.getByTestId('wall-cards')).toContainText('共 3 张')
  for (const c of cards) await expect(wall.getByTestId(`wall-card-${c.id}`)).toHaveText(c.body)
  await expect(wall.getByTestId('wall-cards')).not.toContainText('张三')

  // (1) The chip for the two cost-sharing cards becomes a labelled group.
  const label = '按楼层分摊费用'
  await page.getByTestId('console-suggestion-0').click()
  await page.getByTestId('console-group').click()
  await page.getByTestId('group-input').locator('textarea').fill(label)
  await watchForGroup(wall, label, bodies.slice(0, 2))
  await watchClick(page, '.van-dialog__confirm')
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  // The console makes the group with both cards in one request: the whole group must show
  // within a second.
  const grouped = await clickToWall(page, wall)
  console.log(`wall shows the new group with a card ${grouped.first} ms, with both ${grouped.all} ms after the click`)
  expect(grouped.first).toBeLessThan(1000)
  expect(grouped.all).toBeLessThan(1000)
  const column = wall.locator('section[data-testid^="wall-group-"]').filter({ hasText: label })
  await expect(column).toHaveCount(1)
  await expect(wall.getByTestId('wall-loose')).toContainText(bodies[2])
  const groupId = Number((await column.getAttribute('data-testid'))!.replace('wall-group-', ''))

  // (2) The third card moved into the group with the console's move control.
  await page.getByTestId(`kj-move-${cards[2].id}`).click()
  const option = page.getByTestId(`kj-move-option-g${groupId}`)
  await expect(option).toBeVisible()
  await watchForGroup(wall, label, bodies)
  await watchClick(page, '[data-testid="kj-move-option-g' + groupId + '"]')
  await option.click()
  const moved = await clickToWall(page, wall)
  console.log(`wall shows the moved card ${moved.all} ms after the click`)
  expect(moved.all).toBeLessThan(1000)
  await expect(wall.getByTestId('wall-loose')).toHaveCount(0)
  await keepScreenshot(wall, 'wall-cards-grouped')

  // (3) One group, big: chosen and previewed in the console before it goes up.
  await expect(page.getByTestId('console-projector-now')).toContainText('卡片墙')
  await page.getByTestId('console-projector-cluster').click()
  await page.getByTestId(`console-projector-group-${groupId}`).click()
  await expect(page.getByTestId('console-projector-preview-next')).toContainText(label)
  await expect(page.getByTestId('console-projector-preview-now')).toContainText('大家的建议')
  await expect(wall.getByTestId('wall-cards')).toBeVisible() // a preview changes nothing on the wall
  await keepScreenshot(page, 'wall-console-preview')
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-cluster-label')).toHaveText(label, { timeout: 2_000 })
  await expect(wall.getByTestId('wall-cluster')).toContainText(bodies[2])
  await expect(page.getByTestId('console-projector-now')).toContainText('一组卡片')
  const size = await wall.getByTestId('wall-cluster-label').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  expect(size).toBeGreaterThanOrEqual(48)
  await keepScreenshot(wall, 'wall-cluster')
  await context.close()
})

test('speaker mode: a turn started from the console counts down on the wall', async ({ page, browser, baseURL, request }) => {
  const { cid, meeting } = await meetingUnderWay(request, 35)
  const resident = await Caller.login(request, DEMO.resident)
  await resident.ok('/meetings/join', { code: meeting.join_code })
  const slot = await resident.ok<{ id: number }>(`/meetings/${meeting.id}/speakers`, { stance: 'pro' })

  await openConsole(page, cid, meeting.id)
  const { context, wall } = await openWall(browser, baseURL, meeting.display_token, true)
  await expect(wall.getByTestId('wall-join')).toBeVisible()

  // The speaker mode, previewed then put up: nobody speaks yet, 张三 waits (masked).
  await page.getByTestId('console-projector-speaker').click()
  await expect(page.getByTestId('console-projector-preview-next')).toContainText('接下来')
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-speaker-idle')).toBeVisible({ timeout: 2_000 })
  await expect(wall.getByTestId('wall-speaker-item')).toHaveText('第 1 项议程：费用怎么分摊')
  await expect(wall.getByTestId('wall-speaker-next')).toContainText('张*')
  await expect(wall.getByTestId('wall-speaker-next')).toContainText('支持')
  await expect(wall.getByTestId('wall-speaker')).not.toContainText('张三')

  // The console starts the turn; the wall shows it within a second and counts down by itself.
  const startedAt = Date.now()
  await page.getByTestId(`speaker-start-${slot.id}`).click()
  await expect(wall.getByTestId('wall-speaker-name')).toHaveText('张*', { timeout: 1_000 })
  expect(Date.now() - startedAt).toBeLessThan(1500)
  await expect(wall.getByTestId('wall-speaker-stance')).toContainText('支持')
  const countdown = wall.getByTestId('wall-countdown')
  await expect(countdown).toHaveText(/^0:3[0-5]$/)
  await expect(countdown).toHaveAttribute('data-phase', 'normal')
  const sizes = await countdown.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  expect(sizes).toBeGreaterThanOrEqual(200)
  await keepScreenshot(wall, 'wall-speaker')

  // 30 s left: amber, in words too; at 0, red and counting the overtime. The wall's clock is moved
  // on instead of waiting the half minute out: the countdown still runs on the wall's own timer.
  const secondsLeft = async () => Number(/^0:(\d\d)$/.exec((await countdown.textContent()) ?? '')?.[1])
  await wall.clock.fastForward(Math.max(0, (await secondsLeft()) * 1000 - 29_500))
  await expect(countdown).toHaveAttribute('data-phase', 'warning', { timeout: 8_000 })
  await expect(wall.getByTestId('wall-phase')).toHaveText('最后 30 秒，请准备收尾')
  const warnColour = await countdown.evaluate((el) => getComputedStyle(el).backgroundColor)
  expect(warnColour).toBe('rgb(255, 241, 204)')
  await keepScreenshot(wall, 'wall-speaker-warning')
  await wall.clock.fastForward((await secondsLeft()) * 1000 + 1_000)
  await expect(countdown).toHaveAttribute('data-phase', 'over')
  await expect(countdown).toHaveText(/^超时 0:0\d$/)
  await expect(wall.getByTestId('wall-phase')).toHaveText('时间到，请收尾')
  await keepScreenshot(wall, 'wall-speaker-over')

  // Finished from the console: the wall waits for the next speaker.
  await page.getByTestId('speaker-finish').click()
  await expect(wall.getByTestId('wall-speaker-idle')).toBeVisible({ timeout: 2_000 })
  await context.close()
})
