// The owners' register (业主名册) on the compound page: a fresh compound with
// one building and two flats, set up through the API; in the UI the admin
// records one resident as the owner of the first flat, then the second flat as
// "same owner as" the first. The totals an owners' vote counts against then
// show one owner by head with both areas added up.

import { Caller } from './cycle-api'
import { DEMO, DEMO_COMMUNITY, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Register {
  units: number
  heads: number
  area: number
  recorded: number | null
  items: { household_id: number; owner: { user_id: number | null; units: number } | null }[]
}

test('one resident owning two flats counts as one owner with the areas summed', async ({ page, request }) => {
  const admin = await Caller.login(request, DEMO.admin)
  const communities = await admin.get<{ items: { id: number; name: string }[] }>('/communities')
  const cid = communities.items.find((c) => c.name === DEMO_COMMUNITY)!.id
  const compound = await admin.ok<{ id: number }>(`/communities/${cid}/compounds`, {
    name: `名册测试小区${Date.now() % 1e6}`,
  })
  const building = await admin.ok<{ id: number }>(`/compounds/${compound.id}/buildings`, { name: '1栋1单元' })
  const h1 = await admin.ok<{ id: number }>(`/compounds/${compound.id}/households`, { building_id: building.id, room: '101', area: 88.5 })
  const h2 = await admin.ok<{ id: number }>(`/compounds/${compound.id}/households`, { building_id: building.id, room: '102', area: 65.25 })
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number; name: string } }>('/me')

  await login(page, DEMO.admin, { to: `/c/${cid}/places/${compound.id}` })
  await resetDisplay(page)
  const summary = page.getByTestId('owner-summary')
  // Nobody recorded yet: each flat counts as an owner of its own.
  await expect(summary.getByTestId('owner-compound-units')).toHaveText('2 户')
  await expect(summary.getByTestId('owner-compound-heads')).toHaveText('业主 2 人')
  await expect(summary.getByTestId('owner-compound-recorded')).toContainText('已登记业主 0 / 2 户')
  await expect(page.getByTestId(`owner-cell-${h1.id}`)).toContainText('未登记')

  // 101: the resident, found by name.
  await page.getByTestId(`owner-edit-${h1.id}`).click()
  const editor = page.getByTestId('owner-editor')
  await expect(editor).toContainText('1栋1单元 101 的业主')
  await editor.getByTestId('owner-mode-member').check()
  await editor.getByTestId('owner-q').fill(me.user.name)
  await editor.getByTestId('owner-find').click()
  await editor.getByTestId(`owner-pick-${me.user.id}`).click()
  await expect(editor.getByTestId('owner-picked')).toContainText(me.user.name)
  await editor.getByTestId('owner-save').click()
  await expect(page.getByTestId(`owner-cell-${h1.id}`)).toContainText(me.user.name)
  await expect(summary.getByTestId('owner-compound-recorded')).toContainText('已登记业主 1 / 2 户')

  // 102: the same owner as 101.
  await page.getByTestId(`owner-edit-${h2.id}`).click()
  await expect(editor).toContainText('1栋1单元 102 的业主')
  await editor.getByTestId('owner-mode-same').check()
  await editor.getByTestId('owner-same').selectOption(String(h1.id))
  await editor.getByTestId('owner-save').click()
  await expect(page.getByTestId(`owner-cell-${h2.id}`)).toContainText(me.user.name)
  await expect(page.getByTestId(`owner-cell-${h2.id}`)).toContainText('共 2 套')

  // One owner by head, both areas added up — for the compound and for the building.
  await expect(summary.getByTestId('owner-compound-heads')).toHaveText('业主 1 人')
  await expect(summary.getByTestId('owner-compound-area')).toHaveText('面积合计 153.75 平方米')
  await expect(summary.getByTestId('owner-compound-recorded')).toContainText('已登记业主 2 / 2 户')
  await expect(summary.getByTestId('owner-building-heads')).toHaveText('业主 1 人')
  await expect(summary.getByTestId('owner-building-area')).toHaveText('面积合计 153.75 平方米')
  await keepScreenshot(page, 'owners-register')

  const reg = await admin.get<Register>(`/compounds/${compound.id}/owners`)
  expect(reg).toMatchObject({ units: 2, heads: 1, area: 153.75, recorded: 2 })
  expect(reg.items.map((u) => [u.household_id, u.owner?.user_id, u.owner?.units])).toEqual([
    [h1.id, me.user.id, 2],
    [h2.id, me.user.id, 2],
  ])

  // The resident sees the published list: rooms and areas, no owners' names.
  const published = await resident.get<Register>(`/compounds/${compound.id}/owners`)
  expect(published).toMatchObject({ heads: 1, recorded: null })
  expect(published.items.every((u) => u.owner === null)).toBe(true)
})
