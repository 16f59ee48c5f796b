// Buildings (楼栋/单元) of one compound.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { Building, ListPage } from '@/api/types'
import { useAsync } from './useAsync'

export function useBuildings(compoundId: Ref<number | null>) {
  const items = ref<Building[]>([])
  const state = useAsync()

  return {
    items,
    ...state,
    async load(): Promise<void> {
      const id = compoundId.value
      if (id === null) {
        items.value = []
        return
      }
      await state.run(async () => {
        const page = await api.get<ListPage<Building>>(`/compounds/${id}/buildings`)
        items.value = page.items
      })
    },
    async create(name: string): Promise<Building> {
      const b = await api.post<Building>(`/compounds/${compoundId.value}/buildings`, { name })
      items.value = [...items.value, b]
      return b
    },
  }
}
