// The facilitator's console on a 1366×768 laptop with 30 cards
// (docs/wall.md "The console"): no phone tab bar; the window itself does not
// scroll; 开始会议, then the running state (turnout, who speaks, time left)
// and 结束会议 stay in view while the card wall scrolls; a card dragged from
// the bottom of the wall to a group at its top scrolls the column by itself
// (SortableJS auto-scroll); the page control turns the wall's pages.

import type { Locator, Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
}
interface Board {
  items: { id: number; card_ids: number[] }[]
}

/** Fails unless the element lies wholly inside the 1366×768 window. */
async function inView(page: Page, el: Locator) {
  await expect(el).toBeVisible()
  const b = (await el.boundingBox())!
  const v = page.viewportSize()!
  expect(b.y, 'top').toBeGreaterThanOrEqual(0)
  expect(b.y + b.height, 'bottom').toBeLessThanOrEqual(v.height)
  expect(b.x + b.width, 'right').toBeLessThanOrEqual(v.width)
}

test('the console at 1366×768: state and main actions in view, drag with auto-scroll, wall pages', async ({ page, request }) => {
  const { cid, cycle, facilitator } = await openCycle(request, 'card_collection')
  const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 600_000).toISOString(),
    location: '2号楼架空层',
    agenda: [{ title: '费用怎么分摊', minutes: 25 }],
    quorum: 2,
  })
  const resident = await Caller.login(request, DEMO.resident)
  const cards: number[] = []
  for (let i = 0; i < 30; i++) {
    const body = `第${i + 1}条：${'电梯费用怎么分摊，大家商量一个公平的办法。'.repeat(1 + (i % 3))}`
    cards.push((await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body }, { 'Idempotency-Key': `laptop-${Date.now()}-${i}` })).id)
  }

  await page.setViewportSize({ width: 1366, height: 768 })
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-live')).toContainText('实时')
  await expect(page.getByTestId('bottom-nav')).toHaveCount(0)
  await inView(page, page.getByTestId('console-start'))
  const windowScroll = () => page.evaluate(() => document.scrollingElement!.scrollHeight - innerHeight)
  expect(await windowScroll()).toBeLessThanOrEqual(1)

  // Started from the run bar; a resident signs in and takes the floor.
  await page.getByTestId('console-start').click()
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await resident.ok('/meetings/join', { code: meeting.join_code })
  const slot = await resident.ok<{ id: number }>(`/meetings/${meeting.id}/speakers`, { stance: 'pro' })
  await facilitator.ok(`/speakers/${slot.id}/start`, {})
  await expect(page.getByTestId('console-run-speaker')).toContainText('正在发言：张三', { timeout: 5_000 })
  await expect(page.getByTestId('console-run-left')).toContainText(/剩余 \d+:\d\d/)
  await expect(page.getByTestId('console-run-turnout')).toContainText('已到 1 人 / 需要 2 人')
  const group = await facilitator.ok<{ id: number }>(`/meetings/${meeting.id}/clusters`, { label: '费用分摊', card_ids: cards.slice(0, 2) })
  await expect(page.getByTestId(`kj-list-${group.id}`)).toBeVisible()

  // The card wall scrolls inside its column; the run bar stays.
  const wallColumn = page.locator('.columns > .col.wall')
  await wallColumn.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  const last = page.getByTestId(`kj-tile-${cards[29]}`)
  await expect(last).toBeInViewport()
  for (const id of ['console-end', 'console-run-speaker', 'console-run-left', 'console-run-turnout', 'console-status']) {
    await inView(page, page.getByTestId(id))
  }
  expect(await windowScroll()).toBeLessThanOrEqual(1)
  await expect(page.getByTestId(`kj-list-${group.id}`)).not.toBeInViewport()
  await keepScreenshot(page, 'console-laptop')

  // Drag the last card up: held at the column's top edge the column scrolls
  // until the group shows, and the card lands in it.
  const box = (await last.boundingBox())!
  const col = (await wallColumn.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + 12)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 + 6, box.y + 20, { steps: 3 })
  const edgeY = col.y + 20
  await page.mouse.move(box.x + box.width / 2, edgeY, { steps: 12 })
  const target = page.getByTestId(`kj-list-${group.id}`)
  const scrolled = () => wallColumn.evaluate((el) => el.scrollTop)
  for (let i = 0; i < 80 && (await scrolled()) > 0; i++) {
    await page.mouse.move(box.x + box.width / 2, edgeY + (i % 2), { steps: 1 })
    await page.waitForTimeout(50)
  }
  expect(await scrolled(), 'the column scrolled up by itself').toBe(0)
  await page.waitForTimeout(200)
  const t = (await target.boundingBox())!
  await page.mouse.move(t.x + t.width / 2, t.y + t.height / 2, { steps: 10 })
  await page.waitForTimeout(200)
  await page.mouse.move(t.x + t.width / 2 + 2, t.y + t.height / 2 + 2, { steps: 2 })
  await page.waitForTimeout(100)
  await page.mouse.up()
  await expect
    .poll(async () => [...(await facilitator.get<Board>(`/meetings/${meeting.id}/clusters`)).items[0].card_ids].sort((a, b) => a - b))
    .toEqual([cards[0], cards[1], cards[29]])

  // The wall's pages from the console: the card wall needs more than one page; 下一页 holds page 2.
  const put = await request.put(`/api/v1/meetings/${meeting.id}/projector`, {
    headers: { Authorization: `Bearer ${facilitator.token}` },
    data: { mode: 'cards' },
  })
  expect(put.status()).toBe(200)
  const pager = page.getByTestId('console-wall-pager')
  await pager.scrollIntoViewIfNeeded()
  await expect(page.getByTestId('console-wall-page')).toContainText(/第 1\/\d 页 · 每 12 秒自动翻一页/)
  await page.getByTestId('console-wall-next').click()
  await expect(page.getByTestId('console-wall-page')).toContainText('大屏停在第 2 页')
  const wall = await facilitator.get<{ page: number }>(`/meetings/${meeting.id}/projector`)
  expect(wall.page).toBe(2)
  await page.getByTestId('console-wall-auto').click()
  await expect(page.getByTestId('console-wall-page')).toContainText('每 12 秒自动翻一页')
})

test('a finger drags a card into a group on a touch screen', async ({ browser, baseURL, request }) => {
  const { cid, cycle, facilitator } = await openCycle(request, 'card_collection')
  const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 600_000).toISOString(),
    location: '2号楼架空层',
  })
  await facilitator.ok(`/meetings/${meeting.id}/start`, {})
  const resident = await Caller.login(request, DEMO.resident)
  const cards: number[] = []
  for (const [i, body] of ['电梯费用按楼层分摊', '一楼住户给予适当补偿', '施工期间晚上不要施工'].entries()) {
    cards.push((await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body }, { 'Idempotency-Key': `touch-${Date.now()}-${i}` })).id)
  }
  const group = await facilitator.ok<{ id: number }>(`/meetings/${meeting.id}/clusters`, { label: '费用分摊', card_ids: [cards[0]] })

  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-live')).toContainText('实时')
  const from = (await page.getByTestId(`kj-tile-${cards[2]}`).boundingBox())!
  const to = (await page.getByTestId(`kj-list-${group.id}`).boundingBox())!
  const cdp = await context.newCDPSession(page)
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] })
  const [sx, sy] = [from.x + from.width / 2, from.y + 14]
  const [tx, ty] = [to.x + to.width / 2, to.y + to.height - 4]
  await touch('touchStart', sx, sy)
  await page.waitForTimeout(350) // a short press picks the card up
  for (let i = 1; i <= 15; i++) await touch('touchMove', sx + ((tx - sx) * i) / 15, sy + ((ty - sy) * i) / 15)
  await page.waitForTimeout(150)
  await touch('touchMove', tx, ty + 1)
  await touch('touchEnd', tx, ty + 1)
  await expect
    .poll(async () => (await facilitator.get<Board>(`/meetings/${meeting.id}/clusters`)).items[0].card_ids.length)
    .toBe(2)
  await expect(page.getByTestId(`kj-list-${group.id}`).getByTestId(`kj-tile-${cards[2]}`)).toBeVisible()
  await context.close()
})
