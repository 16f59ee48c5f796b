// Compounds (小区) of one community.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { Compound, CompoundInput, ListPage } from '@/api/types'
import { useAsync } from './useAsync'

export function useCompounds(cid: Ref<number>) {
  const items = ref<Compound[]>([])
  const state = useAsync()

  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        const page = await api.get<ListPage<Compound>>(`/communities/${cid.value}/compounds`)
        items.value = page.items
      })
    },
    async create(input: CompoundInput): Promise<Compound> {
      const c = await api.post<Compound>(`/communities/${cid.value}/compounds`, input)
      items.value = [...items.value, { ...c, building_count: c.building_count ?? 0, household_count: c.household_count ?? 0 }]
      return c
    },
  }
}
