// The round table, live. A resident on a phone signs in with the meeting's
// 6-digit code and reads 已签到, while the facilitator's console (a second
// page, never reloaded) counts them in; a card sent through the API appears
// on the console's card wall within a couple of seconds.

import type { Browser } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, DEMO_PASSWORD, expect, chooseLanguage, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
  status: string
  display_token?: string
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

async function scheduled(request: Parameters<typeof openCycle>[0]) {
  const opened = await openCycle(request, 'card_collection')
  const starts = new Date(Date.now() + 3_600_000).toISOString()
  const meeting = await opened.facilitator.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: starts,
    location: '2号楼架空层',
    agenda: [
      { title: '听听大家的想法', minutes: 20 },
      { title: '费用怎么分摊', minutes: 25 },
    ],
    quorum: 3,
  })
  expect(meeting.join_code).toMatch(/^\d{6}$/)
  return { ...opened, meeting }
}

async function phonePage(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  return { context, page: await context.newPage() }
}

test('join by code on a phone-sized viewport; the console counts it live', async ({ page, browser, baseURL, request }) => {
  const { cid, cycle, meeting } = await scheduled(request)

  // The facilitator's console, on a laptop.
  await login(page, DEMO.facilitator, { to: `/c/${cid}/cycles/${cycle.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId(`meeting-${meeting.id}`)).toContainText('3单元电梯圆桌会')
  await page.getByTestId(`meeting-open-${meeting.id}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/meetings/${meeting.id}$`))
  await expect(page.getByTestId('console-code')).toHaveText(meeting.join_code)
  await expect(page.getByTestId('console-count')).toHaveText('0')
  await expect(page.getByTestId('console-quorum')).toContainText('还差 3 人')
  await expect(page.getByTestId('console-agenda')).toContainText('费用怎么分摊')
  await expect(page.getByTestId('console-live')).toContainText('实时')

  // A resident on a phone: /join first sends them to log in, then back.
  const phone = await phonePage(browser, baseURL)
  const rp = phone.page
  await rp.goto('/join')
  await expect(rp).toHaveURL(/\/login\?redirect=/)
  await rp.getByTestId('login-phone').locator('input').fill(DEMO.resident)
  await rp.getByTestId('login-password').locator('input').fill(DEMO_PASSWORD)
  await rp.getByTestId('login-submit').click()
  await expect(rp).toHaveURL(/\/join$/)
  await resetDisplay(rp)
  const input = rp.getByTestId('join-code')
  await expect(input).toHaveAttribute('inputmode', 'numeric')
  await expect(input).toHaveAttribute('autocomplete', 'one-time-code')

  // A wrong code is refused in plain words.
  const wrong = meeting.join_code === '000000' ? '000001' : '000000'
  await input.fill(wrong)
  await rp.getByTestId('join-submit').click()
  await expect(rp.getByTestId('join-error')).not.toBeEmpty()
  await keepScreenshot(rp, 'meeting-join-wrong-phone')

  // The right code before the meeting starts: it says to wait, plainly.
  await input.fill(meeting.join_code)
  await rp.getByTestId('join-submit').click()
  await expect(rp.getByTestId('join-error')).toContainText('会议还没有开始')

  // A walk-in without a phone, checked in by name at the console before the start.
  await page.getByTestId('console-walkin').locator('input').fill('李奶奶')
  await page.getByTestId('console-walkin-submit').click()
  await expect(page.getByTestId('console-count')).toHaveText('1')
  // The facilitator opens the meeting; now the code signs the resident in.
  await page.getByTestId('console-start').click()
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await keepScreenshot(rp, 'meeting-join-phone')
  await rp.getByTestId('join-submit').click()
  await expect(rp).toHaveURL(new RegExp(`/meetings/${meeting.id}\\?joined=1$`))
  await expect(rp.getByTestId('meeting-signed-in')).toContainText('已签到')
  await expect(rp.getByTestId('meeting-status')).toContainText('正在进行')
  await expect(rp.getByTestId('meeting-count')).toHaveText('已到 2 人')
  await expect(rp.getByTestId('meeting-quorum')).toHaveText('还差 1 人')

  // The console, not reloaded, counts the resident in.
  await expect(page.getByTestId('console-count')).toHaveText('2', { timeout: 5_000 })
  await expect(page.getByTestId('console-attendees')).toContainText('张三')
  await expect(rp.getByTestId('meeting-write-card')).toBeVisible()
  await keepScreenshot(page, 'meeting-console')

  // The home card of the resident now leads into the meeting.
  await rp.goto('/')
  await expect(rp.getByTestId('home-action-meeting')).toContainText('进入会议')
  await keepScreenshot(rp, 'meeting-home-phone')
  await rp.getByTestId('home-action-meeting').click()
  await expect(rp).toHaveURL(new RegExp(`/meetings/${meeting.id}`))
  await expect(rp.getByTestId('meeting-signed-in')).toContainText('已签到')
  await keepScreenshot(rp, 'meeting-phone')

  // 长辈版 and English on the phone.
  await rp.getByTestId('elder-toggle').click()
  await expect(rp.locator('html')).toHaveClass(/\belder\b/)
  const write = await rp.getByTestId('meeting-write-card').boundingBox()
  expect(write!.height).toBeGreaterThanOrEqual(60)
  await keepScreenshot(rp, 'meeting-phone-elder')
  await rp.goto('/join')
  await keepScreenshot(rp, 'meeting-join-phone-elder')
  await rp.getByTestId('elder-toggle').click()
  // On a phone the language is chosen in 我的.
  await expect(rp.getByTestId('lang-toggle')).toBeHidden()
  await chooseLanguage(rp, 'en')
  await rp.goto(`/meetings/${meeting.id}`)
  await expect(rp.getByTestId('meeting-status')).toContainText('The meeting is on')
  await keepScreenshot(rp, 'meeting-phone-en')
  await resetDisplay(rp)
  await phone.context.close()

  // End with a summary.
  await page.getByTestId('console-end').click()
  await page.getByTestId('end-meeting-input').locator('textarea').fill('大家同意先做电梯费用测算，下月再议')
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.getByTestId('console-status')).toHaveText('已结束')
})

test('a card sent by a resident shows on the console’s live card wall', async ({ page, request }) => {
  const { cid, cycle, meeting, facilitator } = await scheduled(request)
  await facilitator.ok(`/meetings/${meeting.id}/start`, {})

  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('console-status')).toHaveText('进行中')
  await expect(page.getByTestId('console-wall-empty')).toBeVisible()
  await expect(page.getByTestId('console-live')).toContainText('实时')

  const resident = await Caller.login(request, DEMO.resident)
  const bodies = ['电梯费用按楼层分摊，高层多出一点', '电梯费用按楼层高低分摊，低层少出一点', '一楼住户不用出电梯钱']
  const sentAt = Date.now()
  const card = await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body: bodies[0] }, { 'Idempotency-Key': `meet-${sentAt}-0` })
  await expect(page.getByTestId(`card-${card.id}`)).toContainText(bodies[0], { timeout: 3_000 })
  expect(Date.now() - sentAt).toBeLessThan(3_000)
  for (const [i, body] of bodies.slice(1).entries()) {
    await resident.ok(`/cycles/${cycle.id}/cards`, { body }, { 'Idempotency-Key': `meet-${sentAt}-${i + 1}` })
  }
  await expect(page.locator('[data-testid="console-wall"] > li')).toHaveCount(3, { timeout: 3_000 })
  await expect(page.getByTestId('console-loose')).toContainText('3')
  // The two cards about splitting the cost by floor come back as a suggestion; its chip lights them up.
  const chip = page.getByTestId('console-suggestion-0')
  await expect(chip).toContainText('内容相近，合为一组？')
  await chip.click()
  await expect(chip).toHaveAttribute('aria-pressed', 'true')
  await expect(page.locator('[data-testid="console-wall"] > li.lit')).toHaveCount(2)
  await keepScreenshot(page, 'meeting-console-wall')

  // With the clusters API on the server, the highlighted pair becomes a labelled group.
  await page.getByTestId('console-group').click()
  await page.getByTestId('group-input').locator('textarea').fill('按楼层分摊费用')
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  const group = page.locator('[data-testid^="console-group-"]')
  await expect(group).toHaveCount(1)
  await expect(group).toContainText('按楼层分摊费用')
  await expect(group.locator('.card-item')).toHaveCount(2)
  await expect(page.getByTestId('console-loose')).toContainText('1')
  await keepScreenshot(page, 'meeting-console-grouped')

  // 长辈版 and English of the console.
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  await keepScreenshot(page, 'meeting-console-elder')
  await page.getByTestId('elder-toggle').click()
  await page.getByTestId('lang-toggle').click()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByTestId('console-loose')).toContainText('Loose cards (1)')
  await keepScreenshot(page, 'meeting-console-en')
  await resetDisplay(page)
})
