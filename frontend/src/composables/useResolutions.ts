// Resolutions (决议) of a cycle: drafted by the facilitator from a closed
// formal vote, adopted or rejected as that vote — or, for a Civil Code 278
// matter, the owners' decision — came out, and signed (签字) by the meeting's
// attendees. Also which polls can make a resolution (the reads are usePolls').

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { ListPage, Poll } from '@/api/types'
import type { OwnersDecisionInput, Resolution, ResolutionInput, SignInput } from '@/api/resolution-types'
import { useAsync } from './useAsync'

export function listResolutions(cycleId: number): Promise<Resolution[]> {
  return api.get<ListPage<Resolution>>(`/cycles/${cycleId}/resolutions`).then((p) => p.items)
}

export function getResolution(id: number): Promise<Resolution> {
  return api.get<Resolution>(`/resolutions/${id}`)
}

export function draftResolution(cycleId: number, input: ResolutionInput): Promise<Resolution> {
  return api.post<Resolution>(`/cycles/${cycleId}/resolutions`, input)
}

export function recordOwnersDecision(id: number, input: OwnersDecisionInput): Promise<Resolution> {
  return api.post<Resolution>(`/resolutions/${id}/owners-decision`, input)
}

/** Signs; a repeated tap answers like the first one (200 instead of 201). */
export function signResolution(id: number, who: SignInput = {}): Promise<Resolution> {
  return api.post<Resolution>(`/resolutions/${id}/signatures`, who)
}

const is278 = (rule: string) => rule === 'civil_code_278_ordinary' || rule === 'civil_code_278_major'

/** The round table's formal vote on a motion, which a resolution is drafted from. */
export function isFormalVote(p: Poll): boolean {
  return p.method === 'approval' && !!p.rule && !is278(p.rule) && p.meeting_id !== null && p.eligibility !== 'owners'
}

/** An owners' vote by unit and area under a 278 rule. */
export function isOwnersVote(p: Poll): boolean {
  return p.method === 'approval' && p.eligibility === 'owners' && p.weight === 'owner_area' && is278(p.rule)
}

/** The resolutions of one cycle, in the order they were drafted. */
export function useResolutions(cycleId: Ref<number>) {
  const items = ref<Resolution[]>([])
  const state = useAsync()
  return {
    items,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        items.value = await listResolutions(cycleId.value)
      })
    },
    async draft(input: ResolutionInput): Promise<Resolution> {
      const r = await draftResolution(cycleId.value, input)
      items.value = [...items.value.filter((x) => x.id !== r.id), r]
      return r
    },
  }
}

/** One resolution, kept current after each signature or decision. */
export function useResolution(id: Ref<number>) {
  const resolution = ref<Resolution | null>(null)
  const state = useAsync()
  const put = (r: Resolution) => {
    resolution.value = r
    return r
  }
  return {
    resolution,
    ...state,
    async load(): Promise<void> {
      await state.run(async () => {
        resolution.value = await getResolution(id.value)
      })
    },
    sign: async (who: SignInput = {}) => put(await signResolution(id.value, who)),
    recordOwners: async (input: OwnersDecisionInput) => put(await recordOwnersDecision(id.value, input)),
  }
}
