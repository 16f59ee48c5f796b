// Resolutions (决议) from the round table's votes, set up through the API: a
// started meeting with a resident signed in on their phone and a walk-in
// signed in by the facilitator, two card groups put to a dot vote, and a
// closed formal vote (yes/no/abstain with a show of hands). Then, in the UI:
// the facilitator drafts the resolution and adopts the draft after reading it
// out, the resident signs it on a phone
// (a repeated tap changes nothing), the facilitator signs the walk-in in, and
// the page lists both; the card's story shows the vote and the resolution.
// A Civil Code 278 matter waits for the owners until the official platform's
// result is entered, and then shows adopted with the figures checked.

import type { APIRequestContext, Browser, Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const WALK_IN = '王奶奶'
const FACILITATOR_NAME = '陈主持（演示）' // DEMO.facilitator's name
/** 李四 and 王五, verified residents of the demo. */
const NEIGHBOURS = ['13900000102', '13900000103']

interface Meeting {
  id: number
  join_code: string
}
interface Poll {
  id: number
  options: { id: number; key: string; cluster_id: number | null }[]
}
interface Resolution {
  id: number
  status: string
  signature_count: number
  signed_by_me: boolean
  signatures: { name: string; method: string; signed_by_name: string }[]
}

/**
 * A cycle at the round table whose meeting has voted: a dot vote on two card
 * groups and a closed formal vote (simple majority) that passed.
 */
async function votedMeeting(request: APIRequestContext, motion: string) {
  const opened = await openCycle(request, 'card_collection')
  const f = opened.facilitator
  const resident = await Caller.login(request, DEMO.resident)
  const key = `res-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  const bodies = ['电梯费用按楼层分摊，高层多出一点', '一楼住户给予适当补偿']
  const cards: number[] = []
  for (const [i, body] of bodies.entries()) {
    cards.push((await resident.ok<{ id: number }>(`/cycles/${opened.cycle.id}/cards`, { body }, { 'Idempotency-Key': `${key}-${i}` })).id)
  }
  const meeting = await f.ok<Meeting>(`/cycles/${opened.cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 3_600_000).toISOString(),
    location: '2号楼架空层',
  })
  await f.ok(`/meetings/${meeting.id}/start`, {})
  // Residents sign in with the code on their phones; the walk-in is signed in by name.
  const neighbours = [await Caller.login(request, NEIGHBOURS[0]), await Caller.login(request, NEIGHBOURS[1])]
  for (const who of [resident, ...neighbours]) await who.ok('/meetings/join', { code: meeting.join_code })
  await f.ok(`/meetings/${meeting.id}/attendance`, { name: WALK_IN })

  // Two groups on the wall, one card each.
  const groups: number[] = []
  for (const [i, label] of ['按楼层分摊', '一楼补偿'].entries()) {
    const g = await f.ok<{ id: number }>(`/meetings/${meeting.id}/clusters`, { label })
    const res = await request.put(`/api/v1/cards/${cards[i]}/cluster`, {
      headers: { Authorization: `Bearer ${f.token}` },
      data: { cluster_id: g.id },
    })
    expect(res.ok(), await res.text()).toBeTruthy()
    groups.push(g.id)
  }

  // A dot vote on the groups, then the formal vote on the motion.
  const dot = await f.ok<Poll>(`/meetings/${meeting.id}/polls`, {
    title: '哪个办法更重要',
    method: 'dot',
    options: groups.map((cluster_id) => ({ cluster_id })),
    dots_per_voter: 3,
    eligibility: 'attendees',
    weight: 'person',
    secrecy: 'named',
    results_visibility: 'live',
  })
  await f.ok(`/polls/${dot.id}/open`, {})
  await resident.ok(`/polls/${dot.id}/ballots`, { dots: { [dot.options[0].id]: 2, [dot.options[1].id]: 1 } })
  await f.ok(`/polls/${dot.id}/close`, {})

  const formal = await f.ok<Poll>(`/meetings/${meeting.id}/polls`, {
    title: motion,
    method: 'approval',
    eligibility: 'attendees',
    weight: 'person',
    secrecy: 'named',
    results_visibility: 'live',
    rule: 'simple_majority',
  })
  await f.ok(`/polls/${formal.id}/open`, {})
  await resident.ok(`/polls/${formal.id}/ballots`, { choice: 'yes' })
  await neighbours[0].ok(`/polls/${formal.id}/ballots`, { choice: 'no' })
  await neighbours[1].ok(`/polls/${formal.id}/ballots`, { choice: 'abstain' })
  // The walk-in, without a phone, raised her hand.
  const tally = await request.put(`/api/v1/polls/${formal.id}/offline-tallies`, {
    headers: { Authorization: `Bearer ${f.token}` },
    data: { source: '举手', counts: { yes: 1, no: 0, abstain: 0 }, voters: 1 },
  })
  expect(tally.ok(), await tally.text()).toBeTruthy()
  await f.ok(`/polls/${formal.id}/close`, {})
  return { ...opened, resident, meeting, cards, groups, formal }
}

async function openResolutionsTab(page: Page, cid: number, cycleId: number) {
  await login(page, DEMO.facilitator, { to: `/c/${cid}/cycles/${cycleId}/resolutions` })
  await resetDisplay(page)
  await expect(page.getByTestId('resolutions-view')).toBeVisible()
}

/** Drafts from the formal vote in the UI; returns the new resolution's id. */
async function draftInUI(page: Page, pollId: number, title: string, text: string, matter?: string, groupId?: number) {
  await page.getByTestId('resolution-new').click()
  await page.getByTestId('resolution-poll').click()
  await page.getByTestId(`resolution-poll-option-${pollId}`).click()
  // The vote's figures show: one yes on a phone and one by show of hands, one no, one abstaining.
  await expect(page.getByTestId('resolution-poll-result').getByTestId('vote-tally')).toHaveText('赞成 2 票，反对 1 票，弃权 1 票')
  await expect(page.getByTestId('resolution-poll-result').getByTestId('vote-turnout')).toHaveText(
    '共 4 人投票。参与率 100%（可投票 4 人）。其中纸质或举手计票 1 票。',
  )
  await expect(page.getByTestId('resolution-poll-result').getByTestId('vote-verdict')).toContainText('通过（简单多数')
  await page.getByTestId('resolution-title-input').locator('input').fill(title)
  await page.getByTestId('resolution-text-input').locator('textarea').fill(text)
  if (matter) {
    await page.getByTestId('resolution-kind-owners').check()
    await page.getByTestId('resolution-matter').click()
    await page.getByTestId(`resolution-matter-option-${matter}`).click()
    await expect(page.getByTestId('resolution-matter-rule')).toContainText('双四分之三')
  }
  if (groupId) await page.getByTestId(`resolution-link-group-${groupId}`).check()
  await page.getByTestId('resolution-draft-submit').click()
  await expect(page.getByTestId('resolution-outcome')).toBeVisible()
  const href = await page.getByTestId('resolution-outcome-open').getAttribute('href')
  return Number(/\/resolutions\/(\d+)/.exec(href ?? '')?.[1])
}

async function phonePage(browser: Browser, baseURL: string | undefined, phone: string) {
  const ctx = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await ctx.newPage()
  await login(page, phone)
  await resetDisplay(page)
  return { ctx, page }
}

test('the facilitator drafts a resolution, a resident signs on a phone, a walk-in is signed in', async ({
  page,
  browser,
  baseURL,
  request,
}) => {
  // Two browsers, a vote, signatures and a card's story: the longest walk of the suite.
  test.slow()
  const motion = `按楼层分摊加装电梯费用（${Date.now() % 1e5}）`
  const { cid, cycle, resident, formal, groups, cards, facilitator } = await votedMeeting(request, motion)

  // The facilitator drafts it: an ordinary consultation, linked to the first group.
  await openResolutionsTab(page, cid, cycle.id)
  await expect(page.getByTestId('resolutions-empty')).toBeVisible()
  const title = '3单元加装电梯费用分摊方案'
  const id = await draftInUI(page, formal.id, title, '同意加装电梯，费用按楼层分摊，一楼住户给予适当补偿。', undefined, groups[0])
  // A draft until the facilitator has read it out and adopts it.
  await expect(page.getByTestId('resolution-outcome-status')).toHaveText('草稿')
  await expect(page.getByTestId('resolution-outcome')).toContainText('请在大屏上宣读')
  await expect(page.getByTestId(`resolution-item-status-${id}`)).toHaveAttribute('data-state', 'draft')
  await expect(page.getByTestId(`resolution-item-${id}`)).toContainText('协商意见')
  await keepScreenshot(page, 'resolutions-tab')
  await page.getByTestId('resolution-outcome-open').click()
  await expect(page).toHaveURL(new RegExp(`/resolutions/${id}$`))
  await expect(page.getByTestId('resolution-status')).toHaveText('草稿')
  await expect(page.getByTestId('resolution-reject')).toHaveCount(0)
  // The draft goes on the meeting's wall to be read out.
  await page.getByTestId('resolution-to-wall').click()
  const { meeting_id } = await facilitator.get<{ meeting_id: number }>(`/resolutions/${id}`)
  const link = await facilitator.get<{ url: string }>(`/meetings/${meeting_id}/wall-link`)
  const wall = await page.context().newPage()
  await wall.goto(link.url)
  await expect(wall.getByTestId('wall-resolution')).toContainText(title)
  await expect(wall.getByTestId('wall-resolution')).toContainText('决议草案 · 宣读中')
  // Adopting asks first: cancelling leaves the draft.
  await page.getByTestId('resolution-adopt').click()
  const ask = page.locator('.van-dialog') // not the toast, which is a dialog too
  await expect(ask).toContainText('通过这份决议？')
  await ask.getByRole('button', { name: '取消' }).click()
  await expect(ask).toBeHidden()
  expect((await facilitator.get<Resolution>(`/resolutions/${id}`)).status).toBe('draft')
  await page.getByTestId('resolution-adopt').click()
  await ask.getByRole('button', { name: '通过决议' }).click()
  await expect(page.getByTestId('resolution-status')).toHaveText('已通过')
  await expect(page.getByTestId('resolution-review')).toHaveCount(0)
  // The wall follows the adoption by itself.
  await expect(wall.getByTestId('wall-resolution')).toContainText('决议已通过')
  await wall.close()
  // The facilitator keeps the resolution open while people sign.
  await expect(page.getByTestId('resolution-signature-count')).toHaveText('已有 0 人签字')

  // The resident finds it from home on a phone and signs with one big button.
  const phone = await phonePage(browser, baseURL, DEMO.resident)
  const p = phone.page
  await expect(p.getByTestId(`home-resolution-${id}`)).toContainText(title)
  await expect(p.getByTestId(`home-resolution-${id}`)).toContainText('请您签字')
  await p.getByTestId(`home-resolution-${id}`).click()
  await expect(p).toHaveURL(new RegExp(`/resolutions/${id}$`))
  await expect(p.getByTestId('resolution-title')).toHaveText(title)
  await expect(p.getByTestId('resolution-status')).toHaveText('已通过')
  await expect(p.getByTestId('resolution-category')).toContainText('协商意见')
  await expect(p.getByTestId('resolution-vote').getByTestId('vote-tally')).toHaveText('赞成 2 票，反对 1 票，弃权 1 票')
  await expect(p.getByTestId('resolution-vote')).toContainText(motion)
  await expect(p.getByTestId(`resolution-group-${groups[0]}`)).toContainText('按楼层分摊')
  await expect(p.getByTestId('resolution-signature-count')).toHaveText('已有 0 人签字')
  const button = p.getByTestId('resolution-sign-button')
  const box = await button.boundingBox()
  expect(box!.height).toBeGreaterThanOrEqual(44)
  await keepScreenshot(p, 'resolution-sign-phone')
  await button.click()
  await expect(p.getByTestId('resolution-signed')).toContainText('您已签字')
  await expect(p.getByTestId('resolution-signature-count')).toHaveText('已有 1 人签字')
  await expect(button).toHaveCount(0)
  // Residents see how many signed, not who.
  await expect(p.getByTestId('resolution-signatures')).toHaveCount(0)
  // Taps that arrive twice at once (a shaky hand, a retried request) still make one signature.
  const again = await Promise.all([resident.post(`/resolutions/${id}/signatures`, {}), resident.post(`/resolutions/${id}/signatures`, {})])
  for (const r of again) expect(r.status()).toBe(200)
  expect((await resident.get<Resolution>(`/resolutions/${id}`)).signature_count).toBe(1)

  // 长辈版: the same page, larger, the sign state still plain.
  await p.getByTestId('elder-toggle').click()
  await expect(p.locator('html')).toHaveClass(/\belder\b/)
  await keepScreenshot(p, 'resolution-signed-phone-elder')
  await p.getByTestId('elder-toggle').click()
  await phone.ctx.close()

  // The facilitator's page caught the signature live; they sign the walk-in in, and it lists both.
  await expect(page.getByTestId('resolution-signatures')).toContainText('张三')
  await expect(page.getByTestId('resolution-signature-count')).toHaveText('已有 1 人签字')
  const walkIn = page.getByTestId('resolution-sign-in').locator('li', { hasText: WALK_IN })
  await expect(walkIn).toBeVisible()
  await expect(page.getByTestId('resolution-sign-in').locator('li', { hasText: '张三' })).toHaveCount(0)
  await walkIn.getByRole('button', { name: '代签' }).click()
  // 代签 asks first: cancelling signs no one.
  const confirm = page.getByRole('dialog')
  await expect(confirm).toContainText(`为${WALK_IN}代签？`)
  await confirm.getByRole('button', { name: '取消' }).click()
  await expect(confirm).toBeHidden()
  await expect(page.getByTestId('resolution-signature-count')).toHaveText('已有 1 人签字')
  await walkIn.getByRole('button', { name: '代签' }).click()
  await confirm.getByRole('button', { name: '代签' }).click()
  await expect(page.getByTestId('resolution-signature-count')).toHaveText('已有 2 人签字')
  const list = page.getByTestId('resolution-signatures').locator('li')
  await expect(list).toHaveCount(2)
  await expect(list.nth(0)).toContainText('张三')
  await expect(list.nth(0)).toContainText('本人签字')
  await expect(list.nth(1)).toContainText(WALK_IN)
  // The record names who signed for whom.
  await expect(list.nth(1)).toContainText(`${FACILITATOR_NAME}代签`)
  // Those who have not signed yet stay on the list.
  await expect(page.getByTestId('resolution-sign-in').locator('li')).toHaveCount(2)
  await keepScreenshot(page, 'resolution-facilitator')
  const stored = await facilitator.get<Resolution>(`/resolutions/${id}`)
  expect(stored.signatures.map((s) => [s.name, s.method, s.signed_by_name])).toEqual([
    ['张三', 'self', ''],
    [WALK_IN, 'facilitator', FACILITATOR_NAME],
  ])

  // The card in the linked group tells its story: grouped, voted on, written into the resolution.
  const types = (await facilitator.get<{ items: { type: string }[] }>(`/cards/${cards[0]}/timeline`)).items.map((x) => x.type)
  expect(types).toEqual(expect.arrayContaining(['card.grouped', 'card.polled', 'card.poll_closed', 'card.resolved', 'card.resolution_adopted']))
  const story = await phonePage(browser, baseURL, DEMO.resident)
  await story.page.goto(`/cards/${cards[0]}`)
  const tl = story.page.getByTestId(`timeline-${cards[0]}`)
  await expect(tl.getByTestId('timeline-item-card.polled')).toContainText('参加了一次表决')
  await expect(tl.getByTestId('timeline-item-card.poll_closed')).toContainText('表决已结束')
  await expect(tl.getByTestId('timeline-item-card.resolved')).toContainText(title)
  await expect(tl.getByTestId('timeline-item-card.resolution_adopted')).toContainText('决议已通过')
  await expect(tl.getByTestId('timeline-next-voted')).toHaveCount(0)
  await expect(tl.getByTestId('timeline-next-resolved')).toHaveCount(0)
  await expect(tl.getByTestId('timeline-next-implementing')).toBeVisible()
  await tl.getByTestId(`timeline-resolution-${id}`).click()
  await expect(story.page).toHaveURL(new RegExp(`/resolutions/${id}$`))
  await story.ctx.close()
})

test('a Civil Code 278 matter waits for the owners, then the official result adopts it', async ({ page, request }) => {
  const motion = `同意3单元加装电梯（${Date.now() % 1e5}）`
  const { cid, cycle, facilitator, formal } = await votedMeeting(request, motion)

  await openResolutionsTab(page, cid, cycle.id)
  const title = '3单元加装电梯'
  const id = await draftInUI(page, formal.id, title, '同意3单元加装电梯，报业主表决。', 'elevator_retrofit')
  await expect(page.getByTestId('resolution-outcome-status')).toHaveText('等待业主表决')
  await expect(page.getByTestId('resolution-outcome')).toContainText('等待业主表决')

  await page.getByTestId('resolution-outcome-open').click()
  await expect(page).toHaveURL(new RegExp(`/resolutions/${id}$`))
  await expect(page.getByTestId('resolution-status')).toHaveText('等待业主表决')
  await expect(page.getByTestId('resolution-matter')).toHaveText('既有住宅加装电梯')
  await expect(page.getByTestId('resolution-owners-waiting')).toBeVisible()

  // The official platform's result, with a photo of its notice.
  await page.getByTestId('owners-mode-official').check()
  await page.getByTestId('owners-source-input').locator('input').fill('市业主电子投票平台')
  const figures: Record<string, string> = {
    eligible_units: '100',
    eligible_area: '8000',
    participating_units: '80',
    participating_area: '6400',
    units_for: '65',
    area_for: '5200.5',
    units_against: '10',
    area_against: '800',
  }
  for (const [k, v] of Object.entries(figures)) await page.getByTestId(`owners-${k}`).locator('input').fill(v)
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas')
    c.width = 80
    c.height = 60
    const g = c.getContext('2d')!
    g.fillStyle = '#ffffff'
    g.fillRect(0, 0, 80, 60)
    g.fillStyle = '#c8102e'
    g.fillRect(10, 10, 60, 8)
    return c.toDataURL('image/jpeg', 0.9)
  })
  await page
    .getByTestId('owners-notice-input')
    .setInputFiles({ name: 'notice.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') })
  await expect(page.getByTestId('owners-notice-ready')).toBeVisible()
  await keepScreenshot(page, 'resolution-owners-form')
  await page.getByTestId('owners-submit').click()
  await page.locator('.van-dialog:visible .van-dialog__confirm').click()

  // The server's verdict with the figures it checked.
  await expect(page.getByTestId('resolution-status')).toHaveText('已通过')
  const owners = page.getByTestId('resolution-owners')
  await expect(owners.getByTestId('owners-verdict')).toHaveText('业主表决通过')
  await expect(owners.getByTestId('owners-source')).toContainText('市业主电子投票平台')
  await expect(owners.getByTestId('owners-row-eligible')).toContainText('100')
  await expect(owners.getByTestId('owners-row-eligible')).toContainText('8000')
  await expect(owners.getByTestId('owners-row-participating')).toContainText('6400')
  await expect(owners.getByTestId('owners-row-for')).toContainText('5200.5')
  await expect(owners.getByTestId('owners-row-abstain')).toContainText('5')
  for (const c of ['partHead', 'partArea', 'yesHead', 'yesArea']) {
    await expect(owners.getByTestId(`owners-check-${c}`)).toHaveAttribute('data-met', 'true')
  }
  await expect(owners.getByTestId('owners-check-yesHead')).toContainText('四分之三')
  await expect(owners.getByTestId('owners-notice')).toHaveAttribute('data-loaded', 'true')
  await expect(page.getByTestId('owners-form')).toHaveCount(0)
  await keepScreenshot(page, 'resolution-owners-adopted')

  const stored = await facilitator.get<Resolution & { owners_decision: { passed: boolean; units_for: number; area_for: number } }>(
    `/resolutions/${id}`,
  )
  expect(stored.status).toBe('adopted')
  expect(stored.owners_decision).toMatchObject({ passed: true, units_for: 65, area_for: 5200.5 })

  // In English the verdict reads the same way.
  await page.getByTestId('lang-toggle').click()
  await expect(page.getByTestId('resolution-status')).toHaveText('Adopted')
  await expect(owners.getByTestId('owners-verdict')).toHaveText("The owners' vote passed")
  await expect(page.getByTestId('resolution-category')).toContainText('Civil Code art. 278')
  await expect(page.getByTestId('resolution-matter')).toHaveText('Retrofitting an elevator to an existing building')
  await keepScreenshot(page, 'resolution-owners-adopted-en')
  await page.getByTestId('lang-toggle').click()
})
