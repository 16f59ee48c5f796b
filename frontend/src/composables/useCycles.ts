// Cycles (月月谈, one a month per community): the list, opening one, moving
// its phase, and which one a resident's home shows.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { AdvanceInput, Cycle, CycleInput, ListPage, Membership } from '@/api/types'
import { useAsync } from './useAsync'

/**
 * The cycle a member's home shows: the newest of their own compound, else
 * the newest of the community. The list comes newest first.
 */
export function currentCycleFor(cycles: readonly Cycle[], m: Pick<Membership, 'compound_id'> | undefined): Cycle | null {
  const own = m?.compound_id ? cycles.find((c) => c.compound_id === m.compound_id) : undefined
  return own ?? cycles[0] ?? null
}

export function useCycles(cid: Ref<number>) {
  const items = ref<Cycle[]>([])
  const state = useAsync()

  function put(c: Cycle): void {
    const i = items.value.findIndex((x) => x.id === c.id)
    if (i >= 0) items.value = items.value.map((x) => (x.id === c.id ? c : x))
    else items.value = [c, ...items.value].sort((a, b) => b.month.localeCompare(a.month) || b.id - a.id)
  }

  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        const page = await api.get<ListPage<Cycle>>(`/communities/${cid.value}/cycles`)
        items.value = page.items
      })
    },
    async create(input: CycleInput): Promise<Cycle> {
      const c = await api.post<Cycle>(`/communities/${cid.value}/cycles`, input)
      put(c)
      return c
    },
  }
}

/** One cycle, loaded by id, with the calls that change it as a whole. */
export function useCycle(id: Ref<number>) {
  const cycle = ref<Cycle | null>(null)
  const state = useAsync()

  return {
    cycle,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        cycle.value = await api.get<Cycle>(`/cycles/${id.value}`)
      })
    },
    async advance(input: AdvanceInput): Promise<Cycle> {
      const c = await api.post<Cycle>(`/cycles/${id.value}/advance`, input)
      cycle.value = c
      return c
    },
    async selectTopic(topicId: number, reason: string): Promise<Cycle> {
      const c = await api.post<Cycle>(`/cycles/${id.value}/select-topic`, { topic_id: topicId, reason })
      cycle.value = c
      return c
    },
  }
}

export type CycleHandle = ReturnType<typeof useCycle>
