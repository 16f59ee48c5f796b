// 我的: a resident downloads their own data (and nobody else's), turns 长辈版
// on and off and finds it kept after a reload, and a resident registered in
// this test closes their account and can no longer log in.

import { readFileSync } from 'node:fs'
import { expect, login, test } from './fixtures'
import { apiGet, apiToken, registerResident } from './screens-api'

interface MyData {
  user: { phone: string; name: string; large_text: boolean }
  memberships: { community_name: string; phone: string; name: string }[]
  sessions: unknown[]
  events: unknown[]
}

test('a resident downloads only their own data and switches 长辈版 on and off', async ({ page, request }) => {
  const me = await registerResident(request, '下载居民')
  // Another resident of the same community, registered a moment later.
  const other = await registerResident(request, '邻居')

  await login(page, me.phone, me.password)
  await page.getByTestId('nav-me').click()
  await expect(page).toHaveURL(/\/me$/)
  await expect(page.getByTestId('me-phone')).toContainText(me.phone)

  // Download my data: one JSON file with my name and phone, no one else's.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('me-export').click()])
  expect(download.suggestedFilename()).toMatch(/^yueyuetan-my-data-\d{4}-\d{2}-\d{2}\.json$/)
  await expect(page.locator('.van-toast')).toContainText('已开始下载')
  const text = readFileSync((await download.path())!, 'utf8')
  const data = JSON.parse(text) as MyData
  expect(data.user.phone).toBe(me.phone)
  expect(data.user.name).toBe(me.name)
  expect(data.memberships.map((m) => m.community_name)).toEqual(['西桥社区'])
  expect(data.memberships[0].phone).toBe(me.phone)
  expect(data.sessions.length).toBeGreaterThan(0)
  // Every phone number in the file is mine; the neighbour and the demo residents are absent. A
  // phone number stands alone: the digits inside an event's hex hash are not one.
  const phones = new Set(text.match(/(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g))
  expect([...phones]).toEqual([me.phone])
  for (const stranger of [other.name, other.phone, '张三', '13900000101']) {
    expect(text, `the export must not mention ${stranger}`).not.toContain(stranger)
  }

  // 长辈版 on: bigger text now, and still on after a reload and on the server.
  const html = page.locator('html')
  await expect(html).not.toHaveClass(/\belder\b/)
  const elder = page.getByTestId('me-elder')
  await elder.click()
  await expect(page.locator('.van-toast')).toContainText('已开启长辈版')
  await expect(html).toHaveClass(/\belder\b/)
  await expect(elder).toHaveAttribute('aria-checked', 'true')
  const fontOn = await page.locator('body').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  expect(fontOn).toBeGreaterThanOrEqual(18)
  const token = await apiToken(request, me.phone, me.password)
  await expect.poll(async () => (await apiGet<{ user: MyData['user'] }>(request, token, '/me')).user.large_text).toBe(true)
  await page.reload()
  await expect(page.getByTestId('me-phone')).toContainText(me.phone)
  await expect(html).toHaveClass(/\belder\b/)
  await expect(elder).toHaveAttribute('aria-checked', 'true')

  // And off again, with the same row.
  await elder.click()
  await expect(page.locator('.van-toast')).toContainText('已关闭长辈版')
  await expect(html).not.toHaveClass(/\belder\b/)
  await expect.poll(async () => (await apiGet<{ user: MyData['user'] }>(request, token, '/me')).user.large_text).toBe(false)
  await page.reload()
  await expect(page.getByTestId('me-phone')).toContainText(me.phone)
  await expect(html).not.toHaveClass(/\belder\b/)
  await expect(elder).toHaveAttribute('aria-checked', 'false')
})

test('a resident closes their own account and can no longer log in', async ({ page, request }) => {
  const me = await registerResident(request, '注销居民')
  await login(page, me.phone, { password: me.password, to: '/me' })
  const password = page.getByTestId('me-close-password')
  const closeButton = page.getByTestId('me-close')
  const dialog = page.locator('.van-dialog')

  // Without a password nothing is asked or sent.
  await closeButton.click()
  await expect(password).toContainText('请输入密码确认')
  await expect(dialog).toBeHidden()

  // A wrong password: the server's words under the box, still logged in.
  await password.locator('input').fill('not-my-password')
  await closeButton.click()
  await expect(dialog).toContainText('确定注销账号吗？')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(password).toContainText('密码不对')
  await expect(page).toHaveURL(/\/me$/)

  // Changing one's mind: cancel keeps the account.
  await password.locator('input').fill(me.password)
  await closeButton.click()
  await dialog.locator('.van-dialog__cancel').click()
  await expect(dialog).toBeHidden()
  await expect(page).toHaveURL(/\/me$/)
  expect((await request.post('/api/v1/auth/login', { data: { phone: me.phone, password: me.password } })).status()).toBe(200)

  // Confirmed: the account is closed and the login page is shown.
  await password.locator('input').fill(me.password)
  await closeButton.click()
  await expect(dialog).toContainText('注销后不能恢复')
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.locator('.van-toast')).toContainText('您的账号已注销')

  // The same phone and password no longer let anyone in.
  await page.getByTestId('login-phone').locator('input').fill(me.phone)
  await page.getByTestId('login-password').locator('input').fill(me.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('手机号或密码不对')
  await expect(page).toHaveURL(/\/login$/)
  const res = await request.post('/api/v1/auth/login', { data: { phone: me.phone, password: me.password } })
  expect(res.status()).toBe(401)
  // Going to 我的 directly sends the browser back to the login page.
  await page.goto('/me')
  await expect(page).toHaveURL(/\/login\?redirect=/)
})
