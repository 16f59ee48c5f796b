// Shared helpers for the browser tests: the server's address, demo logins,
// and where screenshots are kept.

import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test as base, expect, type Page } from '@playwright/test'
import { OwnServer } from './own-server'

export const DEMO_PASSWORD = 'yueyuetan-demo'
export const DEMO = {
  superadmin: '13900000000',
  admin: '13900000001',
  facilitator: '13900000002',
  gridWorker: '13900000003',
  committee: '13900000004',
  /** 张三, a verified resident of 安友花园. */
  resident: '13900000101',
} as const
export const DEMO_COMMUNITY = '西桥社区'

const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts')

/**
 * Full-page screenshot kept under e2e/artifacts/ (gitignored), once toasts
 * have gone. The fixed bottom bar is drawn in its place at the end of the
 * page, so it does not cover the middle of a tall screenshot. Taken only with
 * YYT_E2E_SCREENSHOTS=1: nothing reads them in CI, and the suite's 88 of them
 * cost time (a full page at 1920×1080 or on a 2× phone takes a good part of a
 * second on a busy machine). The wait for the toasts is kept either way, so a
 * test goes on from the same state.
 */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  const path = join(artifacts, `${name}.png`)
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  if (process.env.YYT_E2E_SCREENSHOTS !== '1') return path
  mkdirSync(artifacts, { recursive: true })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({
    path,
    fullPage: true,
    style: '.van-tabbar--fixed { position: static !important; } main.with-nav { padding-bottom: 0 !important; }',
  })
  return path
}

/** A mobile number that no seeded or earlier test user has. */
export function freshPhone(): string {
  const time = `${Date.now() % 1e5}`.padStart(5, '0')
  const noise = `${Math.floor(Math.random() * 1e3)}`.padStart(3, '0')
  return `137${time}${noise}`
}

/**
 * Logs in the way most tests need it, without the form: the API's login sets the refresh cookie in
 * the page's browser context (page.request shares the context's cookies), and the tab is left as
 * the form leaves it (src/api/client.ts, usePrefs.ts): the access token in this tab's
 * sessionStorage, the session hint and the account's language and text size in localStorage. Then
 * it opens `to`: the home by default, waiting for its title. `how` is the password, or
 * { password, to }. The form itself is tested where it is the point: loginWithForm, passwords, a
 * meeting's join, the streets, 我的, the a11y login screen.
 */
export async function login(page: Page, phone: string, how: string | { password?: string; to?: string } = {}): Promise<void> {
  const { password = DEMO_PASSWORD, to = '/' } = typeof how === 'string' ? { password: how } : how
  const res = await page.request.post('/api/v1/auth/login', { data: { phone, password } })
  expect(res.status(), `login ${phone}: ${await res.text()}`).toBe(200)
  const t = (await res.json()) as { access_token: string; user: { locale: string; large_text: boolean } }
  // Storage belongs to the origin: a small same-origin file without the app will do to write it.
  if (!page.url().startsWith(new URL('/', res.url()).origin)) await page.goto('/manifest.json')
  await page.evaluate((t) => {
    sessionStorage.setItem('yyt.access_token', t.access_token)
    localStorage.setItem('yyt.session', '1')
    if (t.user.locale === 'zh-CN' || t.user.locale === 'en') localStorage.setItem('yyt.locale', t.user.locale)
    localStorage.setItem('yyt.large_text', t.user.large_text ? '1' : '0')
  }, t)
  await page.goto(to)
  if (to === '/') await expect(page.getByTestId('home-title')).toBeVisible()
}

/** Logs in through the login form, as a person does, and waits for the home. */
export async function loginWithForm(page: Page, phone: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill(phone)
  await page.getByTestId('login-password').locator('input').fill(password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('home-title')).toBeVisible()
}

/**
 * Switches the UI language the way a person does: the top bar's button where it is shown
 * (logged out, or a wide screen), else 我的 → 语言, coming back to the page it was on.
 */
export async function chooseLanguage(page: Page, locale: 'zh-CN' | 'en'): Promise<void> {
  const html = page.locator('html')
  if ((await html.getAttribute('lang')) === locale) return
  const toggle = page.getByTestId('lang-toggle')
  if (await toggle.isVisible()) {
    await toggle.click()
  } else {
    const back = page.url()
    await page.getByTestId('nav-me').click()
    await page.getByTestId(locale === 'en' ? 'me-lang-en' : 'me-lang-zh').click()
    await expect(html).toHaveAttribute('lang', locale)
    await page.goto(back)
  }
  await expect(html).toHaveAttribute('lang', locale)
}

/** Puts the UI in Chinese, standard size, whatever the account saved before. */
export async function resetDisplay(page: Page): Promise<void> {
  const html = page.locator('html')
  await chooseLanguage(page, 'zh-CN')
  if (await html.evaluate((el) => el.classList.contains('elder'))) {
    await page.getByTestId('elder-toggle').click()
    await expect(html).not.toHaveClass(/\belder\b/)
  }
}

export const test = base.extend<object, { server: string }>({
  // The server a worker's specs talk to. The first worker uses the one global-setup started (or
  // YYT_E2E_BASE_URL); with more workers (YYT_E2E_WORKERS) each other one starts a server of its
  // own on its own freshly seeded demo data, so specs running side by side never share data.
  server: [
    async ({}, use, workerInfo) => {
      const url = process.env.YYT_E2E_BASE_URL
      if (!url) throw new Error('YYT_E2E_BASE_URL is not set and global setup did not start a server')
      if (workerInfo.parallelIndex === 0) {
        await use(url)
        return
      }
      const own = await OwnServer.create()
      try {
        await own.start()
        await use(own.baseURL)
      } finally {
        await own.dispose()
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server)
  },
})

export { expect }
