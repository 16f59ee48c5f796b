// The public pickers a person uses to register: which community, then which
// compound, building and room. No login needed.

import { ref } from 'vue'
import { api } from '@/api/client'
import type { Community, ListPage, RegisterPlaces } from '@/api/types'
import { useAsync } from './useAsync'

export function useRegistration() {
  const communities = ref<Community[]>([])
  const places = ref<RegisterPlaces>({ compounds: [] })
  const communityLoad = useAsync()
  const placesLoad = useAsync()

  return {
    communities,
    places,
    communityLoad,
    placesLoad,
    async loadCommunities(): Promise<void> {
      await communityLoad.run(async () => {
        const page = await api.get<ListPage<Community>>('/register/communities', { auth: false })
        communities.value = page.items
      })
    },
    async loadPlaces(cid: number): Promise<void> {
      places.value = { compounds: [] }
      await placesLoad.run(async () => {
        places.value = await api.get<RegisterPlaces>(`/register/communities/${cid}/places`, {
          auth: false,
        })
      })
    },
  }
}
