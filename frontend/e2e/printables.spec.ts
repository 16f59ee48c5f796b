// The printables (docs/paper.md "Printables"), each printed to PDF by
// Chromium (page.pdf, A4, print media) and read back with pdftotext from
// Debian's poppler-utils: the meeting notice with its two QR codes, the paper
// card form, the sign-in sheet with the compound's households, one owners'
// ballot a unit with its number, the minutes of an ended meeting with the
// minority's view and the summary, and the resolution as posted. Each PDF's
// page count is checked from pdftotext's form feeds.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { adoptedResolution, Caller, openCycle } from './cycle-api'
import { DEMO, expect, login, resetDisplay, test } from './fixtures'

const dir = mkdtempSync(join(tmpdir(), 'yyt-print-'))

/** Prints the page at `path` to an A4 PDF and answers its text and page count. */
async function printed(page: Page, path: string, name: string): Promise<{ text: string; pages: number }> {
  await page.goto(path)
  await expect(page.getByTestId('print-ready')).toBeVisible()
  await page.emulateMedia({ media: 'print' })
  const file = join(dir, `${name}.pdf`)
  writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }))
  await page.emulateMedia({ media: 'screen' })
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
  // pdftotext ends every page with a form feed.
  return { text: text.replace(/[ \t]+/g, ' '), pages: text.split('\f').length - 1 }
}

test('every printable prints to A4 PDF with its text', async ({ page, request }) => {
  test.slow()
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const res = await adoptedResolution<{ id: number; status: string; meeting_id: number; title: string }>(
    opened,
    resident,
    '纸质材料圆桌会',
  )
  const minority = '一楼住户代表要求记录：应先给出采光补偿方案'
  const patched = await request.patch(`/api/v1/resolutions/${res.id}`, {
    headers: { Authorization: `Bearer ${f.token}` },
    data: { minority_opinion: minority },
  })
  expect(patched.ok(), await patched.text()).toBeTruthy()
  await resident.ok(`/resolutions/${res.id}/signatures`, {})
  await f.ok(`/meetings/${res.meeting_id}/end`, { minutes: { summary: '会议同意加装电梯，下周公示' } })

  // An owners' vote on a new stairwell of two flats.
  const admin = await Caller.login(request, DEMO.admin)
  const stair = `${Date.now() % 1e5}号楼`
  const building = await admin.ok<{ id: number }>(`/compounds/${opened.compoundId}/buildings`, { name: stair })
  const flats: number[] = []
  for (const [room, area] of [['101', 88.5], ['102', 72]] as const) {
    flats.push((await admin.ok<{ id: number }>(`/compounds/${opened.compoundId}/households`, { building_id: building.id, room, area })).id)
  }
  const vote = await f.ok<{ id: number }>(`/cycles/${opened.cycle.id}/polls`, {
    title: `${stair}加装电梯业主表决`,
    method: 'approval',
    eligibility: 'owners',
    weight: 'owner_area',
    secrecy: 'secret',
    results_visibility: 'after_close',
    rule: 'civil_code_278_major',
    building_ids: [building.id],
  })

  await login(page, DEMO.facilitator)
  await resetDisplay(page)
  const meeting = await f.get<{ join_code: string }>(`/meetings/${res.meeting_id}`)

  const notice = await printed(page, `/print/meetings/${res.meeting_id}/notice`, 'notice')
  expect(notice.pages).toBe(1)
  expect(notice.text).toContain('会前公告')
  expect(notice.text).toContain(opened.topicTitle)
  expect(notice.text).toContain('纸质材料圆桌会')
  expect(notice.text).toContain(`签到码 ${meeting.join_code}`)
  await page.goto(`/print/meetings/${res.meeting_id}/notice`)
  await expect(page.getByTestId('notice-join-qr').locator('svg')).toHaveCount(1)
  await expect(page.getByTestId('notice-card-qr').locator('svg')).toHaveCount(1)

  const cards = await printed(page, `/print/cycles/${opened.cycle.id}/card-form`, 'card-form')
  expect(cards.pages).toBe(1)
  expect(cards.text).toContain('建议卡')
  expect(cards.text).toContain(opened.topicTitle)

  // 安友花园's 164 households and the new flats, several sheets long.
  const signIn = await printed(page, `/print/meetings/${res.meeting_id}/sign-in`, 'sign-in')
  expect(signIn.pages).toBeGreaterThanOrEqual(4)
  expect(signIn.text).toContain('签到表')
  expect(signIn.text).toContain(`${stair} 101`)
  expect(signIn.text).toContain(`${stair} 102`)

  const ballots = await printed(page, `/print/polls/${vote.id}/ballots`, 'ballots')
  expect(ballots.pages).toBe(2)
  expect(ballots.text).toContain('业主表决票')
  expect(ballots.text).toContain(`票号：${vote.id}-${flats[0]}`)
  expect(ballots.text).toContain(`票号：${vote.id}-${flats[1]}`)
  expect(ballots.text).toContain('88.5')
  expect(ballots.text).toContain('赞成')

  const minutes = await printed(page, `/print/meetings/${res.meeting_id}/minutes`, 'minutes')
  expect(minutes.pages).toBeGreaterThanOrEqual(1)
  expect(minutes.text).toContain('会议纪要')
  expect(minutes.text).not.toContain('草稿')
  expect(minutes.text).toContain('同意加装电梯')
  expect(minutes.text).toContain('3单元加装电梯')
  expect(minutes.text).toContain(minority)
  expect(minutes.text).toContain('会议同意加装电梯，下周公示')
  expect(minutes.text).toContain('张三')

  const posted = await printed(page, `/print/resolutions/${res.id}/posted`, 'resolution')
  expect(posted.pages).toBe(1)
  expect(posted.text).toContain('3单元加装电梯')
  expect(posted.text).toContain('同意加装电梯，费用按楼层分摊。')
  expect(posted.text).toContain(minority)
  expect(posted.text).toContain('张三')
  expect(posted.text).not.toContain('草稿')
})
