// Topics (议题) of one cycle: the list most endorsed first, proposing one,
// 附议 and withdrawing it, and the facilitator's triage (shortlist, merge,
// reject).

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { ListPage, Topic, TopicInput, TopicStatus } from '@/api/types'
import { useAsync } from './useAsync'

export function useTopics(cycleId: Ref<number>) {
  const items = ref<Topic[]>([])
  const state = useAsync()

  /** Keeps a changed topic where it is, so nothing jumps away under a finger. */
  function put(t: Topic): Topic {
    const i = items.value.findIndex((x) => x.id === t.id)
    items.value = i >= 0 ? items.value.map((x) => (x.id === t.id ? t : x)) : [...items.value, t]
    return t
  }

  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        const page = await api.get<ListPage<Topic>>(`/cycles/${cycleId.value}/topics`)
        items.value = page.items
      })
    },
    async propose(input: TopicInput): Promise<Topic> {
      return put(await api.post<Topic>(`/cycles/${cycleId.value}/topics`, input))
    },
    async endorse(topicId: number, on: boolean): Promise<Topic> {
      const path = `/topics/${topicId}/endorsement`
      return put(on ? await api.put<Topic>(path) : await api.delete<Topic>(path))
    },
    async setStatus(topicId: number, status: Extract<TopicStatus, 'open' | 'shortlisted' | 'rejected'>, reason = ''): Promise<Topic> {
      return put(await api.patch<Topic>(`/topics/${topicId}`, { status, reason: reason || undefined }))
    },
    async merge(topicId: number, intoId: number): Promise<Topic> {
      const t = put(await api.post<Topic>(`/topics/${topicId}/merge`, { into_topic_id: intoId }))
      // The endorsements moved: the target's count changed too.
      const page = await api.get<ListPage<Topic>>(`/cycles/${cycleId.value}/topics`).catch(() => null)
      if (page) for (const x of page.items) if (x.id === intoId) put(x)
      return t
    },
  }
}
