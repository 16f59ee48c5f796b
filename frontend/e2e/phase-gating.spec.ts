// Phase gating: while topics are collected, a resident's home offers 提议题
// and 附议 but no way to send a card, the card screen says why, and the API
// refuses a card with 409 phase_closed. 附议 takes one tap and a second tap
// takes it back.

import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('in topic collection residents propose and endorse, and cannot send cards', async ({ page, request }) => {
  const { cycle, topicId, topicTitle } = await openCycle(request, 'topic_collection')

  await login(page, DEMO.resident)
  await resetDisplay(page)
  await expect(page.getByTestId('cycle-card')).toHaveAttribute('data-cycle-id', String(cycle.id))
  await expect(page.getByTestId('cycle-phase')).toHaveText('正在征集议题')
  await expect(page.getByTestId('home-action-propose')).toBeVisible()
  await expect(page.getByTestId('home-action-topics')).toBeVisible()
  await expect(page.getByTestId('home-action-card')).toHaveCount(0)
  await expect(page.getByTestId('card-submit')).toHaveCount(0)
  await keepScreenshot(page, 'home-topic-collection-phone')

  // The card screen, opened directly, explains instead of offering 提交.
  await page.goto(`/cycles/${cycle.id}/cards/new`)
  await expect(page.getByTestId('card-closed-note')).toContainText('正在征集议题')
  await expect(page.getByTestId('card-submit')).toHaveCount(0)
  await expect(page.getByTestId('card-form')).toHaveCount(0)

  // The server refuses too.
  const resident = await Caller.login(request, DEMO.resident)
  const res = await resident.post(`/cycles/${cycle.id}/cards`, { body: '先把楼道清理干净' }, { 'Idempotency-Key': `gate-${Date.now()}` })
  expect(res.status()).toBe(409)
  const problem = await res.json()
  expect(problem.code).toBe('phase_closed')
  expect(problem.detail).toContain('议题征集')

  // 附议: one tap, and one more to take it back.
  await page.goto('/')
  await page.getByTestId('home-action-topics').click()
  await expect(page).toHaveURL(new RegExp(`/cycles/${cycle.id}/topics$`))
  const endorse = page.getByTestId(`topic-endorse-${topicId}`)
  const count = page.getByTestId(`topic-count-${topicId}`)
  await expect(page.getByTestId(`topic-${topicId}`)).toContainText(topicTitle)
  await expect(count).toHaveText('0 人附议')
  await endorse.click()
  await expect(endorse).toHaveAttribute('aria-pressed', 'true')
  await expect(endorse).toContainText('已附议')
  await expect(count).toHaveText('1 人附议')
  await expect(page.locator('.van-toast')).toContainText('已附议')
  await endorse.click()
  await expect(endorse).toHaveAttribute('aria-pressed', 'false')
  await expect(count).toHaveText('0 人附议')

  // 提议题 is its own screen; the new topic shows in the list.
  await page.getByTestId('topic-propose').click()
  const title = `小区门口晚上太暗，想加几盏路灯（${Date.now() % 1e5}）`
  await page.getByTestId('topic-title').locator('input').fill(title)
  await page.getByTestId('topic-description').locator('textarea').fill('晚上八点以后，老人出门看不清台阶')
  await page.getByTestId('topic-submit').click()
  await expect(page).toHaveURL(new RegExp(`/cycles/${cycle.id}/topics$`))
  await expect(page.locator(`[data-title="${title}"]`)).toBeVisible()
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await endorse.click()
  await expect(count).toHaveText('1 人附议')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'topics-phone')
})

test('a resident still awaiting verification gets a kind note instead of buttons', async ({ page, request }) => {
  const { cycle } = await openCycle(request, 'topic_collection')
  // 韩十八 registered and waits for a grid worker.
  await login(page, '13900000116')
  await resetDisplay(page)
  await expect(page.getByTestId('cycle-card')).toHaveAttribute('data-cycle-id', String(cycle.id))
  await expect(page.getByTestId('cycle-unverified-note')).toContainText('网格员核验后')
  await expect(page.locator('[data-testid^="home-action-"]')).toHaveCount(0)
  await page.goto(`/cycles/${cycle.id}/topics`)
  await expect(page.getByTestId('topics-unverified-note')).toBeVisible()
  await expect(page.getByTestId('topic-propose')).toHaveCount(0)
  await expect(page.locator('[data-testid^="topic-endorse-"]')).toHaveCount(0)
})
