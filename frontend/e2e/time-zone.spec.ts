// Times are the community's (Asia/Shanghai) whatever zone the device is set
// to: a facilitator's laptop left in UTC types 19:00 for a meeting, and the
// meeting is at 19:00 Beijing time (11:00 UTC), shown as 下午7:00.

import { openCycle } from './cycle-api'
import { DEMO, expect, login, resetDisplay, test } from './fixtures'

test.use({ timezoneId: 'UTC', locale: 'zh-CN' })

test('a meeting time typed on a UTC laptop is Beijing time', async ({ page, request }) => {
  const { cid, cycle, facilitator } = await openCycle(request, 'card_collection')

  await login(page, DEMO.facilitator, { to: `/c/${cid}/cycles/${cycle.id}` })
  await resetDisplay(page)
  await page.getByTestId('meeting-schedule-open').click()
  const form = page.getByTestId('meeting-form')
  // The default is tomorrow 19:00 in Beijing, whatever the device's date.
  const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86_400_000))
  const time = form.getByTestId('meeting-time').locator('input')
  await expect(time).toHaveValue(`${tomorrow}T19:00`)
  await page.getByTestId('meeting-title').locator('input').fill('时区测试圆桌会')
  await page.getByTestId('meeting-location').locator('input').fill('社区活动室')
  await page.getByTestId('meeting-submit').click()
  await expect(page).toHaveURL(/\/meetings\/\d+$/)
  const id = Number(page.url().split('/').pop())

  const meeting = await facilitator.get<{ starts_at: string }>(`/meetings/${id}`)
  const [y, m, d] = tomorrow.split('-').map(Number)
  expect(new Date(meeting.starts_at).toISOString()).toBe(new Date(Date.UTC(y, m - 1, d, 11, 0)).toISOString())
  await expect(page.getByText(/下午7:00/).first()).toBeVisible()
})
