// 大家的建议 with 举报: three residents each report one card from the list;
// after the third report the card leaves everyone's list and waits in the
// moderation queue. One's own card has no report button.

import type { Browser } from '@playwright/test'
import { expect, login, test } from './fixtures'
import { Caller, openCycle, type Card } from './cycle-api'

const AUTHOR = '13900000107'
const REPORTERS = ['13900000108', '13900000109', '13900000110']

async function reportThroughList(browser: Browser, phone: string, cycleId: number, cardId: number, toast: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  try {
    await login(page, phone, { to: `/cycles/${cycleId}/cards` })
    const card = page.getByTestId(`card-${cardId}`)
    await expect(card).toBeVisible()
    await page.getByTestId(`card-report-${cardId}`).click()
    const dialog = page.getByTestId('report-dialog')
    await expect(dialog).toContainText('举报这条建议')
    await dialog.locator('textarea').fill('留了别人的电话号码')
    await dialog.locator('.van-dialog__confirm').click()
    await expect(page.locator('.van-toast')).toContainText(toast)
    await expect(dialog).toBeHidden()
    return { context, page }
  } catch (e) {
    await context.close()
    throw e
  }
}

test('three residents report a card and it leaves the list for the moderation queue', async ({ page, browser, request }) => {
  const { cycle, facilitator } = await openCycle(request, 'card_collection')
  const author = await Caller.login(request, AUTHOR)
  const stamp = `${Date.now()}`
  const bad = await author.ok<Card>(
    `/cycles/${cycle.id}/cards`,
    { body: `楼下那家的电话是 13812345678，大家去找他（${stamp}）` },
    { 'Idempotency-Key': `report-bad-${stamp}` },
  )
  const good = await author.ok<Card>(
    `/cycles/${cycle.id}/cards`,
    { body: `电梯井可以放在楼梯外侧（${stamp}）` },
    { 'Idempotency-Key': `report-good-${stamp}` },
  )

  // The author sees both cards, without a report button on their own.
  await login(page, AUTHOR, { to: `/cycles/${cycle.id}/cards` })
  await expect(page.getByTestId(`card-${bad.id}`)).toBeVisible()
  await expect(page.getByTestId(`card-report-${bad.id}`)).toHaveCount(0)

  // Two reports: thanked, and the card stays.
  for (const phone of REPORTERS.slice(0, 2)) {
    const { context, page: p } = await reportThroughList(browser, phone, cycle.id, bad.id, '已收到您的举报，谢谢')
    await expect(p.getByTestId(`card-${bad.id}`)).toBeVisible()
    await context.close()
  }
  expect((await facilitator.get<Card>(`/cards/${bad.id}`)).status).toBe('visible')

  // The third report hides it at once for the reporter…
  const third = await reportThroughList(browser, REPORTERS[2], cycle.id, bad.id, '这条建议已暂时隐藏')
  await expect(third.page.getByTestId(`card-${bad.id}`)).toHaveCount(0)
  await expect(third.page.getByTestId(`card-${good.id}`)).toBeVisible()
  await third.page.reload()
  await expect(third.page.getByTestId(`card-${good.id}`)).toBeVisible()
  await expect(third.page.getByTestId(`card-${bad.id}`)).toHaveCount(0)
  await third.context.close()

  // …and for everyone else, the author included.
  await page.reload()
  await expect(page.getByTestId(`card-${good.id}`)).toBeVisible()
  await expect(page.getByTestId(`card-${bad.id}`)).toHaveCount(0)

  // It waits in the moderation queue with its three reports; the other card is untouched.
  const hidden = await facilitator.get<Card>(`/cards/${bad.id}`)
  expect(hidden).toMatchObject({ status: 'hidden', report_count: 3 })
  const queue = await facilitator.get<{ items: Card[] }>(`/cycles/${cycle.id}/cards?status=hidden`)
  expect(queue.items.map((c) => c.id)).toEqual([bad.id])
  expect((await facilitator.get<Card>(`/cards/${good.id}`)).status).toBe('visible')
})
