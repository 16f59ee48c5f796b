// 社区信息 (settings): a community's administrator changes its name, street,
// district and city, and finds them kept after a reload and on the server; a
// blank street is refused in the server's words and changes nothing. The
// community is made for the test, so the demo community keeps its name.

import { DEMO, expect, login, test } from './fixtures'
import { apiGet, apiToken, stamp, throwawayCommunity } from './screens-api'

interface Community {
  name: string
  street: string
  district: string
  city: string
}

test('an administrator edits the community details and they are kept', async ({ page, request }) => {
  const superToken = await apiToken(request, DEMO.superadmin, 'yueyuetan-demo')
  const { cid, name, admin } = await throwawayCommunity(request, superToken)
  const adminToken = await apiToken(request, admin.phone, admin.password)
  const onServer = () => apiGet<Community>(request, adminToken, `/communities/${cid}`)

  await login(page, admin.phone, { password: admin.password, to: `/c/${cid}/settings` })
  await expect(page.getByTestId('community-title')).toHaveText(name)
  const field = (f: keyof Community) => page.getByTestId(`settings-${f}`)
  await expect(field('name').locator('input')).toHaveValue(name)
  await expect(field('street').locator('input')).toHaveValue('测试街道')
  await expect(field('district').locator('input')).toHaveValue('测试区')
  await expect(field('city').locator('input')).toHaveValue('武汉市')

  // A street of spaces: the server's message under it, nothing saved.
  const refusal = await (
    await request.patch(`/api/v1/communities/${cid}`, {
      headers: { Authorization: `Bearer ${adminToken}`, 'Accept-Language': 'zh-CN' },
      data: { street: '   ' },
    })
  ).json()
  expect(refusal.errors.street).toBe('请填写街道')
  await field('street').locator('input').fill('   ')
  await page.getByTestId('settings-save').click()
  await expect(field('street')).toContainText('请填写街道')
  await expect(page.getByTestId('settings-form').getByRole('alert')).toHaveText(refusal.detail)
  expect((await onServer()).street).toBe('测试街道')

  // New details, saved.
  const renamed = `改名社区${stamp()}`
  await field('name').locator('input').fill(renamed)
  await field('street').locator('input').fill('汉兴街道')
  await field('district').locator('input').fill('江汉区')
  await field('city').locator('input').fill('武汉')
  await page.getByTestId('settings-save').click()
  await expect(page.locator('.van-toast')).toContainText('社区信息已保存')
  await expect(page.getByTestId('settings-form').getByRole('alert')).toHaveCount(0)
  await expect(page.getByTestId('community-title')).toHaveText(renamed)
  expect(await onServer()).toMatchObject({ name: renamed, street: '汉兴街道', district: '江汉区', city: '武汉' })

  // Kept after a reload.
  await page.reload()
  await expect(field('name').locator('input')).toHaveValue(renamed)
  await expect(field('street').locator('input')).toHaveValue('汉兴街道')
  await expect(field('district').locator('input')).toHaveValue('江汉区')
  await expect(field('city').locator('input')).toHaveValue('武汉')
  await expect(page.getByTestId('community-title')).toHaveText(renamed)
})

test('the details are read-only for staff who may not manage the community', async ({ page, request }) => {
  // The demo facilitator sees the demo community's details but gets no settings tab or save button.
  await login(page, DEMO.facilitator)
  const token = await apiToken(request, DEMO.facilitator, 'yueyuetan-demo')
  const communities = await apiGet<{ items: { id: number; name: string }[] }>(request, token, '/communities')
  const cid = communities.items.find((c) => c.name === '西桥社区')!.id
  await page.goto(`/c/${cid}/members`)
  await expect(page.getByTestId('admin-tabs')).toBeVisible()
  await expect(page.locator('.tab-settings')).toHaveCount(0)
  await page.goto(`/c/${cid}/settings`)
  await expect(page.getByTestId('settings-name').locator('input')).toHaveValue('西桥社区')
  await expect(page.getByTestId('settings-name').locator('input')).toHaveAttribute('readonly', '')
  await expect(page.getByTestId('settings-save')).toHaveCount(0)
})
