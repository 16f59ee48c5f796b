// 街道 (docs/desk.md "The street observer"): the superadmin records the demo
// community's street and makes a freshly registered person its observer; the
// observer, who holds no role in the community, finds the street on /streets,
// opens its dashboard and the community's, and the API still refuses them a write.

import { Caller } from './cycle-api'
import { DEMO, expect, test } from './fixtures'
import { apiToken, demoCommunityId, registerResident, stamp } from './screens-api'

test('a street observer reads the street and its community, and changes nothing', async ({ page, request }) => {
  const cid = await demoCommunityId(request)
  const superadmin = await Caller.login(request, DEMO.superadmin)
  const c = await superadmin.get<{ street: string; district: string; city: string }>(`/communities/${cid}`)
  const street = await superadmin.ok<{ id: number }>('/streets', { name: c.street, district: c.district, city: c.city }).catch(async () => {
    // The street may be recorded already (an earlier run on the same data).
    const all = await superadmin.get<{ id: number; name: string }[]>('/streets')
    return all.find((s) => s.name === c.street)!
  })
  const who = await registerResident(request, `观察员${stamp()}`)
  const superToken = await apiToken(request, DEMO.superadmin, 'yueyuetan-demo')
  const added = await request.post(`/api/v1/streets/${street.id}/observers`, {
    headers: { Authorization: `Bearer ${superToken}` },
    data: { user_id: who.id },
  })
  expect(added.status(), await added.text()).toBeLessThan(300)

  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill(who.phone)
  await page.getByTestId('login-password').locator('input').fill(who.password)
  await page.getByTestId('login-submit').click()
  await expect(page).not.toHaveURL(/\/login/)
  await page.goto('/streets')
  await expect(page.getByTestId(`desk-street-${street.id}`)).toHaveText(c.street)
  await page.getByTestId(`desk-street-${street.id}`).click()
  await expect(page).toHaveURL(new RegExp(`/street/${street.id}$`))
  await expect(page.getByTestId('desk')).toBeVisible()

  // Reading is all: a write as the observer is refused by the server.
  const token = await apiToken(request, who.phone, who.password)
  const res = await request.post(`/api/v1/communities/${cid}/cycles`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { month: '2099-01', compound_id: 1, reason: '观察员不能开' },
  })
  expect(res.status()).toBeGreaterThanOrEqual(400)
  expect(res.status()).toBeLessThan(500)
})
