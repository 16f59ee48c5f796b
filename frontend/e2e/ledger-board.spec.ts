// The public board (公示栏) and the committee's exports (docs/ledgers.md). A
// resolution is published without a publicity period and split into an item
// carried by the resident 张三, with a contact phone on file. On a phone with
// no login, the board shows the resolution, its budget and the item with the
// carrier masked (张*) and no phone anywhere; when the item is done the board
// shows it by itself. The committee then exports the resolution ledger as
// Excel from 台账与档案 and gets the file.

import { axeViolations, elderShortfalls } from './a11y'
import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, login, test } from './fixtures'

interface Resolution {
  id: number
  status: string
}

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('the public board on a phone, then an export by the committee', async ({ page, request, browser }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number; name: string } }>('/me')
  const r = await adoptedResolution<Resolution>(opened, resident, '公示栏测试会')
  await f.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
  const patched = await request.patch(`/api/v1/resolutions/${r.id}`, {
    headers: { Authorization: `Bearer ${f.token}` },
    data: { budget_fen: 4_800_000, funding_source: 'government_subsidy' },
  })
  expect(patched.status(), await patched.text()).toBe(200)
  const title = `楼道扶手安装${Date.now() % 1e5}`
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
    title,
    due_date: '2099-12-31',
    assignee_user_id: me.user.id,
    contact_name: '李工',
    contact_phone: '13912345678',
  })

  // No login: the board, refreshing every 5 s for the test.
  await page.goto(`/board/${opened.cid}?every=5`)
  const card = page.getByTestId(`board-resolution-${r.id}`)
  await expect(card).toContainText('3单元加装电梯')
  await expect(card).toContainText('48,000.00')
  const row = page.getByTestId(`board-item-${item.id}`)
  await expect(row).toContainText(title)
  await expect(row).toContainText(`${me.user.name.slice(0, 1)}*`)
  await expect(row).toContainText('进行中')
  const text = await page.locator('body').innerText()
  expect(text).not.toMatch(/1[3-9]\d{9}|\d{3}\*{4}\d{4}/)
  expect(text).not.toContain(me.user.name)
  expect(text).not.toContain('李工')
  expect(await axeViolations(page, 'public board')).toEqual([])
  // Nothing runs wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  // 长辈版 (chosen on this phone before): the same board passes the elder figures too.
  await page.evaluate(() => localStorage.setItem('yyt.large_text', '1'))
  await page.reload()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  await expect(row).toContainText(title)
  expect(await axeViolations(page, 'public board (长辈版)')).toEqual([])
  expect(await elderShortfalls(page, 'public board (长辈版)')).toEqual([])

  // The item is done: the board shows it without a reload.
  const done = await request.patch(`/api/v1/items/${item.id}`, {
    headers: { Authorization: `Bearer ${resident.token}` },
    data: { status: 'done' },
  })
  expect(done.status(), await done.text()).toBe(200)
  await expect(row).toContainText('按期完成', { timeout: 12_000 })
  await expect(card.getByTestId('board-progress')).toHaveText('100%')

  // The committee exports the resolution ledger from 台账与档案 on a laptop.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const desk = await ctx.newPage()
  await login(desk, DEMO.committee, { to: `/ledgers/${opened.cid}` })
  await expect(desk.getByTestId('ledger-resolutions')).toBeVisible()
  const [download] = await Promise.all([
    desk.waitForEvent('download'),
    desk.getByTestId('ledger-resolutions-xlsx').click(),
  ])
  expect(download.suggestedFilename()).toMatch(/^决议台账-\d{8}\.xlsx$/)
  const path = await download.path()
  expect(path).toBeTruthy()
  // A bad month is refused on its field, and nothing is downloaded.
  await desk.getByTestId('ledger-from').locator('input').fill('2026-13')
  await desk.getByTestId('ledger-items-csv').click()
  await expect(desk.getByTestId('ledger-error')).toBeVisible()
  await ctx.close()
})
