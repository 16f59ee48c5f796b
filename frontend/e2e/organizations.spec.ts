// 组织: an admin adds an organization (a blank name or no type is refused and
// adds nothing), then links a member to it in the member editor and unlinks
// them again. The member is added in the test, so no demo login changes; the
// street-level superadmin adds them at once (a community admin's add is an
// invitation the person must accept first).

import { DEMO, expect, freshPhone, login, resetDisplay, test } from './fixtures'
import { Caller } from './cycle-api'
import { demoCommunityId, stamp } from './screens-api'

interface Org {
  id: number
  name: string
  kind: string
}
interface Member {
  user_id: number
  name: string
  organization_id: number | null
  organization_name: string
}

test('an admin adds an organization and links a member to it', async ({ page, request }) => {
  const cid = await demoCommunityId(request)
  const admin = await Caller.login(request, DEMO.admin)
  const orgs = async () => (await admin.get<{ items: Org[] }>(`/communities/${cid}/organizations`)).items
  const run = stamp()
  const orgName = `测试物业${run}`
  const memberName = `测试楼长${run}`
  const superadmin = await Caller.login(request, DEMO.superadmin)
  const member = await superadmin.ok<Member>(`/communities/${cid}/members`, {
    phone: freshPhone(),
    name: memberName,
    password: `pw-${run}`,
    roles: ['resident'],
  })
  const before = (await orgs()).length

  await login(page, DEMO.admin, { to: `/c/${cid}/organizations` })
  await resetDisplay(page)
  const form = page.getByTestId('organization-form')
  const name = page.getByTestId('organization-name')
  const kind = page.getByTestId('organization-kind')

  // No type chosen: asked for it, nothing sent.
  await name.locator('input').fill(orgName)
  await page.getByTestId('organization-add').click()
  await expect(kind).toContainText('请填写类型')
  // A name of spaces: the server's message, and still nothing added.
  const refusal = await (await admin.post(`/communities/${cid}/organizations`, { name: '  ', kind: 'property' })).json()
  await name.locator('input').fill('  ')
  await kind.click()
  await page.getByTestId('organization-kind-sheet').getByTestId('organization-kind-option-property').click()
  await expect(page.getByTestId('organization-kind-value')).toHaveText('物业公司')
  await page.getByTestId('organization-add').click()
  await expect(name).toContainText(refusal.errors.name)
  await expect(form.getByRole('alert')).toHaveText(refusal.detail)
  expect(await orgs()).toHaveLength(before)

  // The real one, listed with its type.
  await name.locator('input').fill(orgName)
  await page.getByTestId('organization-add').click()
  await expect(page.locator('.van-toast')).toContainText(`已添加组织「${orgName}」`)
  const org = (await orgs()).find((o) => o.name === orgName)
  expect(org).toMatchObject({ kind: 'property' })
  expect(await orgs()).toHaveLength(before + 1)
  await expect(page.getByTestId(`organization-${org!.id}`)).toContainText(orgName)
  await expect(page.getByTestId(`organization-${org!.id}`)).toContainText('物业公司')
  await expect(name.locator('input')).toHaveValue('')

  // Link the member in the member editor.
  await page.locator('.tab-members').click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/members`))
  await page.getByTestId('members-search').locator('input').fill(memberName)
  await page.getByTestId('members-search').locator('input').press('Enter')
  const row = page.getByTestId(`member-row-${member.user_id}`)
  await expect(page.locator('[data-testid^="member-row-"]')).toHaveCount(1)
  await expect(row).not.toContainText('所属组织')
  const editor = page.getByTestId('member-editor')
  await page.getByTestId(`edit-${member.user_id}`).click()
  await expect(editor).toContainText(`修改「${memberName}」的信息`)
  await editor.getByTestId('edit-organization').click()
  await page.getByTestId(`edit-organization-option-${org!.id}`).click()
  await expect(editor.getByTestId('edit-organization-value')).toHaveText(orgName)
  await editor.getByTestId('edit-save').click()
  await expect(page.locator('.van-toast')).toContainText(`已保存「${memberName}」的信息`)
  await expect(row).toContainText(`所属组织：${orgName}`)
  const linked = (await admin.get<{ items: Member[] }>(`/communities/${cid}/members?q=${encodeURIComponent(memberName)}`)).items
  expect(linked).toEqual([expect.objectContaining({ user_id: member.user_id, organization_id: org!.id, organization_name: orgName })])

  // Kept after a reload; and 「不属于任何组织」 takes the member out again.
  await page.reload()
  await page.getByTestId('members-search').locator('input').fill(memberName)
  await page.getByTestId('members-search').locator('input').press('Enter')
  await expect(row).toContainText(`所属组织：${orgName}`)
  await page.getByTestId(`edit-${member.user_id}`).click()
  await editor.getByTestId('edit-organization').click()
  await page.getByTestId('edit-organization-option-0').click()
  await editor.getByTestId('edit-save').click()
  await expect(page.locator('.van-toast')).toContainText(`已保存「${memberName}」的信息`)
  await expect(row).not.toContainText('所属组织')
  const unlinked = (await admin.get<{ items: Member[] }>(`/communities/${cid}/members?q=${encodeURIComponent(memberName)}`)).items
  expect(unlinked[0].organization_id).toBeNull()
})
