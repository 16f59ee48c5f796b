// Households (户) of one compound, optionally narrowed to one building.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { Household, HouseholdInput, ListPage } from '@/api/types'
import { useAsync } from './useAsync'

export function useHouseholds(compoundId: Ref<number | null>) {
  const items = ref<Household[]>([])
  const state = useAsync()

  return {
    items,
    ...state,
    async load(buildingId?: number | null): Promise<void> {
      const id = compoundId.value
      if (id === null) {
        items.value = []
        return
      }
      await state.run(async () => {
        const page = await api.get<ListPage<Household>>(`/compounds/${id}/households`, {
          query: { building_id: buildingId ?? undefined },
        })
        items.value = page.items
      })
    },
    async create(input: HouseholdInput): Promise<Household> {
      const h = await api.post<Household>(`/compounds/${compoundId.value}/households`, input)
      items.value = [...items.value, h]
      return h
    },
  }
}
