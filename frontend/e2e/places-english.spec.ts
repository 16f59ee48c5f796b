// The language switch: a community administrator turns the UI to English in
// the top bar, and the places screen — labels, buttons, the server's refusal
// and the success message — reads in English, also after a reload. The
// administrator and community are made for the test, so no demo login's
// language changes.

import { DEMO, expect, login, test } from './fixtures'
import { apiGet, apiToken, stamp, throwawayCommunity } from './screens-api'

test('the places screen in English after the language switch', async ({ page, request }) => {
  const superToken = await apiToken(request, DEMO.superadmin, 'yueyuetan-demo')
  const { cid, admin } = await throwawayCommunity(request, superToken)

  await login(page, admin.phone, { password: admin.password, to: `/c/${cid}/places` })
  await expect(page.getByTestId('compound-add')).toHaveText('添加小区')

  const html = page.locator('html')
  await page.getByTestId('lang-toggle').click()
  await expect(html).toHaveAttribute('lang', 'en')
  await expect(page.getByTestId('admin-tabs')).toContainText('Compounds')
  await expect(page.getByTestId('admin-tabs')).toContainText('Members')
  await expect(page.getByTestId('admin-tabs')).toContainText('Details')
  await expect(page.getByTestId('compound-add')).toHaveText('Add compound')
  await expect(page.getByTestId('compounds-empty')).toContainText('No compounds yet')
  await expect(page.getByTestId('nav-me')).toHaveText('Me')

  // The server answers in English too.
  const name = page.getByTestId('compound-name')
  await name.locator('input').fill('  ')
  await page.getByTestId('compound-add').click()
  await expect(name).toContainText('Compound name is required')
  await expect(page.getByTestId('compound-form').getByRole('alert')).toHaveText('Compound name is required')

  const compound = `Test Garden ${stamp()}`
  await name.locator('input').fill(compound)
  await page.getByTestId('compound-add').click()
  await expect(page.locator('.van-toast')).toContainText(`Compound "${compound}" added`)
  await expect(page.locator('a[data-testid^="compound-"]').filter({ hasText: compound })).toContainText(
    '0 buildings · 0 households',
  )

  // The choice is the administrator's: kept after a reload and on the server.
  await page.reload()
  await expect(html).toHaveAttribute('lang', 'en')
  await expect(page.getByTestId('compound-add')).toHaveText('Add compound')
  const token = await apiToken(request, admin.phone, admin.password)
  expect((await apiGet<{ user: { locale: string } }>(request, token, '/me')).user.locale).toBe('en')
  // And the page contains no Chinese text beyond names people typed in.
  const text = await page.locator('main, .page').first().innerText()
  expect(text.replace(/测试社区\d+/g, '')).not.toMatch(/[\u4e00-\u9fff]/)
})
