// The audit trail (docs/audit-trail.md) as the supervisory committee reads it:
// a resolution's whole story on one page (topic, vote, items with their
// updates, every event about it), the chain check's badge run again, and the
// community's log searched for item changes, each shown before and after.

import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test('the committee reads a resolution’s story and searches the log', async ({ page, request }) => {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number } }>('/me')
  const r = await adoptedResolution<{ id: number; status: string }>(opened, resident, '档案落实会')
  await f.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
  const title = `楼道照明改造${Date.now() % 1e5}`
  const item = await f.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
    title,
    due_date: '2099-12-31',
    assignee_user_id: me.user.id,
  })
  await resident.ok(`/items/${item.id}/updates`, { note: '已买好灯具', progress: 10 })
  const patched = await request.patch(`/api/v1/items/${item.id}`, {
    headers: { Authorization: `Bearer ${resident.token}` },
    data: { progress: 40 },
  })
  expect(patched.ok(), await patched.text()).toBeTruthy()

  await login(page, DEMO.committee, { to: `/resolutions/${r.id}/story` })
  await resetDisplay(page)
  await expect(page.getByTestId('story-title')).toContainText('3单元加装电梯')
  await expect(page.getByTestId('story-topic')).toContainText(opened.topicTitle)
  await expect(page.getByTestId('story-poll')).toContainText('同意加装电梯')
  await expect(page.getByTestId('story-poll-passed')).toHaveText('表决通过')
  const storyItem = page.getByTestId(`story-item-${item.id}`)
  await expect(storyItem).toContainText(title)
  await expect(storyItem).toContainText('已买好灯具')
  await expect(storyItem).toContainText('40%')
  const events = page.getByTestId('story-events')
  await expect(events.locator('[data-type="resolution.drafted"]')).toHaveCount(1)
  await expect(events.locator('[data-type="item.update_posted"]')).toHaveCount(1)
  await expect(events.locator('[data-type^="poll.ballot"]')).toHaveCount(0)

  // The chain check, run again from the badge.
  await page.getByTestId('chain-check-again').click()
  await expect(page.getByTestId('chain-badge')).toHaveAttribute('data-state', 'ok')
  await expect(page.getByTestId('chain-checked-at')).toContainText('上次完整校验')
  await keepScreenshot(page, 'resolution-story')

  // The log, searched for item changes: the progress before and after.
  await page.getByTestId('story-audit-link').click()
  await expect(page).toHaveURL(/\/audit\/\d+$/)
  await expect(page.getByTestId('chain-badge')).toHaveAttribute('data-state', 'ok')
  await page.getByTestId('audit-type').selectOption('item.')
  await page.getByTestId('audit-subject-id').locator('input').fill(String(item.id))
  await page.getByTestId('audit-search').click()
  const changed = page.getByTestId('audit-events').locator('[data-type="item.changed"]').first()
  await expect(changed).toContainText('修改事项')
  const progress = changed.locator('[data-field="progress"]')
  await expect(progress).toContainText('进度')
  await expect(progress.locator('.before')).toHaveText('10')
  await expect(progress.locator('.after')).toHaveText('40')
  await expect(page.getByTestId('audit-events').locator('[data-type="item.created"]')).toHaveCount(1)
})
