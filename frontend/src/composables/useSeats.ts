// Stakeholder seats (席位) of a meeting: who is invited to the round table
// for which side or body, and whether they came. Facilitators and admins plan
// them until the meeting ends; every member may read them.

import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { Seat, SeatInput, SeatList, SeatPatch } from '@/api/types'
import { useAsync } from './useAsync'

export function listSeats(meetingId: number): Promise<SeatList> {
  return api.get<SeatList>(`/meetings/${meetingId}/seats`)
}

export function inviteSeat(meetingId: number, input: SeatInput): Promise<Seat> {
  return api.post<Seat>(`/meetings/${meetingId}/seats`, input)
}

export function updateSeat(id: number, patch: SeatPatch): Promise<Seat> {
  return api.patch<Seat>(`/seats/${id}`, patch)
}

export function removeSeat(id: number): Promise<void> {
  return api.delete<void>(`/seats/${id}`)
}

/** The seats of one meeting, in their order at the table. */
export function useSeats(meetingId: Ref<number>) {
  const list = ref<SeatList | null>(null)
  const state = useAsync()
  const load = async (): Promise<void> => {
    await state.run(async () => {
      list.value = await listSeats(meetingId.value)
    })
  }
  return {
    list,
    ...state,
    load,
    async invite(input: SeatInput): Promise<Seat> {
      const s = await inviteSeat(meetingId.value, input)
      await load()
      return s
    },
    async update(id: number, patch: SeatPatch): Promise<Seat> {
      const s = await updateSeat(id, patch)
      await load()
      return s
    },
    async remove(id: number): Promise<void> {
      await removeSeat(id)
      await load()
    },
  }
}
