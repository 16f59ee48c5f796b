// The facilitator types in five paper cards by keyboard alone: focus starts
// in the text box, the author's name is set once and stays, Enter saves and
// clears for the next card, Shift+Enter makes a new line, and a running count
// keeps up.

import { openCycle, type Card } from './cycle-api'
import { DEMO, expect, keepScreenshot, login, resetDisplay, test } from './fixtures'

test('batch entry of five paper cards by keyboard', async ({ page, request }) => {
  const { cid, cycle, facilitator } = await openCycle(request, 'card_collection')

  await login(page, DEMO.facilitator)
  await resetDisplay(page)

  // From home to the cycle's board, then the entry tab.
  await page.getByTestId(`facilitate-${cid}`).click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/cycles$`))
  await page.getByTestId(`cycle-row-${cycle.id}`).click()
  await expect(page.getByTestId('phase-step-card_collection')).toHaveAttribute('data-state', 'current')
  await page.locator('.tab-cycle-entry').click()
  await expect(page).toHaveURL(new RegExp(`/c/${cid}/cycles/${cycle.id}/entry$`))

  const box = page.getByTestId('entry-body')
  await expect(box).toBeFocused()
  await expect(page.getByTestId('entry-origin-paper')).toBeChecked()

  // The author's name, once, by keyboard: back to the name box, type, Enter.
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('entry-author')).toBeFocused()
  await page.keyboard.type('王阿姨（3单元）')
  await page.keyboard.press('Enter')
  await expect(box).toBeFocused()

  const stamp = Date.now() % 1e5
  const bodies = [
    `楼道加装扶手，先从3单元试点（${stamp}-1）`,
    `请物业每周清一次楼道杂物（${stamp}-2）`,
    `电梯费用按楼层分摊：\n一楼不出钱，越高出得越多（${stamp}-3）`,
    `施工期间给老人安排临时休息点（${stamp}-4）`,
    `装好后请社区组织一次安全培训（${stamp}-5）`,
  ]
  for (const [i, text] of bodies.entries()) {
    const lines = text.split('\n')
    for (const [j, line] of lines.entries()) {
      if (j > 0) await page.keyboard.press('Shift+Enter')
      await page.keyboard.type(line)
    }
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('entry-count')).toHaveAttribute('data-count', String(i + 1))
    await expect(box).toHaveValue('')
    await expect(box).toBeFocused()
  }
  await expect(page.getByTestId('entry-count')).toHaveText('本次已录入 5 张')
  await expect(page.getByTestId('entry-author')).toHaveValue('王阿姨（3单元）')
  await expect(page.locator('[data-testid^="entry-saved-"]')).toHaveCount(5)

  // An empty Enter says so, right there, and saves nothing.
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('entry-error')).toHaveText('请先输入卡片内容')
  await expect(page.getByTestId('entry-count')).toHaveAttribute('data-count', '5')
  await keepScreenshot(page, 'entry-desktop')

  // The five cards exist, with origin, author and the new line kept.
  const cards = (await facilitator.get<{ items: Card[] }>(`/cycles/${cycle.id}/cards`)).items
  const paper = cards.filter((c) => c.origin === 'paper')
  expect(paper.map((c) => c.body).sort()).toEqual([...bodies].sort())
  for (const c of paper) expect(c).toMatchObject({ author_name: '王阿姨（3单元）', status: 'visible', anonymous: false })

  // The board counts them.
  await page.locator('.tab-cycle-board').click()
  await expect(page.getByTestId('count-cards')).toHaveText('5')
  await keepScreenshot(page, 'board-card-collection')
})
