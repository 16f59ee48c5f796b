// A dot vote at the round table, end to end in real browsers: the
// facilitator builds it from the card wall's groups in the console and opens
// it onto the wall; three residents on phone-sized pages place their dots by
// tapping (one takes a dot back with the minus, one uses 长辈版), confirm and
// get "已投票" with the receipt; the wall's turnout rises with each ballot
// while the counts stay hidden (dots are shown after the close, so nobody
// follows the crowd); the console closes the poll and the wall shows the
// results as bars with the right counts, as do the phones.

import { expect, keepScreenshot, test } from './fixtures'
import { confirmDialog, meetingWithGroups, openConsole, openWall, polls, RESIDENTS, residentPhone } from './vote-helpers'

test('a dot vote by three residents on phones, seen on the wall', async ({ page, browser, baseURL, request }) => {
  const { cid, facilitator, meeting, clusters } = await meetingWithGroups(request, {
    按楼层分摊费用: ['电梯费用按楼层分摊，高层多出一点', '低层住户少出一点'],
    施工安排: ['施工期间晚上别施工，老人要休息'],
    一楼补偿: ['一楼住户给予适当补偿', '补偿从维修基金出'],
  })
  const [floors, works, ground] = clusters

  await openConsole(page, cid, meeting.id)
  const { context: wallContext, wall } = await openWall(browser, baseURL, meeting.display_token)

  // The facilitator builds the dot vote from the groups: "V" opens the builder, defaults kept.
  await page.keyboard.press('v')
  const builder = page.getByTestId('poll-builder')
  await expect(builder).toBeVisible()
  await expect(page.getByTestId('poll-kind-dot')).toHaveAttribute('aria-pressed', 'true')
  for (const g of clusters) await expect(page.getByTestId(`poll-group-${g.id}`)).toHaveAttribute('aria-checked', 'true')
  await expect(page.getByTestId('poll-title').locator('textarea')).toHaveValue('哪几组办法最要紧？')
  await expect(page.getByTestId('poll-dots').locator('input')).toHaveValue('3')
  await expect(page.getByTestId('poll-max-dots').locator('input')).toHaveValue('2')
  await keepScreenshot(page, 'vote-dot-builder')
  await page.getByTestId('poll-save-open').click()
  await expect(builder).toBeHidden()

  const [poll] = await polls(facilitator, meeting.id)
  expect(poll).toMatchObject({ method: 'dot', status: 'open', results_visibility: 'after_close', title: '哪几组办法最要紧？' })
  expect(poll.options.map((o) => o.cluster_id)).toEqual([floors.id, works.id, ground.id])
  const opt = (clusterId: number) => poll.options.find((o) => o.cluster_id === clusterId)!.id

  // Opening it put it on the wall: the title, how to vote, turnout at zero, no counts.
  const card = page.getByTestId(`console-poll-${poll.id}`)
  await expect(card.getByTestId('console-poll-on-wall')).toBeVisible()
  const wp = wall.getByTestId('wall-poll')
  await expect(wp).toBeVisible()
  await expect(wall.getByTestId('wall-poll-title')).toHaveText('哪几组办法最要紧？')
  await expect(wall.getByTestId('wall-poll-how')).toHaveText('贴点投票 · 每人 3 点，每项最多 2 点')
  const turnout = wall.getByTestId('wall-poll-turnout')
  await expect(turnout).toHaveAttribute('data-voters', '0')
  await expect(wall.getByTestId('wall-poll-hidden')).toHaveText('投票结束后公布结果')

  // Three residents on their phones. The third uses 长辈版.
  const ballots: { taps: number[]; takeBack?: number }[] = [
    { taps: [opt(floors.id), opt(floors.id), opt(works.id)] },
    { taps: [opt(works.id), opt(works.id), opt(ground.id)] },
    { taps: [opt(floors.id), opt(works.id), opt(ground.id)], takeBack: opt(works.id) },
  ]
  const phones = []
  for (const [i, b] of ballots.entries()) {
    const { context, page: rp } = await residentPhone(browser, baseURL, request, RESIDENTS[i], meeting)
    phones.push(context)
    if (i === 2) {
      await rp.getByTestId('elder-toggle').click()
      await expect(rp.locator('html')).toHaveClass(/\belder\b/)
    }
    const box = rp.getByTestId(`vote-poll-${poll.id}`)
    await expect(box.getByTestId('vote-title')).toHaveText('哪几组办法最要紧？')
    await expect(box.getByTestId('vote-dots-left')).toHaveText('还剩 3 个点')
    for (const [n, id] of b.taps.entries()) {
      await box.getByTestId(`vote-dot-add-${id}`).click()
      await expect(box.getByTestId('vote-dots-left')).toHaveText(`还剩 ${2 - n} 个点`)
    }
    // No dots left: every add is off, the minus still works.
    for (const o of poll.options) await expect(box.getByTestId(`vote-dot-add-${o.id}`)).toBeDisabled()
    // ...yet a full ballot does not look disabled: no row is faded, the rows holding dots look chosen.
    for (const o of poll.options) {
      await expect(box.getByTestId(`vote-dot-add-${o.id}`)).toHaveCSS('opacity', '1')
    }
    await expect(box.locator('.dot-row.chosen')).toHaveCount(new Set(b.taps).size)
    if (b.takeBack) {
      await box.getByTestId(`vote-dot-take-${b.takeBack}`).click()
      await expect(box.getByTestId('vote-dots-left')).toHaveText('还剩 1 个点')
      await expect(box.getByTestId(`vote-dot-row-${b.takeBack}`)).toHaveAttribute('data-dots', '0')
      const size = await box.getByTestId(`vote-dot-take-${b.takeBack}`).boundingBox()
      expect(size!.height).toBeGreaterThanOrEqual(60)
      expect(size!.width).toBeGreaterThanOrEqual(60)
    }
    await box.getByTestId('vote-submit').click()
    await expect(rp.locator('.van-dialog:visible')).toContainText('投票结束前，您还可以修改。')
    await confirmDialog(rp)
    await expect(box.getByTestId('vote-done')).toContainText('已投票')
    await expect(box.getByTestId('vote-receipt')).toContainText('回执')
    await expect(box.getByTestId('vote-results-hidden')).toHaveText('投票结束后公布结果')
    // The wall's turnout rises; the counts stay hidden.
    await expect(turnout).toHaveAttribute('data-voters', String(i + 1))
    await expect(turnout).toContainText(`已投票 ${i + 1} 人`)
    await expect(wall.getByTestId('wall-poll-hidden')).toBeVisible()
    if (i === 2) await keepScreenshot(rp, 'vote-dot-phone-elder')
  }
  await keepScreenshot(wall, 'vote-dot-wall-turnout')
  await expect(card.getByTestId('console-poll-turnout')).toContainText('已投 3 人')
  await expect(card.getByTestId('console-poll-hidden')).toBeVisible()

  // The first resident changes a named ballot while the poll is open: one dot moves.
  const first = phones[0].pages()[0]
  const box = first.getByTestId(`vote-poll-${poll.id}`)
  await expect(box.getByTestId('vote-mine')).toContainText('按楼层分摊费用 2 点')
  await box.getByTestId('vote-change').click()
  await expect(box.getByTestId('vote-dots-left')).toHaveText('还剩 0 个点')
  await box.getByTestId(`vote-dot-take-${opt(works.id)}`).click()
  await box.getByTestId(`vote-dot-add-${opt(ground.id)}`).click()
  await box.getByTestId('vote-submit').click()
  await confirmDialog(first)
  await expect(box.getByTestId('vote-mine')).toContainText('一楼补偿 1 点')
  await expect(turnout).toHaveAttribute('data-voters', '3')

  // The console closes the poll: the wall shows the bars with the counts.
  await card.getByTestId(`console-poll-close-${poll.id}`).click()
  await confirmDialog(page)
  await expect(wp).toHaveAttribute('data-status', 'closed')
  await expect(wall.getByTestId('wall-poll-results')).toBeVisible()
  // 按楼层分摊费用 2+0+1 = 3, 施工安排 0+2+0 = 2, 一楼补偿 1+1+1 = 3; 8 dots in all.
  const want = [
    [floors.id, 3, '38%'],
    [works.id, 2, '25%'],
    [ground.id, 3, '38%'],
  ] as const
  for (const [clusterId, total, share] of want) {
    const row = wall.getByTestId(`wall-poll-option-${opt(clusterId)}`)
    await expect(row).toHaveAttribute('data-total', String(total))
    await expect(row).toContainText(`${total} 点 · ${share}`)
  }
  await expect(wall.getByTestId('wall-poll-status')).toHaveText('投票已结束')
  await expect(wp).not.toContainText('张三')
  await keepScreenshot(wall, 'vote-dot-wall-results')
  await expect(card.getByTestId(`console-poll-bars-${poll.id}-option-${opt(floors.id)}`)).toContainText('3 点')

  // "R" takes the poll off the wall (back to the card wall) and puts it up again.
  await page.keyboard.press('r')
  await expect(wall.getByTestId('wall')).toHaveAttribute('data-mode', 'cards')
  await expect(card.getByTestId('console-poll-on-wall')).toHaveCount(0)
  await page.keyboard.press('r')
  await expect(wall.getByTestId('wall')).toHaveAttribute('data-mode', 'poll')

  // The phones show the final result too.
  const results = first.getByTestId(`vote-poll-${poll.id}`).getByTestId('vote-results')
  await expect(results).toContainText('最终结果')
  await expect(results.getByTestId(`vote-bars-option-${opt(works.id)}`)).toContainText('2 点')

  // Through the API, the wall and the results agree.
  const r = await facilitator.get<{ options: { id: number; total: number }[]; voters: number }>(`/polls/${poll.id}/results`)
  expect(r.voters).toBe(3)
  expect(r.options.map((o) => o.total)).toEqual([3, 2, 3])
  for (const c of phones) await c.close()
  await wallContext.close()
})
