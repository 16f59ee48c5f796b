// The cycle a facilitator's screens under /c/:cid/cycles/:cycleId work on,
// loaded once by CycleLayout and shared with its tabs.

import { inject, type InjectionKey } from 'vue'
import type { CycleHandle } from '@/composables/useCycles'

export const cycleKey: InjectionKey<CycleHandle> = Symbol('cycle')

export function useCurrentCycle(): CycleHandle {
  const handle = inject(cycleKey)
  if (!handle) throw new Error('useCurrentCycle outside CycleLayout')
  return handle
}
