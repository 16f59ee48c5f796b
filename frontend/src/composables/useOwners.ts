// The owners' register (业主名册) of a compound: who owns each exclusive unit,
// which the owners' votes under Civil Code art. 278 count from. Everyone in
// the community reads the published list (rooms and areas with the totals);
// admins and facilitators keep it and see the owners — the server decides.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { OwnerInput, OwnerRegister, RegisterUnit } from '@/api/resolution-types'
import { useAsync } from './useAsync'

export function ownerRegister(compoundId: number, buildingId?: number | null): Promise<OwnerRegister> {
  return api.get<OwnerRegister>(`/compounds/${compoundId}/owners`, { query: { building_id: buildingId || undefined } })
}

export function setOwner(householdId: number, input: OwnerInput): Promise<RegisterUnit> {
  return api.put<RegisterUnit>(`/households/${householdId}/owner`, input)
}

export function clearOwner(householdId: number): Promise<void> {
  return api.delete<void>(`/households/${householdId}/owner`)
}

/**
 * The register of a compound and, when one building is chosen, that
 * building's totals. A change reloads both, since one owner's other units
 * (and so the heads) change with it.
 */
export function useOwners(compoundId: Ref<number | null>) {
  const compound = ref<OwnerRegister | null>(null)
  const building = ref<OwnerRegister | null>(null)
  const state = useAsync()
  let buildingId: number | null = null

  async function load(b: number | null = buildingId): Promise<void> {
    buildingId = b
    const id = compoundId.value
    if (id === null) {
      compound.value = building.value = null
      return
    }
    await state.run(async () => {
      const [all, one] = await Promise.all([ownerRegister(id), b ? ownerRegister(id, b) : Promise.resolve(null)])
      compound.value = all
      building.value = one
    })
  }

  return {
    compound,
    building,
    ...state,
    load,
    async set(householdId: number, input: OwnerInput): Promise<RegisterUnit> {
      const u = await setOwner(householdId, input)
      await load()
      return u
    },
    async clear(householdId: number): Promise<void> {
      await clearOwner(householdId)
      await load()
    },
  }
}
