// 全部社区: the street's superadmin creates a community from the home screen
// and sees it listed (and still listed after a reload); a missing field or a
// community that exists already is refused and adds nothing.

import { DEMO, expect, login, resetDisplay, test } from './fixtures'
import { apiGet, apiToken, stamp } from './screens-api'

interface Community {
  id: number
  name: string
  street: string
  district: string
  city: string
}

test('the superadmin creates a community and sees it listed', async ({ page, request }) => {
  const token = await apiToken(request, DEMO.superadmin, 'yueyuetan-demo')
  const list = async () => (await apiGet<{ items: Community[] }>(request, token, '/communities')).items
  const before = (await list()).length
  const name = `新建社区${stamp()}`

  await login(page, DEMO.superadmin)
  await resetDisplay(page)
  const panel = page.getByTestId('communities-panel')
  await expect(panel).toContainText('全部社区')
  await expect(panel.locator('li[data-testid^="community-"]')).toHaveCount(before)
  await expect(panel.locator('li[data-testid^="community-"]').filter({ hasText: '西桥社区' })).toBeVisible()

  const form = page.getByTestId('community-form')
  const field = (f: string) => form.getByTestId(`community-${f}`)

  // Missing the district: the form asks for it, nothing is created.
  await field('name').locator('input').fill(name)
  await field('street').locator('input').fill('汉兴街道')
  await field('city').locator('input').fill('武汉市')
  await page.getByTestId('community-create').click()
  await expect(field('district')).toContainText('请填写区')
  // A community that exists already (same name in the same street): the server's message.
  await field('name').locator('input').fill('西桥社区')
  await field('street').locator('input').fill('唐家墩街道')
  await field('district').locator('input').fill('江汉区')
  await page.getByTestId('community-create').click()
  await expect(field('name')).toContainText('已经有同名的社区了')
  await expect(form.getByRole('alert')).toHaveText('已经有同名的社区了')
  expect(await list()).toHaveLength(before)

  // A new name: created, listed with its place, the form emptied.
  await field('name').locator('input').fill(name)
  await field('street').locator('input').fill('汉兴街道')
  await page.getByTestId('community-create').click()
  await expect(page.locator('.van-toast')).toContainText(`社区「${name}」已建好`)
  const created = (await list()).find((c) => c.name === name)
  expect(created).toMatchObject({ street: '汉兴街道', district: '江汉区', city: '武汉市' })
  const row = panel.getByTestId(`community-${created!.id}`)
  await expect(row).toContainText(name)
  await expect(row).toContainText('武汉市 · 江汉区 · 汉兴街道')
  await expect(field('name').locator('input')).toHaveValue('')
  await expect(form.getByRole('alert')).toHaveCount(0)

  // Still there after a reload; 管理 opens it.
  await page.reload()
  await expect(row).toContainText(name)
  await page.getByTestId(`open-community-${created!.id}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${created!.id}/members$`))
  await expect(page.getByTestId('community-title')).toHaveText(name)
  await expect(page.getByTestId('members-empty')).toBeVisible()
})
