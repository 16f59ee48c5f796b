// The speaker queue (发言排队) of a meeting and its timers. The server keeps
// the order, the limits and the clock; the screens count down from the
// server's started_at against the server's own time (the board's `now`), so
// a laptop whose clock is off still shows the same seconds as the wall.

import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { SpeakerBoard, SpeakerSlot, Stance } from '@/api/types'

export const STANCES: readonly Stance[] = ['pro', 'con', 'neutral']

/** Seconds left when the timer turns amber; the server uses the same. */
export const WARNING_SECONDS = 30

export function speakerBoard(meetingId: number): Promise<SpeakerBoard> {
  return api.get<SpeakerBoard>(`/meetings/${meetingId}/speakers`).then((b) => {
    syncClock(b.now)
    return b
  })
}

/** Puts a hand up: one's own, or (facilitators) a signed-in member by id or someone without a phone by name. */
export function askToSpeak(meetingId: number, stance: Stance, who?: { user_id: number } | { name: string }): Promise<SpeakerSlot> {
  return api.post<SpeakerSlot>(`/meetings/${meetingId}/speakers`, { stance, ...who })
}

export function startSpeaker(slotId: number): Promise<SpeakerSlot> {
  return api.post<SpeakerSlot>(`/speakers/${slotId}/start`, {})
}

export function finishSpeaker(slotId: number): Promise<SpeakerSlot> {
  return api.post<SpeakerSlot>(`/speakers/${slotId}/finish`, {})
}

export function withdrawSpeaker(slotId: number): Promise<SpeakerSlot> {
  return api.delete<SpeakerSlot>(`/speakers/${slotId}`)
}

/** Moves the meeting onto agenda item `position`; its timer starts afresh on the server. */
export function setAgendaItem(meetingId: number, position: number): Promise<SpeakerBoard> {
  return api.put<SpeakerBoard>(`/meetings/${meetingId}/agenda-item`, { position }).then((b) => {
    syncClock(b.now)
    return b
  })
}

// How far the server's clock is ahead of this browser's, from the latest board.
let clockOffsetMs = 0

function syncClock(serverNow: string | undefined): void {
  const at = serverNow ? Date.parse(serverNow) : NaN
  if (!Number.isNaN(at)) clockOffsetMs = at - Date.now()
}

/** The server's time now, as this browser best knows it. */
export function serverNow(): number {
  return Date.now() + clockOffsetMs
}

/**
 * A clock that ticks every `ms` while the component lives: read it to recompute
 * timers. It reads `clock`, the server's time by default.
 */
export function useTicker(ms = 250, clock: () => number = serverNow): Ref<number> {
  const now = ref(clock())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = clock()), ms)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

/** Whole seconds left of a speech (rounded up like the server's; negative past the end). */
export function secondsLeft(startedAt: string, seconds: number, now: number): number {
  const left = Date.parse(startedAt) + seconds * 1000 - now
  return left > 0 ? Math.ceil(left / 1000) : Math.trunc(left / 1000)
}

/** How a speech stands with `left` seconds left: amber from `warning` seconds, red at 0. */
export function speechPhase(left: number, warning = WARNING_SECONDS): 'normal' | 'warning' | 'over' {
  if (left <= 0) return 'over'
  return left <= warning ? 'warning' : 'normal'
}

/** 2:05 — minutes and seconds of a non-negative count. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** A speech's length in words: whole minutes as minutes, else seconds. */
export function speechLength(seconds: number, t: (key: string, values: Record<string, unknown>) => string): string {
  return seconds % 60 === 0 ? t('speakers.minutes', { n: seconds / 60 }) : t('speakers.seconds', { n: seconds })
}

/** The running speech of a board, counted down each tick. */
export function useSpeechTimer(board: Ref<SpeakerBoard | null>) {
  const now = useTicker()
  const left = computed(() => {
    const sp = board.value?.speaking
    if (!sp?.slot.started_at) return null
    return secondsLeft(sp.slot.started_at, board.value!.speech_seconds, now.value)
  })
  const phase = computed(() => (left.value === null ? null : speechPhase(left.value)))
  return { now, left, phase }
}
