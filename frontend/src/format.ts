// Dates as people here read them: Asia/Shanghai time, Chinese form
// (2026年12月5日 周六 上午10:00) in Chinese, the usual form in English.

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

const enFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
})

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  if (locale === 'en') return enFormat.format(d)
  const p: Record<string, string> = {}
  for (const part of zhParts.formatToParts(d)) p[part.type] = part.value
  return `${p.year}年${p.month}月${p.day}日 ${p.weekday} ${p.dayPeriod ?? ''}${p.hour}:${p.minute}`
}

/** Areas in m² with at most two decimals and no trailing zeros. */
export function formatArea(area: number): string {
  return Number.isFinite(area) ? String(Math.round(area * 100) / 100) : ''
}
