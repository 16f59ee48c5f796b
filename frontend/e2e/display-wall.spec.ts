// The wall (大屏) on the projector, next to the facilitator's console. The wall
// opens /display/<token> without logging in, at 1920×1080, and is never
// reloaded: any facilitator's console shows its link (and QR) without
// retiring it, a resident who signs in through the API raises its count, the
// console switches it to the card wall and a new card appears, and a renewed
// display link turns the old wall into a calm note.

import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
}

const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

test('the wall follows the console live: attendance, card wall, renewed link', async ({ page, browser, baseURL, request }) => {
  // Three browsers (console, wall, a second facilitator) and every wall mode.
  test.slow()
  const { cid, cycle, facilitator, topicTitle } = await openCycle(request, 'card_collection')
  const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '2号楼架空层',
    agenda: [{ title: '听听大家的想法', minutes: 20 }],
    quorum: 3,
  })
  const { display_token: token } = await facilitator.ok<{ display_token: string }>(`/meetings/${meeting.id}/display-token`, {})
  expect(token).toBeTruthy()

  // The facilitator's console, on a laptop that did not make the link: the
  // server shows the wall in use.
  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-display-url')).toContainText(`/display/${token}`)
  await expect(page.getByTestId('console-live')).toContainText('实时')
  await expect(page.getByTestId('console-projector-now')).toContainText('签到码')

  // The wall: no login, no app chrome, no pointer.
  const wallContext = await browser.newContext({ ...WALL, baseURL })
  const wall = await wallContext.newPage()
  await wall.goto(`/display/${token}`)
  await expect(wall.getByTestId('wall-join')).toBeVisible()
  await expect(wall.getByTestId('wall-code')).toHaveText(meeting.join_code)
  await expect(wall.getByTestId('wall-attendance')).toHaveText('已到 0 人 · 需要 3 人')
  await expect(wall.getByTestId('wall-qr').locator('svg')).toBeVisible()
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')
  await expect(wall.getByTestId('topbar')).toHaveCount(0)
  await expect(wall.locator('.van-tabbar')).toHaveCount(0)
  expect(await wall.getByTestId('wall').evaluate((el) => getComputedStyle(el).cursor)).toBe('none')
  const sizes = await wall.evaluate(() => ({
    title: parseFloat(getComputedStyle(document.querySelector('.wall .title')!).fontSize),
    body: parseFloat(getComputedStyle(document.querySelector('[data-testid="wall-attendance"]')!).fontSize),
  }))
  expect(sizes.title).toBeGreaterThanOrEqual(48)
  expect(sizes.body).toBeGreaterThanOrEqual(32)
  const qr = await wall.getByTestId('wall-qr').boundingBox()
  expect(qr!.height).toBeGreaterThan(500)
  await keepScreenshot(wall, 'wall-join')

  // Another facilitator (the admin) on another computer sees the same link
  // and its QR, and looking retires nothing: the wall stays live.
  const adminContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL, locale: 'zh-CN' })
  const admin = await adminContext.newPage()
  await login(admin, DEMO.admin, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(admin)
  await expect(admin.getByTestId('console-display-url')).toContainText(`/display/${token}`)
  await admin.getByTestId('console-display-qr-toggle').click()
  await expect(admin.getByTestId('console-display-qr').locator('svg')).toBeVisible()
  await adminContext.close()
  await expect(wall.getByTestId('wall-join')).toBeVisible()
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')

  // (1) The resident is signed in at the door; the wall's count goes up without a reload.
  const resident = await Caller.login(request, DEMO.resident)
  // Before the meeting starts the code does not sign anyone in: staff sign people in at the door.
  const early = await resident.post('/meetings/join', { code: meeting.join_code, method: 'code' })
  expect(early.status()).toBe(409)
  expect((await early.json()).code).toBe('join_not_started')
  const me = await resident.get<{ user: { id: number } }>('/me')
  const joinedAt = Date.now()
  await facilitator.ok(`/meetings/${meeting.id}/attendance`, { user_id: me.user.id })
  await expect(wall.getByTestId('wall-attendance')).toHaveText('已到 1 人 · 需要 3 人', { timeout: 2_000 })
  expect(Date.now() - joinedAt).toBeLessThan(2_000)
  await keepScreenshot(wall, 'wall-join-1')

  // The other modes, chosen and previewed in the console, then put on the wall.
  await page.getByTestId('console-projector-topic').click()
  await expect(page.getByTestId('console-projector-preview-next')).toContainText(topicTitle)
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-topic')).toContainText(topicTitle, { timeout: 2_000 })
  await expect(wall.getByTestId('wall-topic')).toContainText('附议最多')
  await expect(page.getByTestId('console-projector-topic')).toHaveAttribute('aria-pressed', 'true')
  await keepScreenshot(wall, 'wall-topic')
  await page.getByTestId('console-projector-message').click()
  await page.getByTestId('console-projector-text').locator('input').fill('休息 10 分钟，10:30 继续')
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-message')).toContainText('休息 10 分钟，10:30 继续', { timeout: 2_000 })
  await keepScreenshot(wall, 'wall-message')
  await page.getByTestId('console-projector-blank').click()
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-blank')).toContainText('3单元电梯圆桌会', { timeout: 2_000 })
  await keepScreenshot(wall, 'wall-blank')

  // (2) The card wall; a card sent through the API appears on it.
  await page.getByTestId('console-projector-cards').click()
  await page.getByTestId('console-projector-show').click()
  await expect(page.getByTestId('console-projector-cards')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('console-projector-now')).toContainText('卡片墙')
  await expect(wall.getByTestId('wall-cards')).toBeVisible({ timeout: 2_000 })
  const bodies = ['电梯费用按楼层分摊，高层多出一点', '一楼住户不用出电梯钱', '装电梯时晚上别施工，老人要休息']
  for (const [i, body] of bodies.entries()) {
    const sentAt = Date.now()
    const card = await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body }, { 'Idempotency-Key': `wall-${sentAt}-${i}` })
    await expect(wall.getByTestId(`wall-card-${card.id}`)).toHaveText(body, { timeout: 2_000 })
    expect(Date.now() - sentAt).toBeLessThan(2_000)
  }
  await expect(wall.getByTestId('wall-cards')).not.toContainText('张三')
  await keepScreenshot(page, 'wall-console')
  await keepScreenshot(wall, 'wall-cards')

  // English on the wall follows ?lang=en.
  const en = await wallContext.newPage()
  await en.goto(`/display/${token}?lang=en`)
  await expect(en.getByTestId('wall-cards')).toContainText('Your suggestions')
  await keepScreenshot(en, 'wall-cards-en')
  await en.close()

  // (3) The facilitator renews the link: the old wall says so, calmly.
  await page.getByTestId('console-display-renew').click()
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.getByTestId('console-display-url')).not.toContainText(token)
  await expect(wall.getByTestId('wall-expired')).toHaveText('这个投屏地址已失效，请在会议台重新打开', { timeout: 5_000 })
  await keepScreenshot(wall, 'wall-expired')
  await wallContext.close()
})
