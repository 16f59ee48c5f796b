// 小区住户 (places): an admin adds a compound, a building in it and a
// household with its area; blank names and impossible areas are refused with
// the server's own localized words (or the form's, before anything is sent)
// and create nothing.

import { DEMO, expect, login, resetDisplay, test } from './fixtures'
import { Caller } from './cycle-api'
import { demoCommunityId, stamp } from './screens-api'

interface Problem {
  detail: string
  errors?: Record<string, string>
}

test('an admin adds a compound, a building and a household; bad input creates nothing', async ({ page, request }) => {
  const cid = await demoCommunityId(request)
  const admin = await Caller.login(request, DEMO.admin)
  const compoundCount = async () => (await admin.get<{ items: unknown[] }>(`/communities/${cid}/compounds`)).items.length
  const run = stamp()
  const compoundName = `测试花园${run}`

  await login(page, DEMO.admin, { to: `/c/${cid}/places` })
  await resetDisplay(page)
  const form = page.getByTestId('compound-form')
  const nameField = page.getByTestId('compound-name')

  // A name of spaces passes the form but not the server: its message, and no compound.
  const before = await compoundCount()
  const refusal = (await (await admin.post(`/communities/${cid}/compounds`, { name: '   ' })).json()) as Problem
  expect(refusal.errors?.name).toMatch(/^请填写/)
  await nameField.locator('input').fill('   ')
  await page.getByTestId('compound-add').click()
  await expect(nameField).toContainText(refusal.errors!.name)
  await expect(form.getByRole('alert')).toHaveText(refusal.detail)
  expect(await compoundCount()).toBe(before)

  // A real compound appears in the list, with no buildings yet.
  await nameField.locator('input').fill(compoundName)
  await page.getByTestId('compound-address').locator('input').fill('江汉区测试路 1 号')
  await page.getByTestId('compound-add').click()
  await expect(page.locator('.van-toast')).toContainText(`已添加小区「${compoundName}」`)
  await expect(nameField.locator('input')).toHaveValue('')
  await expect(form.getByRole('alert')).toHaveCount(0)
  const card = page.locator('a[data-testid^="compound-"]').filter({ hasText: compoundName })
  await expect(card).toContainText('江汉区测试路 1 号')
  await expect(card).toContainText('0 个楼栋 · 0 户')
  expect(await compoundCount()).toBe(before + 1)

  // Open it: no buildings, and the household form waits for one.
  await card.click()
  await expect(page.getByTestId('compound-title')).toHaveText(compoundName)
  const compoundId = Number(page.url().split('/').pop())
  await expect(page.getByTestId('buildings-empty')).toBeVisible()
  await expect(page.getByTestId('household-form')).toHaveCount(0)

  const buildingField = page.getByTestId('building-name')
  const buildingRefusal = (await (await admin.post(`/compounds/${compoundId}/buildings`, { name: ' ' })).json()) as Problem
  await buildingField.locator('input').fill(' ')
  await page.getByTestId('building-add').click()
  await expect(buildingField).toContainText(buildingRefusal.errors!.name)
  expect((await admin.get<{ items: unknown[] }>(`/compounds/${compoundId}/buildings`)).items).toHaveLength(0)

  await buildingField.locator('input').fill('1 栋 2 单元')
  await page.getByTestId('building-add').click()
  await expect(page.locator('.van-toast')).toContainText('已添加楼栋「1 栋 2 单元」')
  await expect(page.getByTestId('building-list')).toContainText('1 栋 2 单元')

  // A household: the building, a room and an area.
  const hhForm = page.getByTestId('household-form')
  await page.getByTestId('household-building').click()
  await page.getByTestId('household-building-sheet').getByRole('option', { name: '1 栋 2 单元' }).click()
  await page.getByTestId('household-room').locator('input').fill('502')
  const area = page.getByTestId('household-area')
  const households = async () => (await admin.get<{ items: { room: string; area: number }[] }>(`/compounds/${compoundId}/households`)).items

  // A negative area is stopped before it is sent; the server would refuse it in the same spirit.
  await area.locator('input').fill('-5')
  await page.getByTestId('household-add').click()
  await expect(area).toContainText('请填写大于 0 的面积')
  const [building] = (await admin.get<{ items: { id: number }[] }>(`/compounds/${compoundId}/buildings`)).items
  const negative = (await (
    await admin.post(`/compounds/${compoundId}/households`, { building_id: building.id, room: '502', area: -5 })
  ).json()) as Problem
  expect(negative.errors?.area).toBe('面积不能小于0.01')
  // An area too large for any flat gets past the form and is refused by the server, in its words.
  await area.locator('input').fill('20000')
  await page.getByTestId('household-add').click()
  await expect(area).toContainText('面积不能大于10000')
  await expect(hhForm.getByRole('alert')).toHaveText('面积不能大于10000')
  expect(await households()).toHaveLength(0)

  await area.locator('input').fill('88.5')
  await page.getByTestId('household-add').click()
  await expect(page.locator('.van-toast')).toContainText('已添加住户 1 栋 2 单元 502')
  await expect(hhForm.getByRole('alert')).toHaveCount(0)
  const row = page.getByTestId('household-list').locator('tbody tr').filter({ hasText: '502' })
  await expect(row).toContainText('88.5')
  await expect(page.getByTestId('households-total')).toContainText('合计 1 户')
  expect(await households()).toEqual([expect.objectContaining({ room: '502', area: 88.5 })])

  // Back on the list, the counts have followed.
  await page.getByTestId('back-to-compounds').click()
  await expect(card).toContainText('1 个楼栋 · 1 户')
})
