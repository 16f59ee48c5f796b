// Communities: the list (all of them for a street administrator, one's own
// for everyone else), creating and editing one, and which one is current.

import { computed, ref } from 'vue'
import { api } from '@/api/client'
import type { Community, CommunityInput, ListPage } from '@/api/types'
import { useAsync } from './useAsync'
import { useAuth } from './useAuth'

const CURRENT_KEY = 'yyt.community'

function readCurrent(): number | null {
  try {
    const v = Number(localStorage.getItem(CURRENT_KEY))
    return Number.isInteger(v) && v > 0 ? v : null
  } catch {
    return null
  }
}

const currentId = ref<number | null>(readCurrent())
const all = ref<Community[]>([])

export interface CommunityChoice {
  id: number
  name: string
}

export function setCurrentCommunity(id: number): void {
  currentId.value = id
  try {
    localStorage.setItem(CURRENT_KEY, String(id))
  } catch {
    // Not remembered across visits, still current for this one.
  }
}

export function useCommunities() {
  const auth = useAuth()
  const listing = useAsync()

  /** What the switcher offers: memberships, plus every community for a superadmin. */
  const choices = computed<CommunityChoice[]>(() => {
    const seen = new Map<number, CommunityChoice>()
    for (const m of auth.memberships.value) {
      seen.set(m.community_id, { id: m.community_id, name: m.community_name })
    }
    if (auth.isSuperadmin.value) {
      for (const c of all.value) if (!seen.has(c.id)) seen.set(c.id, { id: c.id, name: c.name })
    }
    return [...seen.values()]
  })

  const current = computed<CommunityChoice | null>(() => {
    const list = choices.value
    return list.find((c) => c.id === currentId.value) ?? list[0] ?? null
  })

  return {
    items: all,
    choices,
    current,
    loading: listing.loading,
    showProgress: listing.showProgress,
    error: listing.error,
    setCurrent: setCurrentCommunity,

    async load(): Promise<void> {
      await listing.run(async () => {
        const page = await api.get<ListPage<Community>>('/communities')
        all.value = page.items
      })
    },

    async create(input: CommunityInput): Promise<Community> {
      const c = await api.post<Community>('/communities', input)
      all.value = [...all.value, c]
      return c
    },

    get(id: number): Promise<Community> {
      return api.get<Community>(`/communities/${id}`)
    },

    async update(id: number, patch: Partial<CommunityInput>): Promise<Community> {
      const c = await api.patch<Community>(`/communities/${id}`, patch)
      all.value = all.value.map((x) => (x.id === c.id ? c : x))
      return c
    },
  }
}
