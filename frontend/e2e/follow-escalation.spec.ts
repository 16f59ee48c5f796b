// Escalation of an item beyond the community's remit (docs/follow-through.md
// "Escalation"), on a phone: the facilitator escalates an item to a department
// by the street's whistle from the item's page, fills in the ticket number when
// it comes, and records the response; the item's assignee hears of both in the
// inbox, and the resolution's item list shows the item as escalated meanwhile.

import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('a facilitator escalates an item and records the response', async ({ page, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number } }>('/me')
  const r = await adoptedResolution<{ id: number; status: string }>(opened, resident, '路灯落实会')
  await f.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
  const title = `小区外路灯维修${Date.now() % 1e5}`
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
    title,
    due_date: '2099-12-31',
    assignee_user_id: me.user.id,
  })

  await login(page, DEMO.facilitator, { to: `/items/${item.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('item-title')).toHaveText(title)
  await page.getByTestId('escalation-open').click()
  await page.getByTestId('escalation-channel-whistle').click()
  await page.getByTestId('escalation-department').locator('input').fill('区城管局')
  await page.getByTestId('escalation-reason').locator('textarea').fill('路灯在市政道路上，不归社区管')
  await page.getByTestId('escalation-submit').click()

  const entry = page.locator('[data-testid^="escalation-"][data-status]')
  await expect(entry).toHaveAttribute('data-status', 'awaiting')
  await expect(entry).toHaveAttribute('data-overdue', 'false')
  await expect(entry).toContainText('吹哨报到 · 区城管局')
  await expect(entry.getByTestId('escalation-due')).toContainText('等待回复，期限')
  await expect(page.getByTestId('item-escalated')).toHaveText('已上报')
  await expect(page.getByTestId('escalation-open')).toHaveCount(0)

  // The ticket number comes later.
  await page.getByTestId('escalation-ticket').locator('input').fill('WH-2026-0815')
  await page.getByTestId('escalation-ticket-save').click()
  await expect(entry).toContainText('工单号 WH-2026-0815')

  // The resolution's items show it escalated.
  const items = await resident.get<{ items: { id: number; escalated: boolean }[] }>(`/resolutions/${r.id}/items`)
  expect(items.items.find((i) => i.id === item.id)?.escalated).toBe(true)

  // The response, today.
  await page.getByTestId('escalation-response-text').locator('textarea').fill('城管局已派人更换路灯')
  await page.getByTestId('escalation-respond').click()
  await expect(entry).toHaveAttribute('data-status', 'responded')
  await expect(entry.getByTestId('escalation-response')).toHaveText('城管局已派人更换路灯')
  await expect(entry).toContainText('用时 0 天')
  await expect(page.getByTestId('item-escalated')).toHaveCount(0)
  // A new escalation may follow once answered.
  await expect(page.getByTestId('escalation-open')).toBeVisible()
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'item-escalation-phone')

  // The assignee heard of both steps.
  const inbox = await resident.get<{ items: { type: string; subject_id: number; body: string }[] }>('/me/notifications')
  const mine = inbox.items.filter((n) => n.subject_id === item.id).map((n) => n.type)
  expect(mine).toEqual(expect.arrayContaining(['item_escalated', 'escalation_responded']))
})
