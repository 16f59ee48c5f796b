// src/format.ts writes Chinese dates and times without Intl (the first Intl.DateTimeFormat costs a
// phone tens of milliseconds, docs/phone.md). What it writes must stay what the browser's own
// Intl writes for Asia/Shanghai: this test formats a few thousand moments — every hour around
// midnight and noon, the turn of a year, random moments from 1992 to 2040, and moments before 1992
// (China's daylight-saving years, where the module falls back to Intl) — in Node with the module,
// and in Chromium with Intl, and compares them one by one. English still goes through Intl (the
// browser's own, not compared here: Node's ICU writes some English times differently).

import { expect, test } from '@playwright/test'
import { formatDateTime, formatTime, shanghaiDate, shanghaiMonth, toZonedInput } from '../src/format'

function moments(): string[] {
  const out: number[] = []
  // Every hour and a few minutes of two days (one this year, one in another year).
  for (const day of [Date.UTC(2026, 11, 4, 16), Date.UTC(2031, 5, 30, 16)]) {
    for (let h = 0; h < 24; h++) for (const m of [0, 5, 59]) out.push(day + h * 3_600_000 + m * 60_000)
  }
  // Around the turn of years, seen from Shanghai (16:00 UTC is midnight there).
  for (const y of [2025, 2026, 2027, 2030]) for (const s of [-60_001, -1, 0, 1, 60_000]) out.push(Date.UTC(y - 1, 11, 31, 16) + s)
  // Random moments 1992–2040 (a fixed sequence, so a failure can be repeated).
  let seed = 20261205
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const from = Date.UTC(1992, 0, 1)
  const to = Date.UTC(2040, 0, 1)
  for (let i = 0; i < 3000; i++) out.push(Math.floor(from + next() * (to - from)))
  // Before 1992: summer time in 1986–1991, and the years before it.
  for (const t of [Date.UTC(1988, 6, 1, 12, 30), Date.UTC(1991, 8, 15, 16, 30), Date.UTC(1991, 11, 31, 15, 59), Date.UTC(1975, 2, 3, 3, 3)]) {
    out.push(t)
  }
  return out.map((t) => new Date(t).toISOString())
}

test('Chinese dates and times are what Chromium Intl writes for Asia/Shanghai', async ({ page }) => {
  const isos = moments()
  const ours = isos.map((iso) => ({
    dateTime: formatDateTime(iso, 'zh-CN'),
    time: formatTime(iso, 'zh-CN'),
    input: toZonedInput(iso),
  }))
  const theirs = await page.evaluate((list) => {
    const zone = 'Asia/Shanghai'
    const zhParts = new Intl.DateTimeFormat('zh-CN', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: '2-digit',
      hour12: true,
    })
    const yearOf = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric' })
    const zhTime = new Intl.DateTimeFormat('zh-CN', { timeZone: zone, hour: 'numeric', minute: '2-digit', hour12: true })
    const input = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    const parts = (f: Intl.DateTimeFormat, d: Date) => {
      const p: Record<string, string> = {}
      for (const x of f.formatToParts(d)) p[x.type] = x.value
      return p
    }
    return list.map((iso) => {
      const d = new Date(iso)
      const thisYear = yearOf.format(d) === yearOf.format(new Date())
      const p = parts(zhParts, d)
      const i = parts(input, d)
      return {
        dateTime: `${thisYear ? '' : `${p.year}年`}${p.month}月${p.day}日 ${p.weekday} ${p.dayPeriod ?? ''}${p.hour}:${p.minute}`,
        time: zhTime.format(d).replace(/\s+/g, ''),
        input: `${i.year}-${i.month}-${i.day}T${i.hour}:${i.minute}`,
      }
    })
  }, isos)
  const differ = isos.map((iso, i) => ({ iso, ours: ours[i], theirs: theirs[i] })).filter((x) => JSON.stringify(x.ours) !== JSON.stringify(x.theirs))
  expect(differ.slice(0, 5)).toEqual([])
  // Spot checks in the forms the product's texts use.
  expect(formatDateTime('2031-06-30T16:05:00Z', 'zh-CN')).toBe('2031年7月1日 周二 上午12:05')
  expect(formatTime('2026-12-05T04:36:00Z', 'zh-CN')).toBe('下午12:36')
  expect(toZonedInput('2026-12-31T16:00:00Z')).toBe('2027-01-01T00:00')
})

test("this month and today are Shanghai's whatever the device's zone", async ({ page }) => {
  const fromBrowser = await page.evaluate(() => {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    const today = f.format(new Date())
    const [y, m] = today.split('-').map(Number)
    const month = (o: number) => {
      const d = new Date(Date.UTC(y, m - 1 + o, 1))
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
    }
    return { today, tomorrow: f.format(new Date(Date.now() + 86_400_000)), months: [month(0), month(1), month(-1), month(13)] }
  })
  expect(shanghaiDate()).toBe(fromBrowser.today)
  expect(shanghaiDate(1)).toBe(fromBrowser.tomorrow)
  expect([shanghaiMonth(), shanghaiMonth(1), shanghaiMonth(-1), shanghaiMonth(13)]).toEqual(fromBrowser.months)
})
