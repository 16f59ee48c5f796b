// The public meeting notice (docs/paper.md "The public notice"). The
// facilitator schedules a meeting; on a phone with no login its notice page
// shows the community and compound, the topic, the meeting, the time in
// Beijing time, the place, how to take part and the card form's QR and link —
// and not the join code — and passes axe and the 长辈版 figures, in Chinese
// and in English. The page's HTML, as a crawler that runs no JavaScript reads
// it, carries the notice's title, time and place in its Open Graph tags,
// escaped; the home page keeps the generic ones. An unknown id says the notice
// cannot be found. The facilitator's console and the printed notice give the
// link to copy for the owners' group.

import { axeViolations, elderShortfalls } from './a11y'
import { DEMO_COMPOUND, openCycle } from './cycle-api'
import { DEMO_COMMUNITY, expect, login, DEMO, test } from './fixtures'

interface Meeting {
  id: number
  join_code: string
}

/** The content of a <meta> tag of the page's HTML, by name or property. */
function metaOf(html: string, key: string): string[] {
  const re = new RegExp(`<meta (?:name|property)="${key}" content="([^"]*)"`, 'g')
  return [...html.matchAll(re)].map((m) => m[1])
}

test('a meeting notice opens without login, shows no join code, and previews in WeChat', async ({ browser, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const title = `12月月月谈：停车难怎么办 <b>&"${Date.now() % 1e5}`
  // 2099-12-12 11:30 UTC is Saturday 19:30 in Beijing.
  const meeting = await f.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title,
    starts_at: '2099-12-12T11:30:00Z',
    location: '2号楼架空层',
  })
  expect(meeting.join_code).toMatch(/^\d{6}$/)

  // A phone with no session at all.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    timezoneId: 'America/New_York', // the notice still says Beijing time
  })
  const page = await phone.newPage()
  await page.goto(`/notice/${meeting.id}`)
  await expect(page.getByTestId('notice-ready')).toBeVisible()
  expect(new URL(page.url()).pathname).toBe(`/notice/${meeting.id}`)
  await expect(page.getByTestId('notice-place')).toHaveText(`${DEMO_COMMUNITY} · ${DEMO_COMPOUND}`)
  await expect(page.getByTestId('notice-topic')).toHaveText(opened.topicTitle)
  await expect(page.getByTestId('notice-meeting')).toHaveText(title)
  await expect(page.getByTestId('notice-time')).toContainText('2099年12月12日 周六 下午7:30')
  await expect(page.getByTestId('notice-time')).toContainText('北京时间')
  await expect(page.getByTestId('notice-location')).toHaveText('2号楼架空层')
  await expect(page.getByTestId('notice-how')).toContainText('签到码在会场公布')
  await expect(page.getByTestId('notice-how')).toContainText('纸质建议卡')
  await expect(page.getByTestId('notice-card-qr').locator('svg')).toBeVisible()
  await expect(page.getByTestId('notice-card-link')).toHaveAttribute('href', new RegExp(`/cycles/${opened.cycle.id}/cards/new$`))
  await expect(page.getByTestId('share-notice-url')).toHaveAttribute('href', new RegExp(`/notice/${meeting.id}$`))
  await expect(page).toHaveTitle(`${DEMO_COMPOUND} · ${title}`)
  const text = await page.locator('body').innerText()
  expect(text).not.toContain(meeting.join_code)
  expect(text).not.toMatch(/1[3-9]\d{9}|\d{3}\*{4}\d{4}/)
  expect(await page.locator('body').innerHTML()).not.toContain(meeting.join_code)
  expect(await axeViolations(page, 'meeting notice')).toEqual([])
  expect(await elderShortfalls(page, 'meeting notice')).toEqual([])
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

  // English, from the page itself.
  await page.getByTestId('notice-language').click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meeting notice')
  await expect(page.getByTestId('notice-time')).toContainText('Sat, 12 Dec 2099, 7:30 pm (Beijing time)')
  await expect(page.getByTestId('notice-time')).toContainText('Beijing time')
  expect(await page.locator('body').innerText()).not.toContain(meeting.join_code)
  expect(await axeViolations(page, 'meeting notice (English)')).toEqual([])
  await page.getByTestId('notice-language').click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('会前公告')

  // An id with no public notice says so, like an unknown one.
  await page.goto('/notice/987654321')
  await expect(page.getByTestId('notice-missing')).toContainText('找不到这份会前公告')
  await phone.close()

  // What WeChat's crawler reads: the HTML as served, without running it.
  const served = await request.get(`/notice/${meeting.id}`, { headers: { 'Accept-Encoding': 'br, gzip' } })
  expect(served.status()).toBe(200)
  const html = await served.text()
  const escaped = `${DEMO_COMPOUND} · ${title.replace('&', '&amp;').replace('<b>', '&lt;b&gt;').replace('"', '&#34;')}`
  expect(metaOf(html, 'og:title')).toEqual([escaped])
  expect(html).toContain(`<title>${escaped}</title>`)
  expect(metaOf(html, 'og:description')[0]).toContain('2099年12月12日 周六 19:30（北京时间）；地点：2号楼架空层')
  expect(metaOf(html, 'og:url')).toEqual([new URL(`/notice/${meeting.id}`, served.url()).href])
  expect(html).not.toContain('<b>&')
  expect(html).not.toContain(meeting.join_code)
  const home = await (await request.get('/', { headers: { 'Accept-Encoding': 'br, gzip' } })).text()
  expect(metaOf(home, 'og:title')).toEqual(['月月谈 · 社区每月协商'])
  expect(metaOf(home, 'og:url')).toEqual([])

  // The facilitator copies the link from the console, and finds it on the printed notice.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  await desk.grantPermissions(['clipboard-read', 'clipboard-write'])
  const cons = await desk.newPage()
  await login(cons, DEMO.facilitator, { to: `/c/${opened.cid}/meetings/${meeting.id}` })
  const share = cons.getByTestId('console-notice')
  await expect(share.getByTestId('share-notice-url')).toHaveText(new RegExp(`/notice/${meeting.id}$`))
  await share.getByTestId('share-notice-button').click()
  await expect(cons.locator('.van-toast')).toContainText('公告链接已复制')
  const copied = await cons.evaluate(() => navigator.clipboard.readText())
  expect(copied).toBe(await share.getByTestId('share-notice-url').innerText())
  await cons.goto(`/print/meetings/${meeting.id}/notice`)
  await expect(cons.getByTestId('notice-online')).toContainText(`/notice/${meeting.id}`)
  await expect(cons.getByTestId('share-notice-button')).toBeVisible()
  await desk.close()
})
