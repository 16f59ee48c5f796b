// Passwords: a resident changes theirs in 我的 and logs in with the new one;
// a grid worker who has checked a resident face to face issues a reset code,
// and the resident, on a phone, turns it into a new password and is logged in.

import { DEMO, expect, keepScreenshot, login, loginWithForm, test } from './fixtures'
import { demoCommunityId, registerResident, stamp } from './screens-api'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

test('a resident changes the password in 我的 and logs in with the new one', async ({ page }) => {
  const me = await registerResident(page.request, '改密居民')
  await login(page, me.phone, { password: me.password, to: '/me' })
  const card = page.getByTestId('change-password')
  await expect(card.getByTestId('password-rules')).toContainText('至少8位')

  // A common password: the server's words under the new password, nothing changed.
  await card.getByTestId('pw-current').locator('input').fill(me.password)
  await card.getByTestId('pw-new').locator('input').fill('12345678')
  await card.getByTestId('pw-repeat').locator('input').fill('12345678')
  await card.getByTestId('pw-submit').click()
  await expect(card.getByTestId('pw-new')).toContainText('这个密码太常见')

  // Two different new passwords are caught before anything is sent.
  const next = `wo jia zhu 3 dong ${stamp()}`
  await card.getByTestId('pw-new').locator('input').fill(next)
  await card.getByTestId('pw-repeat').locator('input').fill(next + 'x')
  await card.getByTestId('pw-submit').click()
  await expect(card.getByTestId('pw-repeat')).toContainText('两次输入的新密码不一样')

  await card.getByTestId('pw-repeat').locator('input').fill(next)
  await card.getByTestId('pw-submit').click()
  await expect(page.locator('.van-toast')).toContainText('密码已改好')
  // This device stays logged in with its new session.
  await page.reload()
  await expect(page.getByTestId('me-phone')).toContainText(me.phone)

  await page.getByTestId('me-logout').click()
  await expect(page).toHaveURL(/\/login/)
  await page.getByTestId('login-phone').locator('input').fill(me.phone)
  await page.getByTestId('login-password').locator('input').fill(me.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('手机号或密码不对')
  await loginWithForm(page, me.phone, next)
})

test('a grid worker issues a reset code and the resident resets on a phone', async ({ page, browser, baseURL }) => {
  const cid = await demoCommunityId(page.request)
  const resident = await registerResident(page.request, '忘密居民')

  await login(page, DEMO.gridWorker, { to: `/c/${cid}/members` })
  await page.getByTestId('members-search').locator('input').fill(resident.name)
  await page.getByTestId('members-search').locator('input').press('Enter')
  const row = page.locator(`[data-testid^="member-row-"][data-name="${resident.name}"]`)
  await expect(row).toHaveCount(1)
  await row.getByTestId(`reset-password-${resident.id}`).click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText('请确认已当面核实本人身份')
  await expect(dialog).toContainText(resident.name)
  await dialog.locator('.van-dialog__confirm').click()
  const sheet = page.getByTestId('reset-code-sheet')
  await expect(sheet).toContainText(resident.name)
  const code = (await sheet.getByTestId('reset-code').getAttribute('data-code'))!
  expect(code).toMatch(/^\d{8}$/)
  await expect(sheet.getByTestId('reset-code')).toHaveText(`${code.slice(0, 4)} ${code.slice(4)}`)
  await expect(sheet.getByTestId('reset-code-expires')).toContainText('有效期到')
  await keepScreenshot(page, 'reset-code-zh-CN')
  await sheet.getByTestId('reset-code-done').click()
  await expect(sheet).toBeHidden()

  // The resident, on a phone: 登录 → 忘记密码 → phone, code, new password.
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const phone = await context.newPage()
  await phone.goto('/login')
  await phone.getByTestId('go-forgot').click()
  await expect(phone).toHaveURL(/\/forgot-password$/)
  await expect(phone.getByTestId('forgot-intro')).toContainText('社区办公室')
  await expect(phone.getByTestId('forgot-sms')).toHaveCount(0)
  await phone.getByTestId('forgot-phone').locator('input').fill(resident.phone)
  await phone.getByTestId('forgot-code').locator('input').fill(code)
  const next = `xin mi ma ${stamp()}`
  await phone.getByTestId('forgot-new').locator('input').fill(next)
  await phone.getByTestId('forgot-repeat').locator('input').fill(next)
  for (const id of ['forgot-phone', 'forgot-code', 'forgot-new', 'forgot-submit']) {
    const box = await phone.getByTestId(id).boundingBox()
    expect(box!.width, `${id} fits the phone`).toBeLessThanOrEqual(390)
    expect(box!.height, `${id} is easy to tap`).toBeGreaterThanOrEqual(44)
  }
  await keepScreenshot(phone, 'forgot-password-phone')
  await phone.getByTestId('forgot-submit').click()
  await expect(phone.getByTestId('home-title')).toBeVisible()

  // The code was single use; the new password logs in anywhere.
  const again = await phone.request.post('/api/v1/auth/password-reset', {
    data: { phone: resident.phone, code, new_password: 'another-good-one' },
  })
  expect(again.status()).toBe(422)
  await context.close()
  const fresh = await page.request.post('/api/v1/auth/login', { data: { phone: resident.phone, password: next } })
  expect(fresh.status()).toBe(200)
})
