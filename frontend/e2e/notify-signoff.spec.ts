// The end of a card's story (docs/notifications.md): a resident's anonymous
// card is in a resolution whose only item is done; on the phone the resident
// rates the result (满意度测评); the committee member signs it off on the
// resolution page; the card's author then sees the bell's unread count and,
// in the inbox, the sign-off — without anyone's name — and the tap leads to
// the card.

import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

interface Resolution {
  id: number
  status: string
}

test('the committee accepts; the card’s author sees it in the inbox', async ({ page, browser, baseURL, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  // The demo resident's inbox fills up as other specs run (every meeting of 安友花园 tells its
  // residents); start from nothing unread so the bell shows a number, not 99+.
  await resident.ok('/me/notifications/read', { all: true })
  const me = await resident.get<{ user: { id: number; name: string } }>('/me')
  const body = `电梯井道避开一楼窗户${Date.now() % 1e5}`
  const card = await resident.ok<{ id: number }>(`/cycles/${opened.cycle.id}/cards`, { body, anonymous: true })

  const r = await adoptedResolution<Resolution>(opened, resident, '电梯验收会', [card.id])
  await f.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
    title: '安装调试电梯',
    due_date: '2099-12-31',
    assignee_user_id: me.user.id,
  })
  const done = await request.patch(`/api/v1/items/${item.id}`, {
    headers: { Authorization: `Bearer ${resident.token}` },
    data: { status: 'done' },
  })
  expect(done.ok(), await done.text()).toBeTruthy()
  expect((await resident.get<Resolution>(`/resolutions/${r.id}`)).status).toBe('evaluating')

  // The resident rates it on the phone.
  await login(page, DEMO.resident, { to: `/resolutions/${r.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId('survey-answer')).toBeVisible()
  await page.getByTestId('survey-satisfied').click()
  await expect(page.getByTestId('survey-mine')).toContainText('满意')
  await expect(page.getByTestId('survey-figures')).toContainText('满意率 100%')
  const badge = page.getByTestId('inbox-unread')
  await expect(badge).toBeVisible()
  const before = Number(await badge.textContent())

  // The committee member signs it off, on a computer of their own.
  const desk = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } })
  const committee = await desk.newPage()
  await login(committee, DEMO.committee, { to: `/resolutions/${r.id}` })
  await resetDisplay(committee)
  const form = committee.getByTestId('acceptance-form')
  await expect(form).toBeVisible()
  await committee.getByTestId('acceptance-remarks').locator('textarea').fill('电梯已通过特种设备检验，住户满意。')
  await committee.getByTestId('acceptance-accept').click()
  await expect(committee.getByTestId('acceptances')).toContainText('通过验收')
  await expect(form).toBeHidden()
  await keepScreenshot(committee, 'committee-signoff')
  await desk.close()
  expect((await resident.get<Resolution>(`/resolutions/${r.id}`)).status).toBe('accepted')

  // The card's author, still on the resolution page of their phone: the bell counts it as it
  // arrives (no reload), the inbox shows it, the tap opens the card.
  await expect(badge).toHaveText(String(before + 1))
  await page.getByTestId('inbox-bell').click()
  await expect(page).toHaveURL(/\/inbox$/)
  const note = page.getByTestId('inbox-item-card_accepted').first()
  await expect(note).toContainText('决议通过了验收')
  await expect(note).toContainText(body.slice(0, 10))
  await expect(note).not.toContainText(me.user.name)
  await expect(note).toHaveAttribute('data-unread', 'true')
  await keepScreenshot(page, 'author-inbox')
  await note.locator('button').click()
  await expect(page).toHaveURL(new RegExp(`/cards/${card.id}$`))
})
