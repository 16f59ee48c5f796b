// Ledgers, archives and the public board (docs/ledgers.md). Downloads are read
// as a stream so the screen can show how much has arrived: the server sends a
// Content-Length with every export, so the bar shows a share, not just bytes.

import { API_BASE, ApiError, errorOf, getAccessToken, publicGet, refreshSession } from '@/api/client'
import type { Locale } from '@/api/types'
import type { components } from '@/api/schema'

export type Board = components['schemas']['Board']
export type BoardResolution = components['schemas']['BoardResolution']
export type BoardItem = components['schemas']['BoardItem']

export const LEDGERS = ['resolutions', 'items', 'attendance', 'polls', 'satisfaction', 'spending', 'service'] as const
export type Ledger = (typeof LEDGERS)[number]

export interface Progress {
  received: number
  /** Null when the server did not say (never for exports, but proxies may strip it). */
  total: number | null
}

export interface LedgerFilter {
  from?: string
  to?: string
  compound_id?: number | null
}

function query(f: LedgerFilter): string {
  const qs = new URLSearchParams()
  if (f.from) qs.set('from', f.from)
  if (f.to) qs.set('to', f.to)
  if (f.compound_id) qs.set('compound_id', String(f.compound_id))
  const s = qs.toString()
  return s ? '?' + s : ''
}

export function ledgerPath(cid: number, ledger: Ledger, format: 'xlsx' | 'csv', f: LedgerFilter = {}): string {
  return `/communities/${cid}/ledgers/${ledger}.${format}${query(f)}`
}

export function archivePath(cycleId: number): string {
  return `/cycles/${cycleId}/archive.zip`
}

async function open(path: string, locale: Locale): Promise<Response> {
  const go = () => {
    const headers: Record<string, string> = { 'Accept-Language': locale }
    const token = getAccessToken()
    if (token) headers.Authorization = `Bearer ${token}`
    return fetch(API_BASE + path, { headers, credentials: 'same-origin' }).catch(() => {
      throw new ApiError(0, { code: 'network' })
    })
  }
  let res = await go()
  if (res.status === 401 && (await refreshSession())) res = await go()
  if (!res.ok) throw await errorOf(res)
  return res
}

/** The file name the server gave (RFC 6266 filename*), else the fallback. */
function fileNameOf(res: Response, fallback: string): string {
  const cd = res.headers.get('Content-Disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      // fall through
    }
  }
  return /filename="([^"]+)"/i.exec(cd)?.[1] ?? fallback
}

/** Downloads a protected file, reporting progress, and hands it to the browser. */
export async function download(
  path: string,
  locale: Locale,
  onProgress: (p: Progress) => void,
): Promise<{ name: string; size: number }> {
  const res = await open(path, locale)
  const length = Number(res.headers.get('Content-Length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  const chunks: BlobPart[] = []
  let received = 0
  onProgress({ received, total })
  const reader = res.body?.getReader()
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      received += value.byteLength
      onProgress({ received, total })
    }
  } else {
    const b = await res.arrayBuffer()
    chunks.push(b)
    received = b.byteLength
  }
  const name = fileNameOf(res, path.split('/').pop()?.split('?')[0] ?? 'download')
  const blob = new Blob(chunks, { type: res.headers.get('Content-Type') ?? 'application/octet-stream' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  onProgress({ received, total: received })
  return { name, size: received }
}

/** The public board (no login). */
export function fetchBoard(cid: number, compoundId: number | null, locale: Locale): Promise<Board> {
  const q = compoundId ? `?compound_id=${compoundId}` : ''
  return publicGet<Board>(`/public/communities/${cid}/board${q}`, locale)
}

/** Money in fen as yuan, grouped: 480,000.00. */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—'
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}
