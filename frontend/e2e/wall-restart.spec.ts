// The wall survives a server restart and catches up by itself. The spec runs
// a server of its own (the test binary, its own seeded data folder and port),
// opens the wall on it and stops the server: the wall says it is
// reconnecting and keeps showing what it showed. It starts the server again
// on the same port and data and at once, most likely before the wall's stream
// is back, changes the card wall through the API; the wall must show the
// change without a reload (the same document throughout), and keep following.

import { request as apiRequest } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, test } from './fixtures'
import { OwnServer } from './own-server'

interface Meeting {
  id: number
  join_code: string
  display_token: string
}

test('the wall survives a server restart and catches up without a reload', async ({ browser }) => {
  test.setTimeout(150_000)
  const server = await OwnServer.create()
  try {
    await server.start()
    const api = await apiRequest.newContext({ baseURL: server.baseURL })
    const { cycle, facilitator } = await openCycle(api, 'card_collection')
    const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
      title: '重启也不怕的圆桌会',
      starts_at: new Date(Date.now() + 600_000).toISOString(),
      location: '2号楼架空层',
    })
    await facilitator.ok(`/meetings/${meeting.id}/start`, {})
    const resident = await Caller.login(api, DEMO.resident)
    const first = await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body: '先装一部试试看' }, { 'Idempotency-Key': `restart-${Date.now()}-0` })
    const put = await api.put(`/api/v1/meetings/${meeting.id}/projector`, {
      headers: { Authorization: `Bearer ${facilitator.token}` },
      data: { mode: 'cards' },
    })
    expect(put.status(), await put.text()).toBe(200)

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', baseURL: server.baseURL })
    const wall = await context.newPage()
    await wall.goto(`/display/${meeting.display_token}`)
    await expect(wall.getByTestId('wall-card-' + first.id)).toHaveText('先装一部试试看')
    await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')
    // A mark on this document: a reload would lose it.
    await wall.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))

    // Down: the wall notices, says so, and keeps what it shows.
    await server.stop()
    await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'false', { timeout: 10_000 })
    await expect(wall.getByTestId('wall-live')).toContainText('正在重新连接')
    await expect(wall.getByTestId('wall-card-' + first.id)).toBeVisible()
    await keepScreenshot(wall, 'wall-restart-offline')

    // Back on the same port and data; a group and a card change the wall at once, through the
    // API, before the wall's stream is back.
    await server.start()
    const group = await facilitator.ok<{ id: number }>(`/meetings/${meeting.id}/clusters`, { label: '试点方案' })
    const movedRes = await api.put(`/api/v1/cards/${first.id}/cluster`, {
      headers: { Authorization: `Bearer ${facilitator.token}` },
      data: { cluster_id: group.id },
    })
    expect(movedRes.status(), await movedRes.text()).toBe(200)
    const second = await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body: '重启以后写的新卡片' }, { 'Idempotency-Key': `restart-${Date.now()}-1` })

    await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true', { timeout: 15_000 })
    await expect(wall.getByTestId(`wall-group-${group.id}`)).toContainText('试点方案', { timeout: 5_000 })
    await expect(wall.getByTestId(`wall-group-${group.id}`)).toContainText('先装一部试试看')
    await expect(wall.getByTestId('wall-loose')).toContainText('重启以后写的新卡片')
    await expect(wall.getByTestId('wall-card-' + second.id)).toBeVisible()
    expect(await wall.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    await keepScreenshot(wall, 'wall-restart-caught-up')

    // Still live after the restart: the next change arrives through the stream again.
    const third = await resident.ok<{ id: number }>(`/cycles/${cycle.id}/cards`, { body: '再来一张' }, { 'Idempotency-Key': `restart-${Date.now()}-2` })
    await expect(wall.getByTestId('wall-card-' + third.id)).toHaveText('再来一张', { timeout: 2_000 })
    await context.close()
    await api.dispose()
  } finally {
    await server.dispose()
  }
})
