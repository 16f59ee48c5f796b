// Organizations of one community: property company, owners' committee and
// the rest.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { ListPage, Organization, OrganizationInput } from '@/api/types'
import { useAsync } from './useAsync'

export function useOrganizations(cid: Ref<number>) {
  const items = ref<Organization[]>([])
  const state = useAsync()

  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        const page = await api.get<ListPage<Organization>>(`/communities/${cid.value}/organizations`)
        items.value = page.items
      })
    },
    async create(input: OrganizationInput): Promise<Organization> {
      const o = await api.post<Organization>(`/communities/${cid.value}/organizations`, input)
      items.value = [...items.value, o]
      return o
    },
  }
}
