// What each phase of a cycle allows (docs/domain.md "The monthly cycle"). The server enforces
// these; the UI uses them only to leave out buttons that would be refused.

import { PHASES, type CardOrigin, type Phase } from '@/api/types'

export function phaseIndex(p: Phase): number {
  return (PHASES as readonly string[]).indexOf(p)
}

/** The one step forward, or null at the end (and for a cancelled cycle). */
export function nextPhase(p: Phase): Phase | null {
  const i = phaseIndex(p)
  return i >= 0 && i < PHASES.length - 1 ? PHASES[i + 1] : null
}

/** The one step back, which only an admin may take. */
export function previousPhase(p: Phase): Phase | null {
  const i = phaseIndex(p)
  return i > 0 && p !== 'closed' ? PHASES[i - 1] : null
}

/** Cancelling is possible before 形成决议. */
export function canCancelIn(p: Phase): boolean {
  const i = phaseIndex(p)
  return i >= 0 && i < phaseIndex('resolved')
}

export const allows = {
  proposeTopic: (p: Phase) => p === 'topic_collection',
  endorse: (p: Phase) => p === 'topic_collection',
  triageTopics: (p: Phase) => p === 'topic_collection' || p === 'topic_selection',
  selectTopic: (p: Phase) => p === 'topic_selection',
  submitCard: (p: Phase, origin: CardOrigin = 'online') =>
    origin === 'table' ? p === 'round_table' : p === 'card_collection' || p === 'round_table',
  withdrawCard: (p: Phase) => p === 'card_collection' || p === 'round_table',
}
