// The round table run from the console: cards dragged into groups (checked
// through the API and each card's timeline), a group dissolved with nothing
// lost, the "?" list of shortcuts, and a resident on a phone asking to speak
// while the console queues them, gives them the floor with a running
// countdown, and ends the turn.

import type { APIRequestContext, Browser, Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'
import { drag } from './drag'

interface Meeting {
  id: number
  join_code: string
}
interface Board {
  items: { id: number; label: string; position: number; card_ids: number[] }[]
  loose: number[]
}
interface SpeakerBoard {
  current_item: { position: number } | null
  speaking: { slot: { id: number; name: string } } | null
  queue: { id: number; name: string; stance: string; blocked: boolean }[]
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** A started meeting of a fresh cycle at the round table, with `bodies` as residents' cards. */
async function startedMeeting(request: APIRequestContext, bodies: string[] = []) {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const meeting = await f.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '2号楼架空层',
    agenda: [
      { title: '听听大家的想法', minutes: 20 },
      { title: '费用怎么分摊', minutes: 25 },
    ],
  })
  await f.ok(`/meetings/${meeting.id}/start`, {})
  const resident = await Caller.login(request, DEMO.resident)
  const cards: number[] = []
  const key = `rt-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  for (const [i, body] of bodies.entries()) {
    cards.push((await resident.ok<{ id: number }>(`/cycles/${opened.cycle.id}/cards`, { body }, { 'Idempotency-Key': `${key}-${i}` })).id)
  }
  return { ...opened, meeting, resident, cards }
}

async function openConsole(page: Page, cid: number, meetingId: number) {
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meetingId}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await expect(page.getByTestId('console-live')).toContainText('实时')
}

async function confirmDialog(page: Page) {
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.locator('.van-dialog:visible')).toHaveCount(0)
}

async function nameGroup(page: Page, label: string) {
  await page.getByTestId('group-input').locator('textarea').fill(label)
  await confirmDialog(page)
}

test('cards dragged into groups on the console; dissolving a group loses nothing', async ({ page, browser, baseURL, request }) => {
  const bodies = ['电梯费用按楼层分摊，高层多出一点', '一楼住户不用出电梯钱', '电梯费用按楼层高低分摊，低层少出一点']
  const { cid, cycle, meeting, facilitator, cards } = await startedMeeting(request, bodies)
  const [a, b, c] = cards
  const board = () => facilitator.get<Board>(`/meetings/${meeting.id}/clusters`)
  const timeline = (id: number) => facilitator.get<{ items: { type: string }[] }>(`/cards/${id}/timeline`).then((p) => p.items.map((x) => x.type))

  // Tall enough that the whole wall is in view: a drag that has to scroll the page would start
  // from whatever then lies under the pointer.
  await page.setViewportSize({ width: 1280, height: 1500 })
  await openConsole(page, cid, meeting.id)
  await expect(page.locator('[data-testid="console-wall"] > li')).toHaveCount(3)

  // An empty labelled group, from the button.
  await page.getByTestId('kj-new').click()
  await nameGroup(page, '按楼层分摊')
  const groups = page.locator('[data-testid^="console-group-"]')
  await expect(groups).toHaveCount(1)
  const g1 = (await board()).items[0]
  expect(g1.label).toBe('按楼层分摊')

  // Two of the cards read alike: the server's "merge these?" chip arrives after the wall and
  // pushes the cards down; a press measured before it would land beside the card.
  await expect(page.getByTestId('console-suggestion-0')).toBeVisible()

  // Drag a loose card onto the group.
  await drag(page, page.getByTestId(`kj-tile-${a}`), page.getByTestId(`kj-list-${g1.id}`))
  await expect(page.getByTestId(`console-group-${g1.id}`).getByTestId(`card-${a}`)).toBeVisible()
  await expect.poll(async () => (await board()).items[0].card_ids).toEqual([a])
  expect(await timeline(a)).toContain('card.grouped')

  // Drag another onto a card of the group: it goes before that card.
  await drag(page, page.getByTestId(`kj-tile-${c}`), page.getByTestId(`kj-tile-${a}`), { y: 0.25 })
  await expect.poll(async () => (await board()).items[0].card_ids).toEqual([c, a])
  await expect(page.getByTestId(`console-group-${g1.id}`).locator('.card-item')).toHaveCount(2)

  // Drop a card on "new group": name it and the card is in it.
  await drag(page, page.getByTestId(`kj-tile-${b}`), page.getByTestId('kj-new-target'))
  await nameGroup(page, '一楼不出钱')
  await expect(groups).toHaveCount(2)
  const g2 = (await board()).items[1]
  expect(g2).toMatchObject({ label: '一楼不出钱', card_ids: [b] })
  await expect(page.getByTestId('console-loose')).toContainText('（0）')

  // Reorder the groups by dragging the second one's label onto the first.
  await drag(page, page.getByTestId(`kj-group-handle-${g2.id}`), page.getByTestId(`kj-group-handle-${g1.id}`), { x: 0.25 })
  await expect.poll(async () => (await board()).items.map((g) => g.id)).toEqual([g2.id, g1.id])
  await expect(groups.first()).toHaveAttribute('data-testid', `console-group-${g2.id}`)
  await keepScreenshot(page, 'round-table-console-groups')

  // The same moves without a mouse: "move to…" puts a card back on the loose pile.
  await page.getByTestId(`kj-move-${a}`).click()
  await page.getByTestId('kj-move-option-loose').click()
  await expect(page.locator(`[data-testid="console-wall"] [data-testid="card-${a}"]`)).toBeVisible()
  await expect.poll(async () => (await board()).loose).toEqual([a])
  expect(await timeline(a)).toEqual(expect.arrayContaining(['card.grouped', 'card.ungrouped']))

  // Rename.
  await page.getByTestId(`kj-group-rename-${g1.id}`).click()
  await page.getByTestId('rename-group-input').locator('textarea').fill('按楼层高低分摊')
  await confirmDialog(page)
  await expect(page.getByTestId(`kj-group-label-${g1.id}`)).toHaveText('按楼层高低分摊')

  // A move by another facilitator (here through the API) shows without a reload.
  const put = await request.put(`/api/v1/cards/${a}/cluster`, {
    headers: { Authorization: `Bearer ${facilitator.token}` },
    data: { cluster_id: g2.id },
  })
  expect(put.status(), await put.text()).toBe(200)
  await expect(page.getByTestId(`console-group-${g2.id}`).getByTestId(`card-${a}`)).toBeVisible({ timeout: 3_000 })

  // Dissolve: the group goes, its cards are loose again, unchanged.
  await page.getByTestId(`kj-group-dissolve-${g1.id}`).click()
  await expect(page.locator('.van-dialog:visible')).toContainText('卡片不会删除')
  await confirmDialog(page)
  await expect(page.getByTestId(`console-group-${g1.id}`)).toHaveCount(0)
  await expect(groups).toHaveCount(1)
  await expect(page.locator(`[data-testid="console-wall"] [data-testid="card-${c}"]`)).toContainText(bodies[2])
  const after = await board()
  expect(after.items.map((g) => g.id)).toEqual([g2.id])
  expect(after.loose).toEqual([c])
  expect(await timeline(c)).toEqual(expect.arrayContaining(['card.created', 'card.grouped', 'card.ungrouped']))
  // A resident's phone shows the wall in its groups.
  const phone = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const rp = await phone.newPage()
  await login(rp, DEMO.resident, { to: `/meetings/${meeting.id}` })
  await resetDisplay(rp)
  const phoneGroup = rp.getByTestId(`meeting-group-${g2.id}`)
  await expect(phoneGroup).toContainText('一楼不出钱')
  await expect(phoneGroup.locator('.card-item')).toHaveCount(2)
  await expect(rp.getByTestId('meeting-wall').locator('.card-item')).toHaveCount(1)
  await keepScreenshot(rp, 'round-table-wall-phone')
  await phone.close()

  const listed = await facilitator.get<{ items: { id: number; body: string; status: string }[] }>(`/cycles/${cycle.id}/cards?limit=50`)
  for (const [i, id] of cards.entries()) {
    expect(listed.items.find((x) => x.id === id)).toMatchObject({ body: bodies[i], status: 'visible' })
  }
})

test('"?" lists the console shortcuts; keys do nothing while typing', async ({ page, request }) => {
  const { cid, meeting } = await startedMeeting(request)
  await openConsole(page, cid, meeting.id)

  const overlay = page.getByTestId('shortcuts-overlay')
  await page.keyboard.press('?')
  await expect(overlay).toBeVisible()
  for (const key of ['N', 'F', 'A', 'G']) await expect(overlay.getByTestId(`shortcut-${key}`)).toBeVisible()
  await expect(overlay).toContainText('请建议的下一位发言')
  await keepScreenshot(page, 'round-table-shortcuts')
  await page.keyboard.press('Escape')
  await expect(overlay).toBeHidden()

  // Typing in a field: "?" and "G" are text, not shortcuts.
  const walkIn = page.getByTestId('console-walkin').locator('input')
  await walkIn.click()
  await page.keyboard.type('G?')
  await expect(walkIn).toHaveValue('G?')
  await expect(overlay).toBeHidden()
  await expect(page.getByTestId('group-dialog')).toBeHidden()

  // Outside a field, G starts a new group.
  await walkIn.blur()
  await page.keyboard.press('g')
  await expect(page.getByTestId('group-dialog')).toBeVisible()
  // With a dialog open, keys are left to the dialog.
  await page.keyboard.press('?')
  await expect(overlay).toBeHidden()
})

async function phone(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  return { context, page: await context.newPage() }
}

test('a resident asks to speak on a phone; the console gives the floor with the timer and ends the turn', async ({
  page,
  browser,
  baseURL,
  request,
}) => {
  const { cid, meeting, facilitator, resident } = await startedMeeting(request)
  await resident.ok('/meetings/join', { code: meeting.join_code })
  const speakers = () => facilitator.get<SpeakerBoard>(`/meetings/${meeting.id}/speakers`)

  // The console runs on a clock the test can move, to see the amber warning without waiting.
  await page.clock.install()
  await openConsole(page, cid, meeting.id)
  await expect(page.getByTestId('speaker-queue-empty')).toBeVisible()
  await expect(page.getByTestId('agenda-item-1')).toHaveAttribute('aria-current', 'step')
  await expect(page.getByTestId('agenda-left')).toContainText(/本项还剩 (20:00|19:\d\d)/)

  // The resident, on a phone.
  const p = await phone(browser, baseURL)
  const rp = p.page
  await login(rp, DEMO.resident, { to: `/meetings/${meeting.id}` })
  await resetDisplay(rp)
  await expect(rp.getByTestId('meeting-signed-in')).toBeVisible()
  const pro = rp.getByTestId('speak-pro')
  await expect(pro).toContainText('我支持')
  expect((await pro.boundingBox())!.height).toBeGreaterThanOrEqual(44)
  await keepScreenshot(rp, 'round-table-speak-phone')
  await pro.click()
  await expect(rp.getByTestId('speak-mine')).toContainText('您已举手（支持）')
  await expect(rp.getByTestId('speak-place')).toContainText('下一位就是您')

  // The console shows the hand, suggested next; a walk-in is queued on their behalf.
  const queue = page.getByTestId('speaker-queue')
  await expect(queue).toContainText('张三', { timeout: 3_000 })
  await expect(queue.locator('li').first()).toContainText('建议下一位')
  await page.getByTestId('speaker-add-name').fill('李奶奶')
  await page.getByTestId('speaker-add-con').click()
  await expect(queue.locator('li')).toHaveCount(2)
  await expect(queue.locator('li').nth(1)).toContainText('李奶奶')
  await expect(queue.locator('li').nth(1)).toContainText('反对')
  await expect(rp.getByTestId('speak-place')).toContainText('下一位就是您')

  // N gives the floor to the suggested speaker: a big countdown on the console and the phone.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.keyboard.press('n')
  await expect(page.getByTestId('speaker-now-name')).toHaveText('张三')
  const timer = page.getByTestId('speaker-timer')
  await expect(timer).toHaveText(/^(2:00|1:5\d)$/)
  await expect(timer).toHaveAttribute('data-phase', 'normal')
  await expect(rp.getByTestId('speak-now')).toContainText('轮到您发言了', { timeout: 3_000 })
  await expect(rp.getByTestId('speak-timer')).toHaveText(/^(2:00|1:5\d)$/)
  await keepScreenshot(rp, 'round-table-speaking-phone')

  // 95 s later: amber with 25 s left; past the end: red, with the overtime counted.
  await page.clock.fastForward('01:35')
  await expect(timer).toHaveAttribute('data-phase', 'warning')
  // 25 s left, less the real seconds a busy machine spent since the floor was given.
  await expect(timer).toHaveText(/^0:[12]\d$/)
  await keepScreenshot(page, 'round-table-console-speaking')
  await page.clock.fastForward('00:40')
  await expect(timer).toHaveAttribute('data-phase', 'over')
  await expect(timer).toContainText('超时 0:')

  // F ends the turn; the walk-in is now the suggestion.
  await page.keyboard.press('f')
  await expect(page.getByTestId('speaker-nobody')).toBeVisible()
  await expect(queue.locator('li')).toHaveCount(1)
  await expect(queue.locator('li').first()).toContainText('李奶奶')
  await expect(rp.getByTestId('speak-pro')).toBeVisible({ timeout: 3_000 })
  expect((await speakers()).speaking).toBeNull()

  // The limit is the server's: after two turns on this item the phone gets its refusal in words.
  await rp.getByTestId('speak-neutral').click()
  await expect(rp.getByTestId('speak-mine')).toContainText('中立')
  const again = (await speakers()).queue.find((q) => q.name === '张三')!
  await facilitator.ok(`/speakers/${again.id}/start`, {})
  await facilitator.ok(`/speakers/${again.id}/finish`, {})
  await expect(rp.getByTestId('speak-con')).toBeVisible({ timeout: 3_000 })
  await rp.getByTestId('speak-con').click()
  await expect(rp.locator('.van-toast')).toContainText('这一项议程每人最多发言2次')

  // On the next agenda item the limit starts afresh, and a hand can be withdrawn.
  await page.getByTestId('agenda-go-2').click()
  await expect(page.getByTestId('agenda-item-2')).toHaveAttribute('aria-current', 'step')
  await expect(page.getByTestId('agenda-left')).toContainText(/本项还剩 (25:00|24:\d\d)/)
  await expect.poll(async () => (await speakers()).current_item?.position).toBe(2)
  await expect(rp.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await rp.getByTestId('speak-con').click()
  await expect(rp.getByTestId('speak-place')).toContainText('您排在第 2 位')
  await expect(queue).toContainText('张三', { timeout: 3_000 })
  await rp.getByTestId('speak-withdraw').click()
  await expect(rp.getByTestId('speak-pro')).toBeVisible()
  await expect(queue).not.toContainText('张三', { timeout: 3_000 })
  await p.context.close()
})
