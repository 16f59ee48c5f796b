// An owners' vote's paper ballots (书面表决票) typed in unit by unit, set up
// through the API: a cycle at the round table whose resolution on an elevator
// waits for the owners, a new stairwell of three flats (one owned by the demo
// resident, one by 王建国 known by name, one with no owner recorded), and an
// open owners' vote on it in which the resident voted on the phone. In the UI
// the facilitator opens the resolution, enters 王建国's ballot (building →
// room, vote, number) and sees it listed; entering the resident's flat is
// refused because its owner voted online; a mistaken entry is voided with a
// reason and stays in the list, struck through.

import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

interface Poll {
  id: number
  options: { id: number; key: string }[]
}

test('a facilitator enters owners’ paper ballots unit by unit, refused for an owner who voted online', async ({ page, request }) => {
  const opened = await openCycle(request, 'round_table')
  const f = opened.facilitator
  const admin = await Caller.login(request, DEMO.admin)
  const resident = await Caller.login(request, DEMO.resident)
  const me = await resident.get<{ user: { id: number } }>('/me')

  // A closed consultation at a meeting, drafted into a resolution that waits for the owners.
  const meeting = await f.ok<{ id: number }>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '加装电梯圆桌会',
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '架空层',
  })
  await f.ok(`/meetings/${meeting.id}/start`, {})
  const motion = await f.ok<Poll>(`/meetings/${meeting.id}/polls`, {
    title: '同意加装电梯',
    method: 'approval',
    eligibility: 'members',
    weight: 'person',
    secrecy: 'named',
    results_visibility: 'live',
    rule: 'simple_majority',
  })
  await f.ok(`/polls/${motion.id}/open`, {})
  await resident.ok(`/polls/${motion.id}/ballots`, { choice: 'yes' })
  await f.ok(`/polls/${motion.id}/close`, {})
  const resolution = await f.ok<{ id: number }>(`/cycles/${opened.cycle.id}/resolutions`, {
    poll_id: motion.id,
    title: '加装电梯',
    text: '同意加装电梯，报业主表决。',
    category: 'civil_code_278_major',
    matter: 'elevator_retrofit',
  })

  // A new stairwell: 901 the resident's, 902 王建国's, 903 with no owner recorded.
  const stair = `${Date.now() % 1e5}号楼`
  const building = await admin.ok<{ id: number }>(`/compounds/${opened.compoundId}/buildings`, { name: stair })
  const flats: Record<string, number> = {}
  for (const [room, area] of [['901', 90], ['902', 80], ['903', 70]] as const) {
    flats[room] = (await admin.ok<{ id: number }>(`/compounds/${opened.compoundId}/households`, { building_id: building.id, room, area })).id
  }
  for (const [room, owner] of [['901', { user_id: me.user.id }], ['902', { name: '王建国' }]] as const) {
    const res = await request.put(`/api/v1/households/${flats[room]}/owner`, {
      headers: { Authorization: `Bearer ${f.token}` },
      data: owner,
    })
    expect(res.ok(), await res.text()).toBeTruthy()
  }
  const vote = await f.ok<Poll>(`/cycles/${opened.cycle.id}/polls`, {
    title: `${stair}加装电梯业主表决`,
    method: 'approval',
    eligibility: 'owners',
    weight: 'owner_area',
    secrecy: 'named',
    results_visibility: 'after_close',
    rule: 'civil_code_278_major',
    building_ids: [building.id],
  })
  await f.ok(`/polls/${vote.id}/open`, {})
  await resident.ok(`/polls/${vote.id}/ballots`, { choice: 'yes' })

  await login(page, DEMO.facilitator, { to: `/resolutions/${resolution.id}` })
  await resetDisplay(page)
  await expect(page.getByTestId(`owners-open-poll-${vote.id}`)).toContainText('正在表决')
  await page.getByTestId(`owners-paper-${vote.id}`).click()
  const sheet = page.getByTestId('paper-ballots')
  await expect(sheet).toContainText('录入纸质表决票')

  // 王建国's ballot: building, the room written on it, the vote and its number.
  await sheet.getByTestId(`paper-building-${stair}`).check()
  await sheet.getByTestId(`paper-room-${flats['902']}`).check()
  await sheet.getByTestId('paper-choice-no').check()
  await sheet.getByTestId('paper-number').locator('input').fill('0001')
  await sheet.getByTestId('paper-save').click()
  const entry = sheet.getByTestId('paper-entry-0001')
  await expect(entry).toContainText('902')
  await expect(entry).toContainText('反对')
  await expect(entry).toContainText('80 m²')
  await expect(sheet.getByTestId('paper-list')).toContainText('已录入 1 张')

  // The resident's flat: its owner voted on the phone, so it is refused and nothing is added.
  await sheet.getByTestId(`paper-room-${flats['901']}`).check()
  await sheet.getByTestId('paper-choice-yes').check()
  await sheet.getByTestId('paper-number').locator('input').fill('0002')
  await sheet.getByTestId('paper-save').click()
  await expect(sheet.getByTestId('paper-error')).toContainText('已经在网上投过票了')
  await expect(sheet.getByTestId('paper-list')).toContainText('已录入 1 张')
  await keepScreenshot(page, 'owners-paper-ballots')

  // A slip: 903 entered by mistake, then voided with a reason; it stays listed.
  await sheet.getByTestId(`paper-room-${flats['903']}`).check()
  await sheet.getByTestId('paper-choice-abstain').check()
  await sheet.getByTestId('paper-number').locator('input').fill('0003')
  await sheet.getByTestId('paper-save').click()
  await expect(sheet.getByTestId('paper-list')).toContainText('已录入 2 张')
  await sheet.getByTestId('paper-void-0003').click()
  await sheet.getByTestId('paper-void-reason').locator('input').fill('房号录错了')
  await sheet.getByTestId('paper-void-confirm').click()
  await expect(sheet.getByTestId('paper-entry-0003')).toHaveAttribute('data-voided', 'true')
  await expect(sheet.getByTestId('paper-entry-0003')).toContainText('房号录错了')
  await expect(sheet.getByTestId('paper-list')).toContainText('已录入 1 张')

  // The server agrees: one paper owner counted, the voided entry kept.
  const list = await f.get<{ counted: number; items: { ballot_no: string; voided_at: string | null }[] }>(
    `/polls/${vote.id}/paper-ballots`,
  )
  expect(list.counted).toBe(1)
  expect(list.items.map((i) => [i.ballot_no, i.voided_at !== null])).toEqual([
    ['0001', false],
    ['0003', true],
  ])
})
