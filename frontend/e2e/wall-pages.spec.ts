// The card wall at 1920×1080 with an evening's worth of cards: 30 cards, one
// group of 14. Every card shown is whole (its text does not overflow its box:
// scrollHeight against clientHeight) and at least 28 px, and lies inside the
// wall; what does not fit goes to further pages, "第 1/N 页", which together
// hold every card exactly once. The facilitator holds a page from the API the
// console uses; left alone, the wall turns the pages itself. The same for one
// group, big (docs/wall.md).

import type { Page } from '@playwright/test'
import { Caller, openCycle } from './cycle-api'
import { DEMO, expect, keepScreenshot, test } from './fixtures'

const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

// Bodies of every length a resident writes, from a few words to a paragraph.
const SAYINGS = [
  '电梯费用按楼层分摊',
  '高层多出一点，低层少出一点，一楼住户不出钱但要给予适当补偿，这样比较公平。',
  '施工期间晚上不要施工，楼里老人多，要休息。',
  '先做一个单元试点，效果好了再推广到整个小区，大家心里也有底。',
  '电梯井占用了楼道的位置，消防通道还够不够宽？希望请专业的人来看一下，给大家一个明确的说法，不然心里不踏实。',
  '维修基金能不能用？',
  '希望选电梯品牌的时候让业主一起参加，招标过程公开，价格也公开，每一笔钱怎么花的都贴在公告栏上。',
  '以后电梯的电费和保养费谁来出，要提前说清楚，写进协议里，免得装好了以后又吵架。',
  '二楼住户其实用得不多，可以少出或者不出。',
  '施工噪音和灰尘要控制好，楼下有小孩上网课。我家孩子今年高三，白天也在家复习，能不能把最吵的活安排在周末白天集中做完？',
]
const body = (i: number) => `${i + 1}. ${SAYINGS[i % SAYINGS.length]}`

interface Meeting {
  id: number
  display_token: string
}
interface Card {
  id: number
}

/** Reads the page the wall shows: its card ids, and any card that is cut, too small or outside the wall. */
async function readPage(wall: Page) {
  return wall.getByTestId('wall').evaluate((root) => {
    const area = root.querySelector('[data-testid="wall-flow"]')!.getBoundingClientRect()
    const ids: number[] = []
    const bad: string[] = []
    for (const el of root.querySelectorAll<HTMLElement>('[data-testid="wall-flow"] [data-testid^="wall-card-"]')) {
      const id = Number(el.dataset.testid!.replace('wall-card-', ''))
      ids.push(id)
      const r = el.getBoundingClientRect()
      const size = parseFloat(getComputedStyle(el).fontSize)
      if (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth) bad.push(`${id} overflows (${el.scrollHeight}>${el.clientHeight})`)
      if (size < 28) bad.push(`${id} at ${size}px`)
      if (r.top < area.top - 0.5 || r.bottom > area.bottom + 0.5 || r.left < area.left - 0.5 || r.right > area.right + 0.5) {
        bad.push(`${id} outside the wall (${Math.round(r.top)}–${Math.round(r.bottom)} in ${Math.round(area.top)}–${Math.round(area.bottom)})`)
      }
      if (r.bottom > innerHeight || r.right > innerWidth) bad.push(`${id} off screen`)
    }
    return { ids, bad }
  })
}

/** Holds each page in turn and checks it; answers the ids of all pages. */
async function walkPages(wall: Page, hold: (n: number) => Promise<void>): Promise<number[][]> {
  const flow = wall.getByTestId('wall-flow')
  const count = Number(await flow.getAttribute('data-pages'))
  const pages: number[][] = []
  for (let n = 1; n <= count; n++) {
    if (count > 1) {
      await hold(n)
      await expect(wall.getByTestId('wall-page')).toHaveAttribute('data-page', String(n))
      await expect(wall.getByTestId('wall-page')).toContainText(`第 ${n}/${count} 页`)
      await expect(wall.getByTestId('wall-page')).toHaveAttribute('data-held', 'true')
    }
    const { ids, bad } = await readPage(wall)
    expect(bad, `page ${n} of ${count}`).toEqual([])
    expect(ids.length).toBeGreaterThan(0)
    pages.push(ids)
  }
  return pages
}

test('30 cards and a group of 14 on the wall: whole, at least 28 px, paged', async ({ browser, baseURL, request }) => {
  const { cycle, facilitator } = await openCycle(request, 'card_collection')
  const meeting = await facilitator.ok<Meeting>(`/cycles/${cycle.id}/meetings`, {
    title: '3单元电梯圆桌会',
    starts_at: new Date(Date.now() + 600_000).toISOString(),
    location: '2号楼架空层',
    agenda: [{ title: '费用怎么分摊', minutes: 25 }],
  })
  await facilitator.ok(`/meetings/${meeting.id}/start`, {})
  const resident = await Caller.login(request, DEMO.resident)
  const cards: number[] = []
  for (let i = 0; i < 30; i++) {
    const c = await resident.ok<Card>(`/cycles/${cycle.id}/cards`, { body: body(i) }, { 'Idempotency-Key': `wall-pages-${Date.now()}-${i}` })
    cards.push(c.id)
  }
  // A group of 14, one of 6, one of 4; 6 cards loose.
  const big = await facilitator.ok<{ id: number }>(`/meetings/${meeting.id}/clusters`, { label: '费用分摊', card_ids: cards.slice(0, 14) })
  await facilitator.ok(`/meetings/${meeting.id}/clusters`, { label: '施工安排', card_ids: cards.slice(14, 20) })
  await facilitator.ok(`/meetings/${meeting.id}/clusters`, { label: '招标和维护', card_ids: cards.slice(20, 24) })
  const put = async (data: Record<string, unknown>) => {
    const res = await request.put(`/api/v1/meetings/${meeting.id}/projector`, { headers: { Authorization: `Bearer ${facilitator.token}` }, data })
    expect(res.status(), await res.text()).toBe(200)
  }
  await put({ mode: 'cards' })

  const context = await browser.newContext({ ...WALL, baseURL })
  const wall = await context.newPage()
  await wall.clock.install()
  await wall.goto(`/display/${meeting.display_token}`)
  await expect(wall.getByTestId('wall-live')).toHaveAttribute('data-live', 'true')
  await expect(wall.getByTestId('wall-cards')).toContainText('共 30 张')
  const flow = wall.getByTestId('wall-flow')
  await expect(flow).toHaveAttribute('data-font', /\d+/)
  const font = Number(await flow.getAttribute('data-font'))
  const count = Number(await flow.getAttribute('data-pages'))
  console.log(`card wall: 30 cards at ${font}px on ${count} page(s)`)
  expect(font).toBeGreaterThanOrEqual(28)

  // Left alone, the wall turns its pages: page 1 now, page 2 some 12 seconds on.
  const first = await readPage(wall)
  expect(first.bad).toEqual([])
  if (count > 1) {
    await expect(wall.getByTestId('wall-page')).toContainText(`第 1/${count} 页`)
    await expect(wall.getByTestId('wall-page')).toContainText('后面还有')
    await expect(wall.getByTestId('wall-page')).toHaveAttribute('data-held', 'false')
    await keepScreenshot(wall, 'wall-pages-1')
    await wall.clock.runFor(12_500)
    await expect(wall.getByTestId('wall-page')).toHaveAttribute('data-page', '2')
  }

  // Every page checked, held by the facilitator; every card on exactly one page.
  const pages = await walkPages(wall, (n) => put({ mode: 'cards', page: n }))
  expect(pages.flat().sort((a, b) => a - b)).toEqual([...cards].sort((a, b) => a - b))
  await keepScreenshot(wall, 'wall-pages-last')

  // One group of 14, big.
  await put({ mode: 'cluster', cluster_id: big.id })
  await expect(wall.getByTestId('wall-cluster-label')).toHaveText('费用分摊')
  await expect(flow).toHaveAttribute('data-font', /\d+/)
  const clusterFont = Number(await flow.getAttribute('data-font'))
  console.log(`one group: 14 cards at ${clusterFont}px on ${await flow.getAttribute('data-pages')} page(s)`)
  const groupPages = await walkPages(wall, (n) => put({ mode: 'cluster', cluster_id: big.id, page: n }))
  expect(groupPages.flat().sort((a, b) => a - b)).toEqual(cards.slice(0, 14).sort((a, b) => a - b))
  await keepScreenshot(wall, 'wall-pages-group')
  await context.close()
})
