// The facilitator runs a month from the board on a laptop: opens it, moves it
// forward with confirmations that say what changes for residents, types in a
// topic from a home visit, triages topics (shortlist, merge, reject with a
// reason, select with a reason), and restores a card that reports hid. The
// board is then read in 长辈版 and English.

import { Caller, demoPlace, nextFreeMonth, type Card } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test('a facilitator opens a month, triages topics and clears the moderation queue', async ({ page, request }) => {
  const facilitator = await Caller.login(request, DEMO.facilitator)
  const { cid, compoundId } = await demoPlace(facilitator)
  const month = await nextFreeMonth(facilitator, cid)
  const stamp = Date.now() % 1e5

  await login(page, DEMO.facilitator)
  await resetDisplay(page)
  await page.getByTestId(`facilitate-${cid}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/cycles$`))

  // Open the month.
  await page.getByTestId('cycle-month').locator('input').fill(month)
  await page.getByTestId('cycle-compound').click()
  await page.getByTestId(`cycle-compound-option-${compoundId}`).click()
  await page.getByTestId('cycle-reason').locator('textarea').fill('老人多，加装电梯的呼声最高')
  await page.getByTestId('cycle-create').click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/cycles/\\d+$`))
  const cycleId = Number(new URL(page.url()).pathname.split('/').pop())
  await expect(page.getByTestId('phase-step-planning')).toHaveAttribute('data-state', 'current')
  await expect(page.getByTestId('board-next')).toContainText('居民将可以在手机上提议题')

  const dialog = page.locator('.van-dialog:visible')
  async function advance(to: string, says: string) {
    await expect(page.getByTestId('board-advance')).toHaveAttribute('data-to', to)
    await page.getByTestId('board-advance').click()
    await expect(dialog).toContainText(says)
    await dialog.locator('.van-dialog__confirm').click()
    await expect(page.getByTestId(`phase-step-${to}`)).toHaveAttribute('data-state', 'current')
  }
  await advance('topic_collection', '居民将可以在手机上提议题')
  await expect(page.getByTestId('cycle-phase-tag')).toHaveText('议题征集')

  // A topic from a home visit, typed in once.
  await page.locator('.tab-cycle-topics').click()
  await expect(page.getByTestId('triage-empty')).toBeVisible()
  const main = `3单元加装电梯（${stamp}）`
  await page.getByTestId('topic-entry-title').locator('input').fill(main)
  await page.getByTestId('topic-entry-submit').click()
  await expect(page.locator(`[data-testid^="triage-topic-"][data-title="${main}"]`)).toBeVisible()

  // Residents propose two more online, one a duplicate.
  const r1 = await Caller.login(request, '13900000102')
  const dup = (await r1.ok<{ id: number }>(`/cycles/${cycleId}/topics`, { title: `电梯的事（${stamp}）` })).id
  const other = (await r1.ok<{ id: number }>(`/cycles/${cycleId}/topics`, { title: `小区里养鸡（${stamp}）` })).id
  await page.reload()
  await expect(page.locator('[data-testid^="triage-topic-"]')).toHaveCount(3)
  const mainId = Number(
    (await page.locator(`[data-testid^="triage-topic-"][data-title="${main}"]`).getAttribute('data-testid'))!.split('-').pop(),
  )

  await page.locator('.tab-cycle-board').click()
  await expect(page.getByTestId('count-topics')).toHaveText('3')
  await advance('topic_selection', '居民将不能再提新议题或附议')
  // Solutions wait for a selected topic.
  await expect(page.getByTestId('board-needs-topic')).toBeVisible()
  await expect(page.getByTestId('board-advance')).toHaveCount(0)

  // Triage: shortlist, merge the duplicate, reject with a reason, select with a reason.
  await page.locator('.tab-cycle-topics').click()
  await page.getByTestId(`triage-shortlist-${mainId}`).click()
  await expect(page.getByTestId(`triage-status-${mainId}`)).toHaveAttribute('data-status', 'shortlisted')
  await page.getByTestId(`triage-merge-${dup}`).click()
  await page.getByTestId(`merge-option-${mainId}`).click()
  await expect(dialog).toContainText('合并到')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId(`triage-status-${dup}`)).toHaveAttribute('data-status', 'merged')
  await page.getByTestId(`triage-reject-${other}`).click()
  await dialog.locator('.van-dialog__confirm').click()
  await expect(dialog).toContainText('请写明原因')
  await dialog.locator('textarea').fill('不属于本小区公共事务，已转交物业处理')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId(`triage-status-${other}`)).toHaveAttribute('data-status', 'rejected')
  await page.getByTestId(`triage-select-${mainId}`).click()
  await dialog.locator('textarea').fill('附议最多，关系到全楼老人出行')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId(`triage-status-${mainId}`)).toHaveAttribute('data-status', 'selected')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'triage-desktop')

  await page.locator('.tab-cycle-board').click()
  await expect(page.getByTestId('board-selected')).toContainText(main)
  await advance('card_collection', '居民将看到本期议题')

  // A card hidden by three reports waits in the moderation queue.
  const card = await r1.ok<Card>(`/cycles/${cycleId}/cards`, { body: `我家电话 13800000000，有事找我（${stamp}）` }, { 'Idempotency-Key': `mod-${stamp}` })
  for (const phone of ['13900000103', '13900000104', '13900000105']) {
    const reporter = await Caller.login(request, phone)
    await reporter.ok(`/cards/${card.id}/reports`, { reason: '有电话号码' })
  }
  await page.locator('.tab-cycle-moderation').click()
  const queued = page.getByTestId(`card-${card.id}`)
  await expect(queued).toHaveAttribute('data-status', 'hidden')
  await expect(page.getByTestId(`card-reports-${card.id}`)).toHaveText('被举报 3 次')
  await expect(queued).toContainText('多位居民举报，自动隐藏')
  await keepScreenshot(page, 'moderation-desktop')
  await page.getByTestId(`moderate-${card.id}`).click()
  await dialog.locator('textarea').fill('看过了，号码是作者本人愿意公开的')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page.locator('.van-toast')).toContainText('已恢复显示')
  await expect(page.getByTestId('moderation-empty')).toBeVisible()
  const after = await facilitator.get<Card>(`/cards/${card.id}`)
  expect(after.status).toBe('visible')

  // The board in 长辈版 and in English.
  await page.locator('.tab-cycle-board').click()
  await expect(page.getByTestId('phase-step-card_collection')).toHaveAttribute('data-state', 'current')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'board-desktop')
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  const next = await page.getByTestId('board-advance').boundingBox()
  expect(next!.height).toBeGreaterThanOrEqual(60)
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'board-desktop-elder')
  await page.getByTestId('elder-toggle').click()
  await page.getByTestId('lang-toggle').click()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByTestId('board-advance')).toContainText('Go to the next step: Round table')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'board-desktop-en')
  await resetDisplay(page)
})
