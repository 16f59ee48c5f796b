// Dates as people here read them: Asia/Shanghai time, Chinese form
// (12月5日 周六 上午10:00, with the year in front when it is not this year),
// the usual form in English. Every date and time the UI shows or takes goes
// through this module, so a device set to another zone (a laptop in UTC, a
// phone abroad) still shows and enters the community's time.

import type { Locale } from '@/api/types'

const ZONE = 'Asia/Shanghai'

// The first Intl.DateTimeFormat a page makes costs a phone tens of milliseconds (the browser loads
// its date data), enough to be the longest task of the resident home (docs/phone.md). The Chinese
// forms are therefore put together here from the date's parts, and a formatter is made only when
// first needed: for English, or for a date before 1992.

/** Makes a value on first use, once. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined
  return () => (value ??= make())
}

/** 1992-01-01 00:00 in Shanghai: from then on China keeps UTC+8 all year (no daylight saving). */
const STEADY_FROM = Date.UTC(1991, 11, 31, 16)
const HOUR_MS = 3_600_000

interface Parts {
  year: number
  month: number
  day: number
  /** 0 = Sunday */
  weekday: number
  /** 0–23 */
  hour: number
  minute: number
}

const zonedParts = lazy(
  () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
)

/** A moment's wall-clock parts in Asia/Shanghai. */
function shanghaiParts(d: Date): Parts {
  if (d.getTime() >= STEADY_FROM) {
    const s = new Date(d.getTime() + 8 * HOUR_MS)
    return {
      year: s.getUTCFullYear(),
      month: s.getUTCMonth() + 1,
      day: s.getUTCDate(),
      weekday: s.getUTCDay(),
      hour: s.getUTCHours(),
      minute: s.getUTCMinutes(),
    }
  }
  const p: Record<string, number> = {}
  for (const part of zonedParts().formatToParts(d)) p[part.type] = Number(part.value)
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()
  return { year: p.year, month: p.month, day: p.day, weekday, hour: p.hour, minute: p.minute }
}

const pad2 = (n: number) => String(n).padStart(2, '0')
const ZH_WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']

/** 上午12:05, 下午2:36: the 12-hour clock as Chromium writes it in zh-CN. */
function zhClock(p: Parts): string {
  return `${p.hour < 12 ? '上午' : '下午'}${p.hour % 12 || 12}:${pad2(p.minute)}`
}

const enFormat = (withYear: boolean) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: withYear ? 'numeric' : undefined,
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
  })
const enWithYear = lazy(() => enFormat(true))
const enThisYear = lazy(() => enFormat(false))

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const p = shanghaiParts(d)
  const thisYear = p.year === shanghaiParts(new Date()).year
  if (locale === 'en') return (thisYear ? enThisYear() : enWithYear()).format(d)
  const date = `${p.month}月${p.day}日`
  return `${thisYear ? '' : `${p.year}年`}${date} ${ZH_WEEKDAYS[p.weekday]} ${zhClock(p)}`
}

/** Areas in m² with at most two decimals and no trailing zeros. */
export function formatArea(area: number): string {
  return Number.isFinite(area) ? String(Math.round(area * 100) / 100) : ''
}

/** A cycle's month ("2026-12") as 2026年12月, or December 2026 in English. */
export function formatMonth(month: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month)
  if (!m) return month
  if (locale === 'en') {
    return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)),
    )
  }
  return `${m[1]}年${Number(m[2])}月`
}

/** A month in Asia/Shanghai as YYYY-MM: this one, or offset months away. */
export function shanghaiMonth(offset = 0): string {
  const now = shanghaiParts(new Date())
  const d = new Date(Date.UTC(now.year, now.month - 1 + offset, 1))
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}`
}

/** The community's wall-clock offset: China keeps +08:00 all year (no daylight saving). */
const OFFSET = '+08:00'

const enTime = lazy(
  () => new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: 'numeric', minute: '2-digit', hour12: true }),
)

/** Only the time of day in Asia/Shanghai: 下午2:36, or 2:36 pm in English. */
export function formatTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  if (locale === 'en') return enTime().format(d).replace(/\s+/g, ' ')
  return zhClock(shanghaiParts(d))
}

/** A moment as the value of a datetime-local input, in Asia/Shanghai time (YYYY-MM-DDTHH:mm). */
export function toZonedInput(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return ''
  const p = shanghaiParts(d)
  return `${String(p.year).padStart(4, '0')}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}`
}

/**
 * A datetime-local value read as Asia/Shanghai time, as an ISO instant; '' for
 * an empty or malformed value. The device's own zone plays no part.
 */
export function fromZonedInput(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return ''
  const d = new Date(`${value}:00${OFFSET}`)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}

/** A date in Asia/Shanghai as YYYY-MM-DD: today, or offset days away. */
export function shanghaiDate(offsetDays = 0): string {
  return toZonedInput(new Date(Date.now() + offsetDays * 86_400_000)).slice(0, 10)
}
