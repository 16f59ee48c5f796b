// A secret formal vote on a motion, end to end in real browsers: the
// facilitator drafts it in the console (secret, results after the close,
// simple majority), opens it and puts it on the wall through the projector
// controls; residents vote on their phones (a secret ballot is final, one who
// has not signed in is told to sign in first); the counts stay hidden on the
// wall, the console and the phones until the close, while a show of hands is
// typed in and corrected with its history kept; at the close the wall says
// whether the motion passed under its rule with the figures, as a
// consultation (协商). No screen of the facilitator's shows a name next to a
// choice.

import { Caller } from './cycle-api'
import { expect, keepScreenshot, test } from './fixtures'
import { confirmDialog, meetingWithGroups, openConsole, openWall, polls, RESIDENTS, residentPhone } from './vote-helpers'

const MOTION = '同意按楼层分摊电梯费用'

test('a secret motion vote: hidden until the close, then passed on the wall; no names beside choices', async ({
  page,
  browser,
  baseURL,
  request,
}) => {
  const { cid, facilitator, meeting } = await meetingWithGroups(request, { 按楼层分摊费用: ['电梯费用按楼层分摊，高层多出一点'] })
  await openConsole(page, cid, meeting.id)
  const { context: wallContext, wall } = await openWall(browser, baseURL, meeting.display_token)

  // The facilitator drafts the motion: a formal vote is secret and counted after the close by default.
  await page.getByTestId('poll-new').click()
  await page.getByTestId('poll-kind-motion').click()
  await page.getByTestId('poll-title').locator('textarea').fill(MOTION)
  await page.locator('.more summary').click()
  await expect(page.getByTestId('poll-secrecy-secret')).toHaveAttribute('aria-checked', 'true')
  await expect(page.getByTestId('poll-visibility-after_close')).toHaveAttribute('aria-checked', 'true')
  await expect(page.getByTestId('poll-rule-simple_majority')).toHaveAttribute('aria-checked', 'true')
  await page.getByTestId('poll-save').click()
  await expect(page.getByTestId('poll-builder')).toBeHidden()
  const [poll] = await polls(facilitator, meeting.id)
  expect(poll).toMatchObject({ title: MOTION, method: 'approval', secrecy: 'secret', results_visibility: 'after_close', status: 'draft' })
  const key = (k: string) => poll.options.find((o) => o.key === k)!.id
  const card = page.getByTestId(`console-poll-${poll.id}`)
  await expect(card.getByTestId('console-poll-status')).toHaveText('草稿')
  await card.getByTestId(`console-poll-open-${poll.id}`).click()
  await expect(card.getByTestId('console-poll-status')).toHaveText('投票中')

  // On the wall through the projector controls: pick the poll, look at the preview, show it.
  await page.getByTestId('console-projector-poll').click()
  await page.getByTestId(`console-projector-poll-${poll.id}`).click()
  await expect(page.getByTestId('console-projector-preview-next').getByTestId('wall-poll-title')).toHaveText(MOTION)
  await page.getByTestId('console-projector-show').click()
  await expect(wall.getByTestId('wall-poll-title')).toHaveText(MOTION)
  await expect(wall.getByTestId('wall-poll-consultation')).toHaveText('圆桌会议的表决是协商意见，不代替业主共同决定')
  await expect(wall.getByTestId('wall-poll-how')).toHaveText('表决 · 简单多数')
  await expect(wall.getByTestId('wall-poll')).toContainText('不记名')
  await expect(wall.getByTestId('wall-poll-hidden')).toHaveText('投票结束后公布结果')
  const turnout = wall.getByTestId('wall-poll-turnout')

  // Someone who has not signed in is told to sign in first.
  const outsider = await residentPhone(browser, baseURL, request, RESIDENTS[3], meeting, false)
  await expect(outsider.page.getByTestId(`vote-poll-${poll.id}`).getByTestId('vote-not-eligible')).toHaveText(
    /这次投票只请会上签到的人参加，请先签到。/,
  )
  await expect(outsider.page.getByTestId('vote-submit')).toHaveCount(0)

  // Three residents vote on their phones: yes, yes, no.
  const phones = []
  for (const [i, choice] of (['yes', 'yes', 'no'] as const).entries()) {
    const { context, page: rp } = await residentPhone(browser, baseURL, request, RESIDENTS[i], meeting)
    phones.push(context)
    const box = rp.getByTestId(`vote-poll-${poll.id}`)
    await expect(box).toContainText('协商表决')
    await box.getByTestId(`vote-choice-${choice}`).click()
    await expect(box.getByTestId(`vote-choice-${choice}`)).toHaveAttribute('aria-checked', 'true')
    await box.getByTestId('vote-submit').click()
    await expect(rp.locator('.van-dialog:visible')).toContainText('不记名投票，投出后不能更改。')
    await confirmDialog(rp)
    await expect(box.getByTestId('vote-done')).toContainText('已投票')
    await expect(box.getByTestId('vote-receipt')).toContainText('回执')
    await expect(box.getByTestId('vote-change')).toHaveCount(0)
    await expect(box.getByTestId('vote-mine')).toHaveCount(0)
    await expect(box.getByTestId('vote-results-hidden')).toHaveText('投票结束后公布结果')
    await expect(turnout).toHaveAttribute('data-voters', String(i + 1))
  }
  // A second ballot is refused with the server's words; nothing changes.
  const again = await (await Caller.login(request, RESIDENTS[0].phone)).post(`/polls/${poll.id}/ballots`, { choice: 'no' })
  expect(again.status()).toBe(409)
  expect((await again.json()).detail).toBe('您已经投过票了；不记名投票投出后不能更改。')

  // Three neighbours without phones are signed in by name, and vote by a show of hands, typed in
  // and then corrected: the history keeps both.
  for (const name of ['李奶奶', '周大爷', '吴阿姨']) await facilitator.ok(`/meetings/${meeting.id}/attendance`, { name })
  await expect(turnout).toHaveAttribute('data-eligible', '6')
  await card.getByTestId(`console-poll-offline-${poll.id}`).click()
  const dialog = page.getByTestId('poll-offline')
  await dialog.getByTestId('poll-offline-source-hands').click()
  await dialog.getByTestId(`poll-offline-count-${key('yes')}`).locator('input').fill('2')
  await dialog.getByTestId(`poll-offline-count-${key('no')}`).locator('input').fill('1')
  await dialog.getByTestId('poll-offline-save').click()
  await expect(dialog.getByTestId('poll-offline-history').locator('li')).toHaveCount(1)
  await dialog.getByTestId(`poll-offline-count-${key('no')}`).locator('input').fill('0')
  await dialog.getByTestId(`poll-offline-count-${key('abstain')}`).locator('input').fill('1')
  await dialog.getByTestId('poll-offline-save').click()
  const history = dialog.getByTestId('poll-offline-history')
  await expect(history.locator('li')).toHaveCount(2)
  await expect(history.locator('li').nth(1)).toContainText('赞成 2，反对 1 → 赞成 2，弃权 1')
  await expect(history.locator('li').nth(1)).toContainText('3 人')
  await dialog.locator('.van-popup__close-icon').click()
  await expect(dialog).toBeHidden()

  // Still hidden everywhere before the close; the turnout counts the hands.
  await expect(turnout).toHaveAttribute('data-voters', '6')
  await expect(turnout).toContainText('已投票 6 人 / 可投 6 人')
  await expect(turnout).toContainText('（含现场 3 人）')
  await expect(wall.getByTestId('wall-poll-hidden')).toBeVisible()
  await expect(card.getByTestId('console-poll-hidden')).toHaveText('投票结束后公布结果')
  await expect(card.getByTestId('console-poll-turnout')).toContainText('已投 6 人')

  // The close: the wall says it passed under simple majority, with the figures, hands shown apart.
  await card.getByTestId(`console-poll-close-${poll.id}`).click()
  await confirmDialog(page)
  const outcome = wall.getByTestId('wall-poll-outcome')
  await expect(outcome).toHaveText('赞成 4 票，反对 1 票，弃权 1 票 — 通过（简单多数）')
  await expect(outcome).toHaveAttribute('data-passed', 'true')
  const yes = wall.getByTestId(`wall-poll-option-${key('yes')}`)
  await expect(yes).toHaveAttribute('data-total', '4')
  await expect(yes).toHaveAttribute('data-offline', '2')
  await expect(yes).toContainText('其中现场 2')
  await expect(wall.getByTestId('wall-poll-consultation')).toBeVisible()
  await keepScreenshot(wall, 'vote-motion-wall-passed')

  // The console shows the same outcome; the phones too.
  await expect(card.getByTestId('poll-outcome')).toContainText('通过（简单多数）')
  const rp = phones[2].pages()[0]
  await expect(rp.getByTestId(`vote-poll-${poll.id}`).getByTestId('vote-results')).toContainText('赞成 4 票，反对 1 票，弃权 1 票')
  await keepScreenshot(page, 'vote-motion-console')

  // No name of a voter next to a choice on the facilitator's screens or the wall.
  for (const r of RESIDENTS.slice(0, 3)) {
    await expect(page.getByTestId('console-polls')).not.toContainText(r.name)
    await expect(page.getByTestId('console-projector')).not.toContainText(r.name)
    await expect(wall.getByTestId('wall')).not.toContainText(r.name)
  }
  const results = await facilitator.get<Record<string, unknown>>(`/polls/${poll.id}/results`)
  for (const r of RESIDENTS) expect(JSON.stringify(results)).not.toContain(r.name)

  for (const c of [...phones, outsider.context, wallContext]) await c.close()
})
