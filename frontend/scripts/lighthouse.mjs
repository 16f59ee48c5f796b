#!/usr/bin/env node
// Lighthouse (mobile: Lighthouse's default Moto G Power emulation and simulated slow 4G) on the
// login page and a verified resident's home, several runs each, against a real server with the
// demo data. Prints accessibility, performance, CLS, LCP, TBT and the bytes transferred, and
// exits 1 when the medians miss the targets of issue 14 (accessibility 100, performance >= 90,
// CLS < 0.1). A maintainer's command (`npm run lighthouse`), not part of CI: it takes minutes.
//
// Environment:
//   YYT_LH_BASE_URL   use a running server (e.g. `make run`) instead of building one
//   YYT_LH_SKIP_BUILD 1 = reuse frontend/dist instead of `npm run build`
//   YYT_LH_RUNS       runs per page (default 3)
//   CHROME_PATH       the browser (default /usr/bin/chromium)
//   YYT_LH_JSON       a folder to write each run's full Lighthouse report into

import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { chromium } from 'playwright-core'
import { startDemoServer } from './demo-server.mjs'

const runs = Number(process.env.YYT_LH_RUNS ?? 3)
const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium'
const resident = { phone: '13900000101', password: 'yueyuetan-demo' }

async function startServer() {
  return startDemoServer({ skipBuild: process.env.YYT_LH_SKIP_BUILD === '1' })
}

/** Logs the resident in through the UI in the browser Lighthouse drives, so its profile holds the refresh cookie. */
async function logIn(port, base) {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
  const page = await browser.contexts()[0].newPage()
  await page.goto(`${base}/login`)
  await page.getByTestId('login-phone').locator('input').fill(resident.phone)
  await page.getByTestId('login-password').locator('input').fill(resident.password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('home-title').waitFor({ timeout: 30_000 })
  await page.close()
  // Disconnects playwright only; the browser stays with chrome-launcher.
  await browser.close()
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function measure(port, name, url) {
  const rows = []
  for (let i = 1; i <= runs; i++) {
    const result = await lighthouse(url, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    })
    const lhr = result.lhr
    if (lhr.runtimeError) throw new Error(`${name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
    if (process.env.YYT_LH_JSON) {
      mkdirSync(process.env.YYT_LH_JSON, { recursive: true })
      writeFileSync(join(process.env.YYT_LH_JSON, `${name}-${i}.json`), result.report)
    }
    const a = lhr.audits
    const row = {
      page: name,
      run: i,
      url: lhr.finalDisplayedUrl,
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      performance: Math.round(lhr.categories.performance.score * 100),
      cls: a['cumulative-layout-shift'].numericValue,
      lcpMs: Math.round(a['largest-contentful-paint'].numericValue),
      fcpMs: Math.round(a['first-contentful-paint'].numericValue),
      tbtMs: Math.round(a['total-blocking-time'].numericValue),
      kib: Math.round(a['total-byte-weight'].numericValue / 1024),
    }
    rows.push(row)
    console.log(
      `${name} run ${i}: accessibility ${row.accessibility}, performance ${row.performance}, CLS ${row.cls.toFixed(3)}, ` +
        `LCP ${row.lcpMs} ms, FCP ${row.fcpMs} ms, TBT ${row.tbtMs} ms, ${row.kib} KiB transferred (${row.url})`,
    )
    const failing = Object.values(lhr.categories.accessibility.auditRefs)
      .map((ref) => a[ref.id])
      .filter((au) => au.score !== null && au.score < 1 && au.scoreDisplayMode === 'binary')
    for (const au of failing) console.log(`  accessibility: ${au.id}: ${au.title}`)
    for (const id of ['uses-text-compression', 'render-blocking-resources', 'unused-javascript', 'layout-shifts']) {
      const au = a[id]
      if (au && au.score !== null && au.score < 0.9 && (au.numericValue ?? 1) > 0) console.log(`  performance: ${id}: ${au.displayValue ?? au.title}`)
    }
  }
  return rows
}

let server = null
let chrome = null
let code = 0
try {
  let base = process.env.YYT_LH_BASE_URL
  if (!base) {
    server = await startServer()
    base = server.base
  }
  chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  })
  console.log(`Lighthouse ${runs}x mobile on ${base}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const all = []
  all.push(...(await measure(chrome.port, 'login', `${base}/login`)))
  await logIn(chrome.port, base)
  all.push(...(await measure(chrome.port, 'home', `${base}/`)))
  console.log(`\nMedians (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}):`)
  for (const name of ['login', 'home']) {
    const rows = all.filter((r) => r.page === name)
    const m = (k) => median(rows.map((r) => r[k]))
    const line = {
      accessibility: m('accessibility'),
      performance: m('performance'),
      cls: Number(m('cls').toFixed(3)),
      lcpMs: m('lcpMs'),
      tbtMs: m('tbtMs'),
      kib: m('kib'),
    }
    const ok = line.accessibility === 100 && line.performance >= 90 && line.cls < 0.1
    if (!ok) code = 1
    console.log(`${name}: ${JSON.stringify(line)} ${ok ? 'meets the targets' : 'MISSES the targets (a11y 100, perf >= 90, CLS < 0.1)'}`)
    if (name === 'home' && !rows.every((r) => new URL(r.url).pathname === '/')) {
      console.log('home: a run did not stay on / (was the resident logged out?)')
      code = 1
    }
  }
} catch (e) {
  console.error(e)
  code = 1
} finally {
  if (chrome) chrome.kill()
  if (server) await server.stop()
}
process.exit(code)
