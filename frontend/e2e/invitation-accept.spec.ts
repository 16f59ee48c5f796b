// A community admin adds a person by phone: that is an invitation, and the
// admin's screen says it waits for the person's confirmation. The person logs
// in, sees the invitation on 我的社区 and accepts it, and is then a member.

import { DEMO, DEMO_COMMUNITY, expect, freshPhone, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface CommunityItem {
  id: number
  name: string
}

test('admin invites a new neighbour, who accepts on their phone', async ({ page, browser, request }) => {
  // Two people, two browsers, three argon2 checks: more than one screen's worth of time.
  test.setTimeout(180_000)
  const list = await request.get('/api/v1/register/communities')
  expect(list.ok()).toBeTruthy()
  const community = ((await list.json()).items as CommunityItem[]).find((c) => c.name === DEMO_COMMUNITY)
  expect(community, `${DEMO_COMMUNITY} is seeded`).toBeTruthy()
  const cid = community!.id
  const phone = freshPhone()
  const name = `受邀居民${Math.floor(Math.random() * 1e6)}`
  const password = 'invite-pass-1'

  // The admin adds the person on the members screen.
  await login(page, DEMO.admin)
  await resetDisplay(page)
  await page.getByTestId(`manage-${cid}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/members$`))
  await page.getByTestId('member-add').click()
  const adder = page.getByTestId('member-adder')
  await expect(adder).toContainText('对方在手机上点「接受」后，才会成为本社区成员')
  await page.getByTestId('add-name').locator('input').fill(name)
  await page.getByTestId('add-phone').locator('input').fill(phone)
  await page.getByTestId('add-password').locator('input').fill(password)
  await page.getByTestId('add-save').click()
  await expect(page.getByTestId('invitation-sent')).toHaveText('已发出邀请，等对方在手机上确认')
  // Not a member yet: the list does not show the person.
  await page.getByTestId('members-search').locator('input').fill(name)
  await page.getByTestId('members-search').locator('input').press('Enter')
  await expect(page.locator(`[data-testid^="member-row-"][data-name="${name}"]`)).toHaveCount(0)
  await keepScreenshot(page, 'invitation-sent')

  // The person, on their own phone, logs in and finds the invitation.
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' })
  const mobile = await phoneCtx.newPage()
  await login(mobile, phone, password)
  const card = mobile.locator('[data-testid^="invitation-"]').filter({ hasText: `${DEMO_COMMUNITY}邀请您加入` })
  await expect(card).toHaveCount(1)
  await expect(card).toContainText(`登记的姓名是「${name}」`)
  await expect(card.getByRole('button', { name: '不接受', exact: true })).toBeVisible()
  await expect(mobile.getByTestId(`membership-${cid}`)).toHaveCount(0)
  await keepScreenshot(mobile, 'invitation-home')

  await card.getByRole('button', { name: '接受', exact: true }).click()
  await expect(mobile.locator('.van-toast')).toContainText(`您已加入${DEMO_COMMUNITY}`)
  await expect(mobile.getByTestId(`membership-${cid}`)).toContainText(DEMO_COMMUNITY)
  await expect(mobile.getByTestId(`membership-status-${cid}`)).toHaveText('已核验')
  await expect(mobile.locator('[data-testid^="invitation-accept-"]')).toHaveCount(0)
  await phoneCtx.close()

  // Now the admin finds the new member, verified in the admin's name.
  await page.reload()
  await page.getByTestId('members-search').locator('input').fill(name)
  await page.getByTestId('members-search').locator('input').press('Enter')
  await expect(page.locator(`[data-testid^="member-row-"][data-name="${name}"]`)).toHaveCount(1)
})
