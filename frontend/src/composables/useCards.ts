// Solution cards (解法卡片) of one cycle: listing (all, hidden, mine),
// submitting with an Idempotency-Key that a retry reuses, withdrawing,
// moderating, reporting, and each card's timeline.

import { ref, type Ref } from 'vue'
import { api, newIdempotencyKey } from '@/api/client'
import type { Card, CardFilter, CardInput, ListPage, ReportResult, TimelineItem } from '@/api/types'
import { useAsync } from './useAsync'

/**
 * One Idempotency-Key per submit attempt: a retry of the same card (same
 * text, photo and choices) after a failure sends the same key, so a request
 * that did arrive is not stored twice; anything else gets a new key.
 */
export function useSubmitKey() {
  let key = ''
  let fingerprint = ''
  return {
    keyFor(input: CardInput): string {
      const f = JSON.stringify([input.body.trim(), input.photo_id ?? null, !!input.anonymous, input.origin ?? '', input.author_name ?? ''])
      if (!key || f !== fingerprint) {
        key = newIdempotencyKey()
        fingerprint = f
      }
      return key
    },
    /** The card was stored: the next one starts fresh. */
    done(): void {
      key = ''
      fingerprint = ''
    },
  }
}

export function getCard(id: number): Promise<Card> {
  return api.get<Card>(`/cards/${id}`)
}

export async function cardTimeline(id: number): Promise<TimelineItem[]> {
  return (await api.get<ListPage<TimelineItem>>(`/cards/${id}/timeline`)).items
}

export async function submitCard(cycleId: number, input: CardInput, key: string): Promise<Card> {
  return api.post<Card>(`/cycles/${cycleId}/cards`, input, { headers: { 'Idempotency-Key': key } })
}

export function withdrawCard(id: number): Promise<Card> {
  return api.patch<Card>(`/cards/${id}`, { status: 'withdrawn' })
}

/** Corrects a paper or table card's typing (its typist only). */
export function correctCard(id: number, fix: { body: string; author_name: string }): Promise<Card> {
  return api.patch<Card>(`/cards/${id}`, fix)
}

export function reportCard(id: number, reason: string): Promise<ReportResult> {
  return api.post<ReportResult>(`/cards/${id}/reports`, { reason: reason || undefined })
}

export function useCards(cycleId: Ref<number>) {
  const items = ref<Card[]>([])
  const state = useAsync()

  function put(c: Card): Card {
    items.value = items.value.some((x) => x.id === c.id)
      ? items.value.map((x) => (x.id === c.id ? c : x))
      : [...items.value, c]
    return c
  }

  return {
    items,
    ...state,
    async load(filter: CardFilter = {}): Promise<void> {
      await state.run(async () => {
        const page = await api.get<ListPage<Card>>(`/cycles/${cycleId.value}/cards`, {
          query: { status: filter.status || undefined, mine: filter.mine ? 'true' : undefined },
        })
        items.value = page.items
      })
    },
    async withdraw(id: number): Promise<Card> {
      return put(await withdrawCard(id))
    },
    /** Hide a card or show it again; facilitators and admins, with a reason. */
    async moderate(id: number, status: 'hidden' | 'visible', reason: string): Promise<Card> {
      return put(await api.patch<Card>(`/cards/${id}`, { status, reason }))
    },
    async report(id: number, reason: string): Promise<ReportResult> {
      const r = await reportCard(id, reason)
      if (r.card) put(r.card)
      else items.value = items.value.filter((x) => x.id !== id)
      return r
    },
  }
}
