// Phase gating: while topics are collected, a resident's home offers 提议题
// and 附议 but no way to send a card, the card screen says why, and the API
// refuses a card with 409 phase_closed. 附议 takes one tap and a second tap
// takes it back. A topic a compound's month did not choose comes back into
// its next month with its endorsements, and says so to residents and in the
// facilitator's triage, whose cycles screen shows the compounds' turns.

import { Caller, demoPlace, nextFreeMonth, openCycle, type Cycle } from './cycle-api'
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

test('a topic its compound did not choose comes back into the next month with its endorsements', async ({ page, request, browser, baseURL }) => {
  const admin = await Caller.login(request, DEMO.admin)
  const facilitator = await Caller.login(request, DEMO.facilitator)
  const { cid } = await demoPlace(facilitator)
  const stamp = Date.now() % 1e5
  // A compound of its own, so that no other spec's month of 安友花园 gets this topic.
  const compound = await admin.ok<{ id: number; name: string }>(`/communities/${cid}/compounds`, { name: `轮值小区${stamp}` })
  const open = async () =>
    facilitator.ok<Cycle & { topic_count: number }>(`/communities/${cid}/cycles`, {
      month: await nextFreeMonth(facilitator, cid),
      compound_id: compound.id,
      reason: '轮到这个小区',
    })
  const first = await open()
  await facilitator.ok(`/cycles/${first.id}/advance`, { to: 'topic_collection' })
  const title = `楼道灯不亮（${stamp}）`
  const topic = await facilitator.ok<{ id: number }>(`/cycles/${first.id}/topics`, { title, source: 'home_visit' })
  for (const phone of [DEMO.resident, '13900000102']) {
    const endorser = await Caller.login(request, phone)
    const res = await request.put(`/api/v1/topics/${topic.id}/endorsement`, { headers: { Authorization: `Bearer ${endorser.token}` } })
    expect(res.status(), await res.text()).toBe(200)
  }
  await facilitator.ok(`/cycles/${first.id}/advance`, { to: 'cancelled', reason: '物业换届，推迟一个月' })
  const second = await open()
  expect(second.topic_count).toBe(1)

  // The resident sees it back, already endorsed by them.
  await login(page, DEMO.resident, { to: `/cycles/${second.id}/topics` })
  await resetDisplay(page)
  const row = page.locator(`[data-testid^="topic-"][data-title="${title}"]`)
  await expect(row.locator('[data-testid^="topic-carried-"]')).toHaveText('上期未选中，带入本期 · 原有 2 人附议')
  await expect(row.locator('[data-testid^="topic-count-"]')).toHaveText('2 人附议')
  await keepScreenshot(page, 'topics-carried-phone')

  // The facilitator's triage says the same; the cycles screen shows whose turn it was.
  const ctx = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const desk = await ctx.newPage()
  await login(desk, DEMO.facilitator, { to: `/c/${cid}/cycles/${second.id}/topics` })
  await resetDisplay(desk)
  const triaged = desk.locator(`[data-testid^="triage-topic-"][data-title="${title}"]`)
  await expect(triaged.locator('[data-testid^="triage-carried-"]')).toHaveText('上期未选中，带入本期 · 原有 2 人附议')
  await desk.goto(`/c/${cid}/cycles`)
  await desk.getByTestId('cycle-month').locator('input').fill(second.month)
  const month = Number(second.month.slice(5))
  await expect(desk.getByTestId('cycle-rotation')).toContainText(`${second.month.slice(0, 4)} 年小区轮值`)
  // The cancelled month is not a turn.
  await expect(desk.getByTestId(`rotation-had-${compound.id}`)).toHaveText(`${compound.name}（${month}月）`)
  await expect(desk.getByTestId(`rotation-waiting-${compound.id}`)).toHaveCount(0)
  await keepScreenshot(desk, 'cycles-rotation-desktop')
  await ctx.close()
})
