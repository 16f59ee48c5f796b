// An administrator verifies a newly registered resident (实名核验), sees the
// state change, and then reads the same screen in 长辈版 and in English.

import { DEMO, DEMO_COMMUNITY, expect, freshPhone, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface CommunityItem {
  id: number
  name: string
}

test('admin filters unverified members, verifies one, and switches to English', async ({ page, request }) => {
  // A resident who registered a moment ago and is waiting to be checked.
  const list = await request.get('/api/v1/register/communities')
  expect(list.ok()).toBeTruthy()
  const community = ((await list.json()).items as CommunityItem[]).find((c) => c.name === DEMO_COMMUNITY)
  expect(community, `${DEMO_COMMUNITY} is seeded`).toBeTruthy()
  const cid = community!.id
  const name = `测试居民${Math.floor(Math.random() * 1e6)}`
  const reg = await request.post('/api/v1/auth/register', {
    headers: { 'Accept-Language': 'zh-CN' },
    data: {
      phone: freshPhone(),
      name,
      password: 'resident-pass-1',
      community_id: cid,
      privacy_consent: true,
    },
  })
  expect(reg.status(), await reg.text()).toBe(201)

  await login(page, DEMO.admin)
  await resetDisplay(page)
  await expect(page.getByTestId(`membership-${cid}`)).toContainText(DEMO_COMMUNITY)

  // Open the community's members and show only those awaiting verification.
  await page.getByTestId(`manage-${cid}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/members$`))
  await page.getByTestId('members-filter-unverified').click()
  await expect(page.getByTestId('members-filter-unverified')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.locator('[data-testid^="member-row-"]').first()).toBeVisible()
  await expect(page.locator('[data-testid^="member-row-"][data-verified="true"]')).toHaveCount(0)

  // Find the new resident by name.
  await page.getByTestId('members-search').locator('input').fill(name)
  await page.getByTestId('members-search').locator('input').press('Enter')
  const row = page.locator(`[data-testid^="member-row-"][data-name="${name}"]`)
  await expect(row).toHaveCount(1)
  const uid = (await row.getAttribute('data-testid'))!.replace('member-row-', '')
  const status = page.getByTestId(`member-status-${uid}`)
  await expect(status).toHaveAttribute('data-state', 'unverified')
  await expect(status).toHaveText('待核验')

  // Verify, confirm, and see the state change in place.
  await page.getByTestId(`verify-${uid}`).click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText(name)
  await dialog.locator('.van-dialog__confirm').click()
  await expect(page.locator('.van-toast')).toContainText(`已核验「${name}」`)
  await expect(status).toHaveAttribute('data-state', 'verified')
  await expect(status).toHaveText('已核验')
  await expect(page.getByTestId(`verify-${uid}`)).toHaveCount(0)
  await expect(page.getByTestId(`member-verified-by-${uid}`)).toContainText('刘书记')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'members-zh-CN')

  // 长辈版: 20 px text and 60 px touch targets.
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  await expect(page.getByTestId('elder-toggle')).toHaveAttribute('aria-pressed', 'true')
  const bodySize = await page.evaluate(() => getComputedStyle(document.body).fontSize)
  expect(bodySize).toBe('20px')
  for (const target of [
    page.getByTestId('elder-toggle'),
    page.getByTestId('lang-toggle'),
    page.getByTestId('members-filter-unverified'),
    page.getByTestId(`unverify-${uid}`),
  ]) {
    const box = await target.boundingBox()
    expect(box, 'target is on screen').toBeTruthy()
    expect(box!.height).toBeGreaterThanOrEqual(60)
    expect(box!.width).toBeGreaterThanOrEqual(60)
  }
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'members-elder')
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).not.toHaveClass(/\belder\b/)

  // English, and it stays English after a reload.
  await page.getByTestId('lang-toggle').click()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByTestId('admin-tabs')).toContainText('Members')
  await expect(status).toHaveText('Verified')
  await expect(page.getByTestId('members-filter-unverified')).toContainText('Awaiting check')
  await expect(page.getByTestId('lang-toggle')).toContainText('中文')
  await page.reload()
  await expect(page.getByTestId('admin-tabs')).toContainText('Members')
  // The filter is kept in the URL; the resident now shows under "Verified".
  await expect(page.getByTestId('members-filter-unverified')).toHaveAttribute('aria-pressed', 'true')
  await page.getByTestId('members-filter-verified').click()
  await expect(page).toHaveURL(/show=verified/)
  await page.getByTestId('members-search').locator('input').fill(name)
  await page.getByTestId('members-search').locator('input').press('Enter')
  await expect(page.getByTestId(`member-status-${uid}`)).toHaveText('Verified')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'members-en')

  // Leave the shared demo account as we found it.
  await resetDisplay(page)
})
