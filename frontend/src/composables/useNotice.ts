// The public meeting notice (docs/paper.md "The public notice"): read with no
// login, like the public board, and the link a facilitator shares in the
// owners' WeChat group.

import { API_BASE, ApiError } from '@/api/client'
import type { Locale, Problem } from '@/api/types'
import type { components } from '@/api/schema'

export type PublicNotice = components['schemas']['PublicNotice']

/** The notice page of a meeting on this site: the link to share. */
export function noticeUrl(meetingId: number): string {
  return `${window.location.origin}/notice/${meetingId}`
}

/** A meeting's public notice; a 404 means it does not exist or is no longer public. */
export async function fetchNotice(meetingId: number, locale: Locale): Promise<PublicNotice> {
  const res = await fetch(`${API_BASE}/public/meetings/${meetingId}/notice`, {
    headers: { Accept: 'application/json', 'Accept-Language': locale },
  }).catch(() => {
    throw new ApiError(0, { code: 'network' })
  })
  if (!res.ok) {
    let p: Problem = { status: res.status }
    try {
      p = { status: res.status, ...((await res.json()) as Problem) }
    } catch {
      // not problem+json
    }
    throw new ApiError(res.status, p)
  }
  return (await res.json()) as PublicNotice
}
