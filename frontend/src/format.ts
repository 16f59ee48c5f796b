// Dates as people here read them: Asia/Shanghai time, Chinese form
// (12月5日 周六 上午10:00, with the year in front when it is not this year),
// the usual form in English. Every date and time the UI shows or takes goes
// through this module, so a device set to another zone (a laptop in UTC, a
// phone abroad) still shows and enters the community's time.

import type { Locale } from '@/api/types'

const ZONE = 'Asia/Shanghai'

const zhParts = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
})

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
const enWithYear = enFormat(true)
const enThisYear = enFormat(false)
const yearOf = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' })

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const thisYear = yearOf.format(d) === yearOf.format(new Date())
  if (locale === 'en') return (thisYear ? enThisYear : enWithYear).format(d)
  const p: Record<string, string> = {}
  for (const part of zhParts.formatToParts(d)) p[part.type] = part.value
  const date = `${p.month}月${p.day}日`
  return `${thisYear ? '' : `${p.year}年`}${date} ${p.weekday} ${p.dayPeriod ?? ''}${p.hour}:${p.minute}`
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
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' }).formatToParts(
    new Date(),
  )
  const y = Number(parts.find((x) => x.type === 'year')?.value)
  const mo = Number(parts.find((x) => x.type === 'month')?.value) - 1 + offset
  const d = new Date(Date.UTC(y, mo, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** The community's wall-clock offset: China keeps +08:00 all year (no daylight saving). */
const OFFSET = '+08:00'

const timeParts = (locale: Locale) =>
  new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: ZONE,
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
  })
const zhTime = timeParts('zh-CN')
const enTime = timeParts('en')

/** Only the time of day in Asia/Shanghai: 下午2:36, or 2:36 pm in English. */
export function formatTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return (locale === 'en' ? enTime : zhTime).format(d).replace(/\s+/g, locale === 'en' ? ' ' : '')
}

const inputParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** A moment as the value of a datetime-local input, in Asia/Shanghai time (YYYY-MM-DDTHH:mm). */
export function toZonedInput(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return ''
  const p: Record<string, string> = {}
  for (const part of inputParts.formatToParts(d)) p[part.type] = part.value
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`
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
