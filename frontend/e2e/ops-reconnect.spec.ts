// Database outages in the browser (docs/operations.md "Database outages"): while the server
// answers 503 `unavailable`, the page says 正在重新连接… and tries again instead of showing an
// error, then shows what it loaded. The outage is played by answering the community's request
// with the server's own outage answer twice. The settings screen shows an admin the backups line.

import { DEMO, expect, login, test } from './fixtures'

test('a screen waits through a database outage and loads when it is over', async ({ page }) => {
  await login(page, DEMO.admin)
  let refused = 0
  await page.route(/\/api\/v1\/communities\/1$/, async (route) => {
    if (route.request().method() === 'GET' && refused < 2) {
      refused++
      await route.fulfill({
        status: 503,
        headers: { 'Content-Type': 'application/problem+json; charset=utf-8', 'Retry-After': '5' },
        body: JSON.stringify({
          type: 'about:blank',
          title: '暂时无法服务',
          status: 503,
          detail: '系统暂时连不上数据库，您这次的操作没有保存。请稍等几秒，页面会自动重试。',
          code: 'unavailable',
        }),
      })
      return
    }
    await route.continue()
  })
  await page.goto('/c/1/settings')
  await expect(page.getByTestId('reconnecting')).toHaveText('正在重新连接…')
  await expect(page.getByTestId('settings-name').locator('input')).toHaveValue('西桥社区')
  await expect(page.getByTestId('reconnecting')).toBeHidden()
  expect(refused).toBe(2)
  await expect(page.getByRole('button', { name: '再试一次' })).toHaveCount(0)

  // The admin sees the backups line (the test server schedules none).
  await expect(page.getByTestId('backup-status')).toContainText('没有设置定时备份')
  await expect(page.getByTestId('backup-last')).toBeVisible()
})
