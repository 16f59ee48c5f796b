// Every resident page on a 390×844 phone, in standard size and in 长辈版:
// axe-core's WCAG 2.1 A/AA rules find no serious or critical violation, and in
// 长辈版 every visible text is at least 18 px, wrapped text has a line height
// of at least 1.3, and every control takes a tap anywhere in at least 60×60
// CSS px (text boxes: tapping their whole row gives them the focus).
//
// The state comes from the API: a resident registered here and verified by the
// grid worker into a household, a cycle collecting cards with one of their
// cards in it, a meeting of a later cycle with a resolution signed off and a
// dot vote open, an action item assigned to them and still open, and a
// resolution whose item they finished, so its satisfaction survey asks them.

import type { APIRequestContext, Browser, Page } from '@playwright/test'
import { axeViolations, elderShortfalls } from './a11y'
import { adoptedResolution, Caller, demoPlace, openCycle } from './cycle-api'
import { DEMO, expect, login, test } from './fixtures'
import { demoCommunityId, registerResident, type Throwaway } from './screens-api'
import { PHONE, meetingWithGroups, type Meeting, type Poll } from './vote-helpers'

interface State {
  me: Throwaway
  cardCycle: number
  meeting: Meeting
  ballot: Poll
  resolution: number
  /** An open item of an adopted resolution, assigned to me. */
  item: number
  /** A resolution whose items are done: its satisfaction survey is open. */
  evaluating: number
}

/** Sets the state up once for both modes. */
let prepared: Promise<State> | null = null
function prepare(request: APIRequestContext): Promise<State> {
  prepared ??= (async () => {
    const me = await registerResident(request, '无障碍居民')
    const grid = await Caller.login(request, DEMO.gridWorker)
    const place = await demoPlace(grid)
    // A household of the compound, so that the satisfaction survey asks me (it asks households).
    const flats = await grid.get<{ items: { id: number }[] }>(`/compounds/${place.compoundId}/households`)
    expect(flats.items.length, 'the demo compound has households').toBeGreaterThan(0)
    const verified = await request.patch(`/api/v1/communities/${place.cid}/members/${me.id}`, {
      headers: { Authorization: `Bearer ${grid.token}` },
      data: { verified: true, compound_id: place.compoundId, household_id: flats.items[flats.items.length - 1].id },
    })
    expect(verified.status(), await verified.text()).toBe(200)
    const resident = new Caller(request, (await (await request.post('/api/v1/auth/login', { data: { phone: me.phone, password: me.password } })).json()).access_token)

    // A cycle collecting cards, with one card of mine.
    const cards = await openCycle(request, 'card_collection')
    await resident.ok(`/cycles/${cards.cycle.id}/cards`, { body: '楼道里装扶手，老人上下楼有个抓手。' }, { 'Idempotency-Key': `a11y-${Date.now()}` })

    // A later cycle at its meeting: a passed vote made a resolution; a dot vote is open.
    const m = await meetingWithGroups(request, { 按楼层分摊: ['电梯费用按楼层分摊'], 一楼补偿: ['一楼住户给予适当补偿'] })
    const f = m.facilitator
    await resident.ok('/meetings/join', { code: m.meeting.join_code })
    const motion = await f.ok<Poll>(`/meetings/${m.meeting.id}/polls`, {
      title: '同意按楼层分摊加装电梯费用',
      method: 'approval',
      eligibility: 'attendees',
      weight: 'person',
      secrecy: 'named',
      results_visibility: 'live',
      rule: 'simple_majority',
    })
    await f.ok(`/polls/${motion.id}/open`, {})
    await resident.ok(`/polls/${motion.id}/ballots`, { choice: 'yes' })
    await f.ok(`/polls/${motion.id}/close`, {})
    const resolution = await f.ok<{ id: number }>(`/cycles/${m.cycle.id}/resolutions`, {
      poll_id: motion.id,
      title: '3单元加装电梯费用分摊方案',
      text: '同意加装电梯，费用按楼层分摊，一楼住户给予适当补偿。',
      cluster_ids: [m.clusters[0].id],
    })
    await f.ok(`/resolutions/${resolution.id}/adopt`, {})
    const ballot = await f.ok<Poll>(`/meetings/${m.meeting.id}/polls`, {
      title: '哪个办法更重要',
      method: 'dot',
      options: m.clusters.map((c) => ({ cluster_id: c.id })),
      dots_per_voter: 3,
      eligibility: 'attendees',
      weight: 'person',
      secrecy: 'named',
      results_visibility: 'live',
    })
    await f.ok(`/polls/${ballot.id}/open`, {})

    // Follow-through: an item of mine still open (its page has the update form), and a
    // resolution whose only item I finished, so its satisfaction survey asks me.
    const assign = async (title: string, meeting: string) => {
      const opened = await openCycle(request, 'card_collection')
      const r = await adoptedResolution(opened, resident, meeting)
      await opened.facilitator.ok(`/resolutions/${r.id}/publicity`, { days: 0 })
      const it = await opened.facilitator.ok<{ id: number }>(`/resolutions/${r.id}/items`, {
        title,
        due_date: '2099-12-31',
        assignee_user_id: me.id,
      })
      return { resolution: r.id, item: it.id }
    }
    const open = await assign('楼道扶手安装', '扶手安装协调会')
    const finished = await assign('单元门禁维修', '门禁维修协调会')
    const done = await request.patch(`/api/v1/items/${finished.item}`, {
      headers: { Authorization: `Bearer ${resident.token}` },
      data: { status: 'done' },
    })
    expect(done.ok(), await done.text()).toBeTruthy()
    return {
      me,
      cardCycle: cards.cycle.id,
      meeting: m.meeting,
      ballot,
      resolution: resolution.id,
      item: open.item,
      evaluating: finished.resolution,
    }
  })()
  return prepared
}

interface Screen {
  name: string
  /** Opens the screen and waits until it shows what it is for. */
  open: (page: Page, s: State) => Promise<void>
  /** Measures only inside this element (an open sheet covers the page). */
  root?: string
}

const GUEST: Screen[] = [
  {
    name: 'login',
    open: async (page) => {
      await page.goto('/login')
      await expect(page.getByTestId('login-submit')).toBeVisible()
    },
  },
  {
    name: 'registration',
    open: async (page) => {
      await page.goto('/register')
      await expect(page.getByTestId('reg-submit')).toBeVisible()
      await expect(page.getByTestId('privacy-notice')).toBeVisible()
    },
  },
]

const RESIDENT: Screen[] = [
  {
    name: 'home',
    open: async (page) => {
      await page.goto('/')
      await expect(page.getByTestId('cycle-card')).toBeVisible()
      await expect(page.locator('[data-testid^="membership-status-"]')).toBeVisible()
    },
  },
  {
    name: 'community sheet',
    root: '[data-testid="community-sheet"]',
    open: async (page) => {
      await page.goto('/')
      await expect(page.getByTestId('cycle-card')).toBeVisible()
      await page.getByTestId('community-switcher').click()
      await expect(page.getByTestId('community-sheet')).toBeVisible()
    },
  },
  {
    name: 'topics',
    open: async (page, s) => {
      await page.goto(`/cycles/${s.cardCycle}/topics`)
      await expect(page.getByTestId('topic-list')).toBeVisible()
    },
  },
  {
    name: 'card form',
    open: async (page, s) => {
      await page.goto(`/cycles/${s.cardCycle}/cards/new`)
      await expect(page.getByTestId('card-form')).toBeVisible()
    },
  },
  {
    name: 'my cards',
    open: async (page, s) => {
      await page.goto(`/cycles/${s.cardCycle}/my-cards`)
      await expect(page.getByTestId('my-cards').locator('[data-testid^="timeline-"]').first()).toBeVisible()
    },
  },
  {
    name: 'join',
    open: async (page) => {
      await page.goto('/join')
      await expect(page.getByTestId('join-submit')).toBeVisible()
    },
  },
  {
    name: 'meeting with a ballot open',
    open: async (page, s) => {
      await page.goto(`/meetings/${s.meeting.id}`)
      await expect(page.getByTestId('meeting-live')).toContainText('实时')
      await expect(page.getByTestId(`vote-poll-${s.ballot.id}`)).toBeVisible()
      await expect(page.getByTestId(`vote-dot-add-${s.ballot.options[0].id}`)).toBeVisible()
    },
  },
  {
    name: 'resolution',
    open: async (page, s) => {
      await page.goto(`/resolutions/${s.resolution}`)
      await expect(page.getByTestId('resolution-title')).toBeVisible()
      await expect(page.getByTestId('resolution-sign-button')).toBeVisible()
    },
  },
  {
    name: 'resolution story (一事一档)',
    open: async (page, s) => {
      await page.goto(`/resolutions/${s.resolution}/story`)
      await expect(page.getByTestId('story-title')).toBeVisible()
      await expect(page.getByTestId('story-poll')).toBeVisible()
    },
  },
  {
    name: 'action item (with its update form)',
    open: async (page, s) => {
      await page.goto(`/items/${s.item}`)
      await expect(page.getByTestId('item-title')).toBeVisible()
      await expect(page.getByTestId('item-update-form')).toBeVisible()
    },
  },
  {
    name: 'my items',
    open: async (page, s) => {
      await page.goto('/me/items')
      await expect(page.getByTestId(`my-item-${s.item}`)).toBeVisible()
    },
  },
  {
    name: 'satisfaction survey',
    open: async (page, s) => {
      await page.goto(`/resolutions/${s.evaluating}`)
      await expect(page.getByTestId('survey-answer')).toBeVisible()
    },
  },
  {
    name: '我的',
    open: async (page) => {
      await page.goto('/me')
      await expect(page.getByTestId('me-phone')).toBeVisible()
    },
  },
  {
    name: '消息 (inbox)',
    open: async (page) => {
      await page.goto('/inbox')
      await expect(page.getByTestId('inbox')).toBeVisible()
      await expect(page.locator('[data-testid^="inbox-item-"]').first()).toBeVisible()
    },
  },
]

async function phone(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  return context.newPage()
}

async function setElder(page: Page, on: boolean): Promise<void> {
  const html = page.locator('html')
  if ((await html.evaluate((el) => el.classList.contains('elder'))) !== on) await page.getByTestId('elder-toggle').click()
  await expect(html).toHaveClass(on ? /\belder\b/ : /^(?!.*\belder\b)/)
}

/** Visits every screen in one mode and gathers what axe (and, in 长辈版, the figures) found. */
async function visit(browser: Browser, baseURL: string | undefined, s: State, elder: boolean): Promise<string[]> {
  const found: string[] = []
  const mode = elder ? '长辈版' : 'standard'
  const check = async (page: Page, screen: Screen) => {
    await screen.open(page, s)
    found.push(...(await axeViolations(page, `${screen.name} (${mode})`)))
    if (elder) found.push(...(await elderShortfalls(page, `${screen.name} (${mode})`, screen.root)))
  }

  const guest = await phone(browser, baseURL)
  await guest.goto('/login')
  await setElder(guest, elder)
  for (const screen of GUEST) await check(guest, screen)
  await guest.context().close()

  const page = await phone(browser, baseURL)
  await login(page, s.me.phone, s.me.password)
  await setElder(page, elder)
  for (const screen of RESIDENT) await check(page, screen)
  await page.context().close()
  return found
}

test.describe('resident pages on a phone', () => {
  test('pass axe-core WCAG 2.1 A/AA in standard size', async ({ browser, baseURL, request }) => {
    test.setTimeout(180_000)
    const s = await prepare(request)
    expect(await visit(browser, baseURL, s, false)).toEqual([])
  })

  test('pass axe-core and meet the 长辈版 figures in 长辈版', async ({ browser, baseURL, request }) => {
    test.setTimeout(300_000)
    const s = await prepare(request)
    expect(await visit(browser, baseURL, s, true)).toEqual([])
  })
})

// The desk screens (docs/desk.md "The screen"): the dashboard of the demo community, the
// streets (with the superadmin's forms), a street's dashboard, the ledgers and the audit log,
// on a laptop in standard size, as the superadmin, who reads all of them.
const DESK: { name: string; path: (cid: number, sid: number) => string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'desk dashboard',
    path: (cid) => `/desk/${cid}`,
    ready: async (page) => {
      await expect(page.getByTestId('desk-rates')).toBeVisible()
      await expect(page.locator('[data-testid="desk"] canvas').first()).toBeVisible()
    },
  },
  {
    name: 'streets',
    path: () => '/streets',
    ready: async (page) => {
      await expect(page.getByTestId('street-form')).toBeVisible()
      await expect(page.locator('[data-testid^="street-admin-"]').first()).toBeVisible()
    },
  },
  {
    name: 'street dashboard',
    path: (_, sid) => `/street/${sid}`,
    ready: async (page) => {
      await expect(page.getByTestId('desk-rates')).toBeVisible()
    },
  },
  {
    name: 'ledgers',
    path: (cid) => `/ledgers/${cid}`,
    ready: async (page) => {
      await expect(page.getByTestId('ledgers')).toBeVisible()
    },
  },
  {
    name: 'audit log',
    path: (cid) => `/audit/${cid}`,
    ready: async (page) => {
      await expect(page.getByTestId('audit-filters')).toBeVisible()
    },
  },
]

test('desk pages on a laptop pass axe-core WCAG 2.1 A/AA in standard size', async ({ browser, baseURL, request }) => {
  test.setTimeout(180_000)
  const cid = await demoCommunityId(request)
  const superadmin = await Caller.login(request, DEMO.superadmin)
  const c = await superadmin.get<{ street: string; district: string; city: string }>(`/communities/${cid}`)
  const streets = await superadmin.get<{ items: { id: number; name: string }[] }>('/streets')
  const street =
    streets.items.find((x) => x.name === c.street) ??
    (await superadmin.ok<{ id: number }>('/streets', { name: c.street, district: c.district, city: c.city }))
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  await login(page, DEMO.superadmin)
  const found: string[] = []
  for (const screen of DESK) {
    await page.goto(screen.path(cid, street.id))
    await screen.ready(page)
    found.push(...(await axeViolations(page, screen.name)))
  }
  await context.close()
  expect(found).toEqual([])
})

test('the resident home does not shift when the cycle card arrives late', async ({ browser, baseURL, request }) => {
  const s = await prepare(request)
  const page = await phone(browser, baseURL)
  await login(page, s.me.phone, s.me.password)
  // The cycle, its topics, meetings and resolutions answer slowly, one after another, as on a busy mobile network.
  await page.route(/\/api\/v1\/(communities\/\d+\/cycles|cycles\/\d+\/(topics|meetings|resolutions))(\?|$)/, async (route) => {
    await new Promise((r) => setTimeout(r, 400))
    await route.continue()
  })
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number }
    w.__cls = 0
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!e.hadRecentInput) w.__cls += e.value
      }
    }).observe({ type: 'layout-shift', buffered: true })
  })
  await page.goto('/')
  await expect(page.getByTestId('cycle-card')).toBeVisible()
  await expect(page.getByTestId('cycle-card').locator('[data-testid^="home-action-"]').first()).toBeVisible()
  await expect(page.locator('[data-testid^="membership-status-"]')).toBeVisible()
  await page.waitForTimeout(1_500)
  const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls)
  console.log(`resident home: cumulative layout shift ${cls.toFixed(3)}`)
  expect(cls).toBeLessThan(0.1)
  await page.context().close()
})
