// 街道 (docs/desk.md "The street observer"): the superadmin records the demo
// community's street and makes a freshly registered person its observer; the
// observer, who holds no role in the community, finds the street on /streets,
// opens its dashboard and the community's, and the API still refuses them a write.

import { Caller } from './cycle-api'
import { DEMO, expect, freshPhone, login, test } from './fixtures'
import { apiToken, demoCommunityId, registerResident, stamp, throwawayCommunity } from './screens-api'

test('a street observer reads the street and its community, and changes nothing', async ({ page, request }) => {
  const cid = await demoCommunityId(request)
  const superadmin = await Caller.login(request, DEMO.superadmin)
  const c = await superadmin.get<{ street: string; district: string; city: string }>(`/communities/${cid}`)
  const street = await superadmin.ok<{ id: number }>('/streets', { name: c.street, district: c.district, city: c.city }).catch(async () => {
    // The street may be recorded already (an earlier run on the same data).
    const all = await superadmin.get<{ items: { id: number; name: string }[] }>('/streets')
    return all.items.find((s) => s.name === c.street)!
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

// The superadmin's screen: on /streets the superadmin records a street, puts a
// community of its own in it and adds an observer by phone (an unknown phone is
// refused on the field, in Chinese); the observer then finds that street with
// that community on their /streets and opens its dashboard. Removing the
// observer from the screen takes the street away from them.
test('the superadmin records a street, adds a community and an observer, who then reads it', async ({ page, request, browser }) => {
  const superToken = await apiToken(request, DEMO.superadmin, 'yueyuetan-demo')
  const community = await throwawayCommunity(request, superToken)
  const who = await registerResident(request, `街道观察员${stamp()}`)
  const streetName = `新华街道${stamp()}`

  await login(page, DEMO.superadmin, { to: '/streets' })
  await page.getByTestId('street-name').locator('input').fill(streetName)
  await page.getByTestId('street-district').locator('input').fill('江汉区')
  await page.getByTestId('street-city').locator('input').fill('武汉市')
  await page.getByTestId('street-create').click()
  const link = page.getByRole('link', { name: streetName, exact: true })
  await expect(link).toBeVisible()
  const sid = Number((await link.getAttribute('href'))!.split('/').pop())
  // The same street again is refused, under its name.
  await page.getByTestId('street-name').locator('input').fill(streetName)
  await page.getByTestId('street-create').click()
  await expect(page.getByTestId('street-form')).toContainText('这个街道已经登记过了')

  // A community of its own goes in the street.
  const admin = page.getByTestId(`street-admin-${sid}`)
  await admin.getByTestId(`street-community-${sid}`).click()
  await page.getByTestId(`street-community-${sid}-sheet`).getByRole('option', { name: community.name }).click()
  await admin.getByTestId(`street-community-add-${sid}`).click()
  await expect(page.getByTestId(`desk-street-communities-${sid}`)).toContainText(community.name)

  // An observer by phone: a phone without an account is refused on the field first.
  await admin.getByTestId(`street-observer-phone-${sid}`).locator('input').fill(freshPhone())
  await admin.getByTestId(`street-observer-add-${sid}`).click()
  await expect(admin.getByTestId(`street-observer-form-${sid}`)).toContainText('这个手机号还没有账号')
  await admin.getByTestId(`street-observer-phone-${sid}`).locator('input').fill(who.phone)
  await admin.getByTestId(`street-observer-add-${sid}`).click()
  await expect(admin.getByTestId(`street-observers-${sid}`)).toContainText(who.name)

  // The observer reads the street, with that community, and opens its dashboard.
  const ctx = await browser.newContext()
  const obs = await ctx.newPage()
  await obs.goto('/login')
  await obs.getByTestId('login-phone').locator('input').fill(who.phone)
  await obs.getByTestId('login-password').locator('input').fill(who.password)
  await obs.getByTestId('login-submit').click()
  await expect(obs).not.toHaveURL(/\/login/)
  await obs.goto('/streets')
  await expect(obs.getByTestId(`desk-street-${sid}`)).toHaveText(streetName)
  await expect(obs.getByTestId(`desk-street-communities-${sid}`)).toContainText(community.name)
  await expect(obs.getByTestId('street-form')).toHaveCount(0) // the observer manages nothing
  await obs.getByTestId(`desk-street-${sid}`).click()
  await expect(obs).toHaveURL(new RegExp(`/street/${sid}$`))
  await expect(obs.getByTestId('desk')).toBeVisible()

  // Removed on the superadmin's screen, the observer no longer finds the street.
  await admin.getByTestId(`street-observer-remove-${who.id}`).click()
  await expect(admin.getByTestId(`street-observers-${sid}`)).toHaveCount(0)
  await obs.goto('/streets')
  await expect(obs.getByTestId('desk-streets')).toBeVisible()
  await expect(obs.getByTestId(`desk-street-${sid}`)).toHaveCount(0)
  await ctx.close()
})
