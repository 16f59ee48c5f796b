// The follow-through on a phone (docs/follow-through.md): a resolution adopted
// at a round table is published without a publicity period and split into an
// item assigned to a resident. The resident opens 我的事项, taps the item and
// posts an update with a photo and a progress in a few taps; the update with
// its photo shows on the item, and the resolution's progress moves.

import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

interface Resolution {
  id: number
  status: string
  progress: number
}

test('an assignee posts a photo update from 我的事项', async ({ page, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number } }>('/me')

  // A round table votes on a motion, and the facilitator drafts the resolution: adopted.
  const r = await adoptedResolution<Resolution>(opened, resident, '电梯落实会')
  const started = await f.ok<Resolution>(`/resolutions/${r.id}/publicity`, { days: 0 })
  expect(started.status).toBe('implementing')
  const title = `征求一楼住户意见${Date.now() % 1e5}`
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
    title,
    due_date: '2099-12-31',
    assignee_user_id: me.user.id,
  })

  await login(page, DEMO.resident, { to: '/me' })
  await resetDisplay(page)
  await page.getByTestId('me-my-items').click()
  await expect(page).toHaveURL(/\/me\/items$/)
  const row = page.getByTestId(`my-item-${item.id}`)
  await expect(row).toContainText(title)
  await expect(row).toContainText('3单元加装电梯')
  await expect(row).toHaveAttribute('data-overdue', 'false')
  await row.click()
  await expect(page).toHaveURL(new RegExp(`/items/${item.id}$`))

  // A note, 50%, a photo: a few taps.
  await page.getByTestId('item-update-note').locator('textarea').fill('已上门征求了6户一楼住户的意见')
  await page.getByTestId('item-update-progress-50').click()
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas')
    c.width = 3200
    c.height = 2400
    const g = c.getContext('2d')!
    g.fillStyle = '#2e7d32'
    g.fillRect(0, 0, 3200, 2400)
    g.fillStyle = '#ffffff'
    g.fillRect(800, 600, 1600, 1200)
    return c.toDataURL('image/jpeg', 0.95)
  })
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64')
  await page.getByTestId('item-update-photo-input').setInputFiles({ name: 'visit.jpg', mimeType: 'image/jpeg', buffer: jpeg })
  // Shrinking and uploading take a while on a slow phone (and a busy test machine).
  await expect(page.getByTestId('item-update-photos')).toHaveAttribute('data-count', '1', { timeout: 30_000 })
  await page.getByTestId('item-update-submit').click()

  // The update, its photo and the progress show on the item.
  const updates = page.getByTestId('item-updates')
  await expect(updates).toContainText('已上门征求了6户一楼住户的意见')
  await expect(updates.getByTestId('item-update-photo-thumb')).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 })
  await expect(page.getByTestId('item-progress')).toHaveText('50%')
  await expect(page.getByTestId('item-status')).toHaveAttribute('data-status', 'in_progress')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'item-update-phone')

  // What the server holds: the photo was shrunk on the phone before it was sent.
  const stored = await resident.get<{ updates: { photo_ids: number[]; note: string }[] }>(`/items/${item.id}`)
  expect(stored.updates).toHaveLength(1)
  expect(stored.updates[0].photo_ids).toHaveLength(1)
  const res = await request.get(`/api/v1/uploads/${stored.updates[0].photo_ids[0]}`, {
    headers: { Authorization: `Bearer ${resident.token}` },
  })
  expect(res.ok()).toBeTruthy()
  const body = await res.body()
  // JPEG SOF0/SOF2 marker: width and height of the stored picture.
  let w = 0
  for (let i = 2; i < body.length - 9; i++) {
    if (body[i] === 0xff && (body[i + 1] === 0xc0 || body[i + 1] === 0xc2)) {
      w = body.readUInt16BE(i + 7)
      break
    }
  }
  expect(w).toBeGreaterThan(0)
  // Shrunk on the phone to the longest side the server keeps (PHOTO_MAX_SIDE).
  expect(w).toBeLessThanOrEqual(2560)

  // The resolution page shows the progress and the item.
  await page.getByTestId('item-back').click()
  await expect(page.getByTestId('follow-progress')).toHaveAttribute('data-progress', '50', { timeout: 20_000 })
  await expect(page.getByTestId(`follow-item-${item.id}`)).toContainText(title)
  const after = await resident.get<Resolution>(`/resolutions/${r.id}`)
  expect(after.progress).toBe(50)
})
