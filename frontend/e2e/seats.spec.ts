// Stakeholder seats at the round table (席位). The facilitator seats a
// ground-floor resident among the opponents from the console, picking 张三
// from the member list; when 张三 signs in with the meeting's code the seat
// turns to 已到 on the console, which is never reloaded. The resident's own
// meeting page lists who sits at the table.

import { Caller, openCycle } from './cycle-api'
import { DEMO, DEMO_PASSWORD, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

test('a seated member shows present on the console once they sign in', async ({ page, browser, baseURL, request }) => {
  const { cid, cycle, facilitator } = await openCycle(request, 'card_collection')
  const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '2号楼架空层',
    quorum: 3,
  })

  await login(page, DEMO.facilitator, { to: `/c/${cid}/meetings/${meeting.id}` })
  await resetDisplay(page)
  const panel = page.getByTestId('console-seats')
  await expect(panel).toBeVisible()
  await expect(page.getByTestId('console-seats-empty')).toBeVisible()
  await expect(page.getByTestId('console-live')).toContainText('实时')

  // An opponents' seat for the ground floor, given to 张三 from the member list.
  await page.getByTestId('seat-add-open').click()
  await page.getByTestId('seat-kind').selectOption('resident_con')
  await expect(page.getByTestId('seat-label')).toHaveValue('住户代表（反对）')
  await page.getByTestId('seat-label').fill('一楼住户代表')
  await page.getByTestId('seat-invitee-member').check()
  await page.getByTestId('seat-invitee-q').fill('张三')
  await page.getByTestId('seat-invitee-find').click()
  const pick = page.getByTestId('seat-form').getByRole('button', { name: '请这位' })
  await expect(pick).toHaveCount(1)
  await pick.click()
  await expect(page.getByTestId('seat-invitee-picked')).toHaveText('已选：张三')
  await page.getByTestId('seat-submit').click()

  const seat = page.getByTestId('console-seat-list').locator('li', { hasText: '一楼住户代表' })
  await expect(seat).toContainText('住户代表（反对）')
  await expect(seat).toContainText('张三')
  await expect(seat.locator('[data-present]')).toHaveAttribute('data-present', 'false')
  await expect(seat.locator('[data-present]')).toHaveText('未到')
  await expect(page.getByTestId('console-seats-counts')).toHaveText('已到 0 / 1 席')

  // A second seat, open for now: the property company has not named anyone yet.
  await page.getByTestId('seat-kind').selectOption('property')
  await expect(page.getByTestId('seat-label')).toHaveValue('物业')
  await page.getByTestId('seat-invitee-none').check()
  await page.getByTestId('seat-submit').click()
  const open = page.getByTestId('console-seat-list').locator('li', { hasText: '物业' })
  await expect(open).toContainText('待定')
  await expect(open.locator('[data-present]')).toHaveCount(0)

  // 张三 cannot take a second seat at the same table.
  await page.getByTestId('seat-kind').selectOption('resident_pro')
  await page.getByTestId('seat-invitee-member').check()
  await page.getByTestId('seat-invitee-find').click()
  await page.getByTestId('seat-form').getByRole('button', { name: '请这位' }).click()
  await page.getByTestId('seat-submit').click()
  await expect(page.getByTestId('seat-form')).toContainText('已经在本次会议的席位名单里了')
  await expect(page.getByTestId('console-seat-list').locator('li')).toHaveCount(2)

  // 张三 is signed in at the door before the meeting starts; the console follows without a reload.
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number } }>('/me')
  const joined = await facilitator.post(`/meetings/${meeting.id}/attendance`, { user_id: me.user.id })
  expect(joined.status(), await joined.text()).toBe(201)
  await expect(seat.locator('[data-present]')).toHaveAttribute('data-present', 'true', { timeout: 5_000 })
  await expect(seat.locator('[data-present]')).toHaveText('已到')
  await expect(page.getByTestId('console-seats-counts')).toHaveText('已到 1 / 2 席')
  await expect(page.getByTestId('console-count')).toHaveText('1')
  await keepScreenshot(page, 'seats-console')

  // 张三's meeting page lists who sits at the table, without anyone's phone.
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const rp = await context.newPage()
  await rp.goto('/login')
  await rp.getByTestId('login-phone').locator('input').fill(DEMO.resident)
  await rp.getByTestId('login-password').locator('input').fill(DEMO_PASSWORD)
  await rp.getByTestId('login-submit').click()
  await expect(rp.getByTestId('home-title')).toBeVisible()
  await resetDisplay(rp)
  await rp.goto(`/meetings/${meeting.id}`)
  const atTable = rp.getByTestId('meeting-seats')
  await expect(atTable).toContainText('今天在座的各方')
  await expect(atTable).toContainText('一楼住户代表')
  await expect(atTable).toContainText('住户代表（反对）')
  await expect(atTable).toContainText('物业')
  await expect(rp.getByTestId('meeting-seats-counts')).toHaveText('已到 1 / 2 席')
  await expect(atTable).not.toContainText('0101')
  await keepScreenshot(rp, 'seats-phone')
  await context.close()

  // Removing the open seat, then ending the meeting: the list is on record.
  await open.getByRole('button', { name: '撤掉' }).click()
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()
  await expect(page.getByTestId('console-seat-list').locator('li')).toHaveCount(1)
  await facilitator.ok(`/meetings/${meeting.id}/start`, {})
  await facilitator.ok(`/meetings/${meeting.id}/end`, { minutes: { summary: '先做费用测算' } })
  await expect(page.getByTestId('console-status')).toHaveText('已结束', { timeout: 5_000 })
  await expect(page.getByTestId('seat-add-open')).toHaveCount(0)
  await expect(panel).toContainText('席位名单已存档')
  await expect(seat.locator('[data-present]')).toHaveText('已到')
})
