// The public meeting notice (docs/paper.md "The public notice"): read with no
// login, like the public board, and the link a facilitator shares in the
// owners' WeChat group.

import { publicGet } from '@/api/client'
import type { Locale } from '@/api/types'
import type { components } from '@/api/schema'

export type PublicNotice = components['schemas']['PublicNotice']

/** The notice page of a meeting on this site: the link to share. */
export function noticeUrl(meetingId: number): string {
  return `${window.location.origin}/notice/${meetingId}`
}

/** A meeting's public notice; a 404 means it does not exist or is no longer public. */
export function fetchNotice(meetingId: number, locale: Locale): Promise<PublicNotice> {
  return publicGet<PublicNotice>(`/public/meetings/${meetingId}/notice`, locale)
}
