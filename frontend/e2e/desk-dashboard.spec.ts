// The committee's dashboard (docs/desk.md): a cycle with an adopted resolution
// and an overdue item; the committee member opens 工作台 for that month, clicks
// the month's bar on the chart (a real click on the ECharts canvas) and gets
// the cycle behind it, then the overdue figure and gets the item, one click
// from its page.

import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, test } from './fixtures'

interface Resolution {
  id: number
  status: string
}

test('the committee drills from a chart to its records', async ({ page, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const r = await adoptedResolution<Resolution>(opened, resident, '工作台测试会')
  await f.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
  const title = `清理楼道杂物${Date.now() % 1e5}`
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, { title, due_date: '2026-01-05' })
  const month = opened.cycle.month

  await login(page, DEMO.committee, { to: `/desk/${opened.cid}?from=${month}&to=${month}` })
  const overdueChip = page.getByTestId('desk-chart-items-overdue')
  await expect(overdueChip).toContainText('1')

  // The month's bar, clicked where ECharts drew it.
  const canvas = page.getByTestId('desk-chart-months-canvas')
  await expect
    .poll(() => canvas.evaluate((el) => !!(el as HTMLElement & { yytChart?: unknown }).yytChart))
    .toBe(true)
  const [x, y] = await canvas.evaluate((el) => {
    const c = (el as HTMLElement & { yytChart: { convertToPixel(f: object, v: number[]): number[] } }).yytChart
    const top = c.convertToPixel({ seriesIndex: 0 }, [0, 1])
    const bottom = c.convertToPixel({ seriesIndex: 0 }, [0, 0])
    return [top[0], (top[1] + bottom[1]) / 2]
  })
  await canvas.click({ position: { x, y } })
  const records = page.getByTestId('desk-records')
  await expect(records.getByTestId(`desk-record-cycles-${opened.cycle.id}`)).toBeVisible()

  // The overdue figure opens the item, and the item opens its page.
  await overdueChip.click()
  const row = records.getByTestId(`desk-record-items-${item.id}`)
  await expect(row).toContainText(title)
  await expect(records.locator('li')).toHaveCount(1)
  await keepScreenshot(page, 'desk-dashboard')
  await row.getByRole('link').click()
  await expect(page).toHaveURL(new RegExp(`/items/${item.id}$`))

  // A resident has no dashboard.
  const res = await request.get(`/api/v1/communities/${opened.cid}/dashboard`, {
    headers: { Authorization: `Bearer ${resident.token}` },
  })
  expect(res.status()).toBe(403)
})
