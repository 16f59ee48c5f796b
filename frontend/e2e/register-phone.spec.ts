// A resident registers on a phone-sized screen: picks where they live,
// reads and accepts the privacy notice, and lands on 我的社区 waiting to be
// verified.

import { DEMO_COMMUNITY, expect, freshPhone, keepScreenshot, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('a resident registers through the UI on a phone', async ({ page }) => {
  await page.goto('/')
  await expect(page).toHaveURL(/\/login$/)
  await page.getByTestId('go-register').click()
  await expect(page).toHaveURL(/\/register$/)

  // Where I live: community → compound → building → room.
  await page.getByTestId('reg-community').click()
  await page.getByTestId('reg-community-sheet').getByRole('option', { name: new RegExp(DEMO_COMMUNITY) }).click()
  await expect(page.getByTestId('reg-community-value')).toHaveText(DEMO_COMMUNITY)
  await page.getByTestId('reg-compound').click()
  await page.getByTestId('reg-compound-sheet').getByRole('option').first().click()
  await page.getByTestId('reg-building').click()
  await page.getByTestId('reg-building-sheet').getByRole('option').first().click()
  await page.getByTestId('reg-room').click()
  await page.getByTestId('reg-room-sheet').getByRole('option').last().click()
  await expect(page.getByTestId('reg-room-value')).not.toHaveClass(/\bempty\b/)

  // Who I am.
  const name = `手机居民${Math.floor(Math.random() * 1e4)}`
  await page.getByTestId('reg-name').locator('input').fill(name)
  await page.getByTestId('reg-phone').locator('input').fill(freshPhone())
  await page.getByTestId('reg-password').locator('input').fill('my-secret-88')
  await page.getByTestId('reg-password2').locator('input').fill('my-secret-88')

  // The privacy notice is shown in full, and consent is required.
  const notice = page.getByTestId('privacy-notice')
  for (const heading of ['我们收集什么', '为什么收集', '谁能看到', '您可以做什么']) {
    await expect(notice).toContainText(heading)
  }
  await page.getByTestId('reg-submit').click()
  await expect(page.getByText('请先阅读并勾选个人信息保护说明')).toBeVisible()
  await page.getByTestId('reg-consent').click()
  await keepScreenshot(page, 'register-phone-form')

  await page.getByTestId('reg-submit').click()
  await expect(page.getByTestId('home-title')).toContainText(name)
  await expect(page.locator('.van-toast')).toContainText('注册成功')
  const card = page.locator('[data-testid^="membership-"]').filter({ hasText: DEMO_COMMUNITY })
  await expect(card).toBeVisible()
  await expect(card.locator('[data-testid^="membership-status-"]')).toHaveAttribute('data-state', 'unverified')
  await expect(card.getByTestId('verify-pending-note')).toContainText('网格员')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'register-phone-home')
})
