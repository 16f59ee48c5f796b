// The follow-through screens that the photo-update test does not reach
// (docs/follow-through.md): the facilitator publishes an adopted resolution,
// a resident lodges an objection on the phone and reads the answer; then,
// publicity over, the facilitator adds an item open for claims on the board,
// the party member finds it on 可认领, claims it, and the
// facilitator confirms the claim on the item's page.

import type { Browser } from '@playwright/test'
import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, DEMO_PASSWORD, expect, login, resetDisplay, test } from './fixtures'

const PARTY = '13900000011' // 赵电工（演示）, party member with the skill 电工
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

interface Resolution {
  id: number
  status: string
  community_id: number
}

async function phone(browser: Browser, baseURL: string | undefined, who: string) {
  const ctx = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await ctx.newPage()
  await login(page, who, DEMO_PASSWORD)
  await resetDisplay(page)
  return { ctx, page }
}

test('objections during publicity, then a claim confirmed', async ({ page, browser, baseURL, request }) => {
  test.slow()
  const opened = await openCycle(request, 'card_collection')
  const resident = await Caller.login(request, DEMO.resident)
  const r = await adoptedResolution<Resolution>(opened, resident, '电梯公示会')

  // The facilitator publishes it for the community's period.
  await login(page, DEMO.facilitator, { to: `/resolutions/${r.id}` })
  await resetDisplay(page)
  await page.getByTestId('follow-publish-button').click()
  await expect(page.getByTestId('follow-publicity-ends')).toBeVisible()

  // A resident objects on the phone.
  const res = await phone(browser, baseURL, DEMO.resident)
  await res.page.goto(`/resolutions/${r.id}`)
  const text = `施工噪音影响午休，请避开中午（${Date.now() % 1e5}）`
  await res.page.getByTestId('follow-object-input').locator('textarea, input').first().fill(text)
  await res.page.getByTestId('follow-object-submit').click()
  const objection = res.page.getByTestId('follow-objections').locator('li', { hasText: text })
  await expect(objection).toBeVisible()

  // The facilitator answers it; the resident reads the answer.
  await page.reload()
  const row = page.getByTestId('follow-objections').locator('li', { hasText: text })
  const rowId = (await row.getAttribute('data-testid'))!.replace('follow-objection-', '')
  await page.getByTestId(`follow-answer-input-${rowId}`).locator('textarea, input').first().fill('施工安排在上午9点到11点半、下午2点半以后。')
  await page.getByTestId(`follow-answer-${rowId}`).click()
  await expect(row.getByTestId('follow-objection-answer')).toContainText('上午9点')
  await res.page.reload()
  await expect(objection.getByTestId('follow-objection-answer')).toContainText('上午9点')
  await res.ctx.close()

  // A second resolution goes straight to implementing; its item is open for claims.
  const r2 = await adoptedResolution<Resolution>(opened, resident, '电梯落实会')
  await page.goto(`/resolutions/${r2.id}`)
  await page.getByTestId('follow-skip-publicity').click()
  const title = `检修楼道照明线路（${Date.now() % 1e5}）`
  const form = page.getByTestId('follow-new-item')
  await form.getByTestId('follow-new-title').locator('input').fill(title)
  await form.getByTestId('follow-new-due').locator('input').fill('2099-06-30')
  await form.getByTestId('follow-new-open').check()
  await form.getByTestId('follow-new-submit').click()
  await page.getByTestId('follow-board-toggle').click()
  await expect(page.getByTestId('follow-board-todo')).toContainText(title)

  const item = (await opened.facilitator.get<{ items: { id: number; title: string }[] }>(`/resolutions/${r2.id}/items`)).items.find(
    (x) => x.title === title,
  )!
  const party = await phone(browser, baseURL, PARTY)
  await party.page.goto(`/claimable/${r2.community_id}`)
  await expect(party.page.getByTestId(`claimable-${item.id}`)).toContainText(title)
  await party.page.getByTestId(`claimable-claim-${item.id}`).click()
  await expect(party.page.getByTestId(`claimable-${item.id}`)).toContainText('等待')
  await party.ctx.close()

  // The facilitator confirms the claim on the item's page: the party member is the assignee.
  await page.goto(`/items/${item.id}`)
  const claims = page.getByTestId('item-claims')
  await expect(claims).toContainText('赵电工')
  await claims.locator('[data-testid^="item-claim-confirm-"]').first().click()
  await expect(claims.locator('[data-testid^="item-claim-confirm-"]')).toHaveCount(0)
  const stored = await opened.facilitator.get<{ assignee_name: string }>(`/items/${item.id}`)
  expect(stored.assignee_name).toContain('赵电工')
})
