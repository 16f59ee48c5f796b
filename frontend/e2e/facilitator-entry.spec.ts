// The facilitator types in five paper cards by keyboard alone: focus starts
// in the text box, Enter saves and clears for the next card, Shift+Enter makes
// a new line, and a running count keeps up. A name typed for one card is that
// card's only: the next card starts with no name. A card just saved is
// corrected, and another withdrawn, from the same screen.

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

  // The first card's author, by keyboard: back to the name box, type, Enter.
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
    if (i === 4) {
      // The last card has a writer of its own.
      await page.getByTestId('entry-author').fill('刘阿姨')
      await box.focus()
    }
    const lines = text.split('\n')
    for (const [j, line] of lines.entries()) {
      if (j > 0) await page.keyboard.press('Shift+Enter')
      await page.keyboard.type(line)
    }
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('entry-count')).toHaveAttribute('data-count', String(i + 1))
    await expect(box).toHaveValue('')
    await expect(box).toBeFocused()
    // The name does not carry over into the next card.
    await expect(page.getByTestId('entry-author')).toHaveValue('')
  }
  await expect(page.getByTestId('entry-count')).toHaveText('本次已录入 5 张')
  await expect(page.locator('[data-testid^="entry-saved-"]')).toHaveCount(5)

  // An empty Enter says so, right there, and saves nothing.
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('entry-error')).toHaveText('请先输入卡片内容')
  await expect(page.getByTestId('entry-count')).toHaveAttribute('data-count', '5')
  await keepScreenshot(page, 'entry-desktop')

  // The five cards exist, with origin, each its own author, and the new line kept.
  let cards = (await facilitator.get<{ items: Card[] }>(`/cycles/${cycle.id}/cards`)).items
  const paper = cards.filter((c) => c.origin === 'paper')
  expect(paper.map((c) => c.body).sort()).toEqual([...bodies].sort())
  const authorOf = (body: string) => paper.find((c) => c.body === body)?.author_name
  expect(bodies.map(authorOf)).toEqual(['王阿姨（3单元）', '', '', '', '刘阿姨'])
  for (const c of paper) expect(c).toMatchObject({ status: 'visible', anonymous: false })

  // The second card had a typo and a writer after all: correct it in place.
  const second = paper.find((c) => c.body === bodies[1])!
  await page.getByTestId(`entry-fix-open-${second.id}`).click()
  const fix = page.getByTestId(`entry-fix-${second.id}`)
  await fix.getByTestId('entry-fix-body').fill(`请物业每周清理一次楼道杂物（${stamp}-2）`)
  await fix.getByTestId('entry-fix-author').fill('张大爷')
  await fix.getByTestId('entry-fix-save').click()
  await expect(page.getByTestId(`entry-saved-${second.id}`)).toContainText('每周清理一次')
  await expect(page.getByTestId(`entry-saved-${second.id}`)).toContainText('张大爷')

  // The fourth was typed twice by mistake: withdraw it, after a confirmation.
  const fourth = paper.find((c) => c.body === bodies[3])!
  await page.getByTestId(`entry-withdraw-${fourth.id}`).click()
  await page.getByRole('dialog').getByRole('button', { name: '撤回' }).click()
  await expect(page.getByTestId(`entry-saved-${fourth.id}`)).toContainText('已撤回')
  await expect(page.getByTestId(`entry-withdraw-${fourth.id}`)).toHaveCount(0)

  cards = (await facilitator.get<{ items: Card[] }>(`/cycles/${cycle.id}/cards`)).items
  expect(cards.find((c) => c.id === second.id)).toMatchObject({ body: `请物业每周清理一次楼道杂物（${stamp}-2）`, author_name: '张大爷' })
  expect(cards.find((c) => c.id === fourth.id)).toMatchObject({ status: 'withdrawn' })

  // The board counts the visible ones.
  await page.locator('.tab-cycle-board').click()
  await expect(page.getByTestId('count-cards')).toHaveText('4')
  await keepScreenshot(page, 'board-card-collection')
})
