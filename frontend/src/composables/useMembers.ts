// Members of one community: the filtered, paged list, verification (实名核验),
// roles, party members' skills and work unit, and adding a person by hand.

import { reactive, ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { Invitation, ListPage, Member, MemberFilter, MemberInput, MemberPatch } from '@/api/types'
import { useAsync } from './useAsync'

const PAGE_SIZE = 30

export function useMembers(cid: Ref<number>) {
  const items = ref<Member[]>([])
  const nextCursor = ref<string | null>(null)
  const filter = reactive<MemberFilter>({ role: '', verified: undefined, q: '' })
  const state = useAsync()

  async function fetchPage(cursor: string | null): Promise<void> {
    const page = await api.get<ListPage<Member>>(`/communities/${cid.value}/members`, {
      query: {
        role: filter.role || undefined,
        verified: filter.verified,
        q: filter.q?.trim() || undefined,
        limit: PAGE_SIZE,
        cursor: cursor ?? undefined,
      },
    })
    items.value = cursor ? [...items.value, ...page.items] : page.items
    nextCursor.value = page.next_cursor || null
  }

  /**
   * Saves a change and keeps the row where it is, even when it no longer
   * matches the filter, so the person sees what their tap did.
   */
  async function update(uid: number, patch: MemberPatch): Promise<Member> {
    const m = await api.patch<Member>(`/communities/${cid.value}/members/${uid}`, patch)
    items.value = items.value.map((x) => (x.user_id === m.user_id ? m : x))
    return m
  }

  return {
    items,
    nextCursor,
    filter,
    ...state,
    async load(): Promise<void> {
      await state.run(() => fetchPage(null))
    },
    async loadMore(): Promise<void> {
      if (nextCursor.value) await state.run(() => fetchPage(nextCursor.value))
    },
    update,
    setVerified: (uid: number, verified: boolean) => update(uid, { verified }),
    /**
     * Adds a person: the street administrator at once (the member), a
     * community admin by invitation (the person joins when they accept).
     */
    async add(input: MemberInput): Promise<Member | Invitation> {
      const r = await api.post<Member | Invitation>(`/communities/${cid.value}/members`, input)
      if (!isInvitation(r)) items.value = [r, ...items.value]
      return r
    },
  }
}

export function isInvitation(r: Member | Invitation): r is Invitation {
  return 'status' in r
}
