// The phone of issue 11 (docs/phone.md): English fetched only when chosen, the session restored
// in one round trip, a photo shrunk on the phone before it is sent, toasts clear of the main
// button, the language in 我的 rather than the top bar, 长辈版 reading aloud with a hint at the
// keyboard's voice input, and the installable app's manifest and link preview.

import type { Page, Request } from '@playwright/test'
import { openCycle } from './cycle-api'
import { DEMO, chooseLanguage, expect, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

/** Width and height from a JPEG's frame header (SOF0/SOF2) inside a request body. */
function jpegSize(body: Buffer): { width: number; height: number } | null {
  for (const marker of [0xc0, 0xc2]) {
    const i = body.indexOf(Buffer.from([0xff, marker, 0x00, 0x11, 0x08]))
    if (i >= 0) return { height: body.readUInt16BE(i + 5), width: body.readUInt16BE(i + 7) }
  }
  return null
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * Records what the page says aloud instead of saying it (the test machine has no voices), and
 * the bytes of each photo the page uploads (Playwright does not show multipart file bodies).
 */
async function recordSpeechAndUploads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const uploads: Promise<{ name: string; type: string; bytes: number[] }>[] = []
    ;(window as unknown as { __uploads: typeof uploads }).__uploads = uploads
    const real = window.fetch.bind(window)
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const file = init?.body instanceof FormData ? init.body.get('file') : null
      if (file instanceof File) {
        uploads.push(file.arrayBuffer().then((b) => ({ name: file.name, type: file.type, bytes: [...new Uint8Array(b)] })))
      }
      return real(input, init)
    }
  })
  await page.addInitScript(() => {
    const said: { text: string; lang: string }[] = []
    ;(window as unknown as { __said: typeof said }).__said = said
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: {
        speak: (u: SpeechSynthesisUtterance) => said.push({ text: u.text, lang: u.lang }),
        cancel: () => undefined,
        getVoices: () => [],
      },
    })
  })
}

test('a resident phone: light first load, shrunk photo, toasts clear of the button, 长辈版 reads aloud', async ({ page, request }) => {
  const { cycle, topicTitle } = await openCycle(request, 'card_collection')
  await recordSpeechAndUploads(page)
  const english: string[] = []
  page.on('request', (r: Request) => {
    if (/\/assets\/en-[\w-]+\.js$/.test(new URL(r.url()).pathname)) english.push(r.url())
  })

  // Logged out the language can be switched from the top bar; logged in on a phone it is in 我的.
  await page.goto('/login')
  await expect(page.getByTestId('lang-toggle')).toBeVisible()
  await login(page, DEMO.resident)
  await resetDisplay(page)
  await expect(page.getByTestId('elder-toggle')).toBeVisible()
  await expect(page.getByTestId('lang-toggle')).toBeHidden()
  expect(english, 'the English messages are not fetched for a Chinese page').toEqual([])

  // A new tab restores the session with one refresh that brings the memberships: no GET /me.
  const tab = await page.context().newPage()
  const calls: string[] = []
  tab.on('request', (r) => {
    const u = new URL(r.url())
    if (u.pathname.startsWith('/api/v1/')) calls.push(`${r.method()} ${u.pathname}${u.search}`)
  })
  await tab.goto('/')
  await expect(tab.getByTestId('cycle-selected-topic')).toContainText(topicTitle)
  // Exactly one refresh: the page's first script sends it and the app takes its answer (two
  // refreshes in flight would present the cookie twice and end the session).
  expect(calls.filter((c) => c.startsWith('POST /api/v1/auth/refresh'))).toEqual(['POST /api/v1/auth/refresh?include=memberships'])
  expect(calls).not.toContain('GET /api/v1/me')
  // The home's data (the cycles, then the topic and the meetings of the one shown) is asked for by
  // the first script as soon as the refresh answers, and the app takes those answers: each once.
  const early = await tab.evaluate(() => (window as unknown as { __yytEarly?: Record<string, unknown> }).__yytEarly)
  expect(Object.keys(early ?? {})).toEqual(expect.arrayContaining([`/cycles/${cycle.id}/topics`, `/cycles/${cycle.id}/meetings`]))
  expect(Object.values(early ?? {}).every((v) => v === null), 'every early answer was taken').toBe(true)
  const data = calls.filter((c) => /^GET \/api\/v1\/(communities\/\d+\/cycles|cycles\/\d+\/(topics|meetings|resolutions))$/.test(c))
  expect(data).toContain(`GET /api/v1/cycles/${cycle.id}/topics`)
  expect(data).toContain(`GET /api/v1/cycles/${cycle.id}/meetings`)
  expect(data.length, data.join(', ')).toBe(new Set(data).size)
  await tab.close()

  // The card form in 长辈版: 朗读 reads the topic in Chinese; the voice-input hint is there.
  await page.goto(`/cycles/${cycle.id}/cards/new`)
  await expect(page.getByTestId('card-voice-hint')).toHaveCount(0)
  await expect(page.getByTestId('card-topic-read')).toHaveCount(0)
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  await expect(page.getByTestId('card-voice-hint')).toContainText('话筒')
  await page.getByTestId('card-topic-read').click()
  expect(await page.evaluate(() => (window as unknown as { __said: unknown[] }).__said)).toEqual([{ text: topicTitle, lang: 'zh-CN' }])
  await expect(page.getByTestId('card-topic-read')).toHaveAttribute('aria-pressed', 'true')
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).not.toHaveClass(/\belder\b/)

  // A 3200×2400 photo goes out at the 2560 px the server keeps, as JPEG.
  const big = await page.evaluate(async () => {
    const c = document.createElement('canvas')
    c.width = 3200
    c.height = 2400
    const g = c.getContext('2d')!
    const grad = g.createLinearGradient(0, 0, 3200, 2400)
    grad.addColorStop(0, '#c8102e')
    grad.addColorStop(1, '#1f6feb')
    g.fillStyle = grad
    g.fillRect(0, 0, 3200, 2400)
    const blob = await new Promise<Blob | null>((res) => c.toBlob(res, 'image/jpeg', 0.95))
    return [...new Uint8Array(await blob!.arrayBuffer())]
  })
  const original = Buffer.from(big)
  expect(jpegSize(original)).toEqual({ width: 3200, height: 2400 })
  await page.getByTestId('card-photo-input').setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: original })
  await expect(page.getByTestId('card-photo-ready')).toBeVisible({ timeout: 20_000 })
  const sent = await page.evaluate(() => Promise.all((window as unknown as { __uploads: Promise<unknown>[] }).__uploads))
  expect(sent).toHaveLength(1)
  const photo = sent[0] as { name: string; type: string; bytes: number[] }
  expect(photo.name).toBe('big.jpg')
  expect(photo.type).toBe('image/jpeg')
  expect(jpegSize(Buffer.from(photo.bytes))).toEqual({ width: 2560, height: 1920 })
  expect(photo.bytes.length).toBeLessThan(original.length)

  // Sending: the thanks toast does not cover the main button.
  await page.getByTestId('card-body').locator('textarea').fill(`先在楼道里贴通知，再开楼栋会（${Date.now() % 1e5}）`)
  await page.getByTestId('card-submit').click()
  await expect(page.getByTestId('card-thanks')).toBeVisible()
  const toast = page.locator('.van-toast:visible', { hasText: '谢谢您的建议' })
  await expect(toast).toBeVisible()
  const toastBox = (await toast.boundingBox())!
  const buttonBox = (await page.getByTestId('card-story-link').boundingBox())!
  expect(overlaps(toastBox, buttonBox), `toast ${JSON.stringify(toastBox)} over button ${JSON.stringify(buttonBox)}`).toBe(false)

  // English only when chosen (in 我的), then the whole page reads English.
  await chooseLanguage(page, 'en')
  expect(english.length).toBeGreaterThan(0)
  await page.goto('/me')
  await expect(page.locator('h1.page-title')).toHaveText('Me')
  await chooseLanguage(page, 'zh-CN')
})

test('the installable app: manifest, icons and a link preview', async ({ request }) => {
  const html = await (await request.get('/')).text()
  expect(html).toContain('<link rel="manifest" href="/manifest.json"')
  expect(html).toMatch(/<meta property="og:title" content="[^"]*月月谈/)
  expect(html).toContain('<meta property="og:image" content="/icons/icon-512.png"')
  const res = await request.get('/manifest.json')
  expect(res.status()).toBe(200)
  const manifest = await res.json()
  expect(manifest).toMatchObject({ short_name: '月月谈', start_url: '/', display: 'standalone', lang: 'zh-CN' })
  const sizes = (manifest.icons as { src: string; sizes: string; purpose: string }[]).map((i) => `${i.sizes} ${i.purpose}`)
  expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']))
  for (const icon of manifest.icons as { src: string; type: string }[]) {
    const r = await request.get(icon.src)
    expect(r.status(), icon.src).toBe(200)
    expect(r.headers()['content-type']).toContain(icon.type)
  }
})
