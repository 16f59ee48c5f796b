// Polls (投票) of a meeting or a cycle: drafting, opening and closing them,
// ballots, results and the paper / show-of-hands counts. The server decides
// who may vote, what counts and when results may be seen; these calls only
// carry the facilitator's and the resident's choices to it.

import { showConfirmDialog } from 'vant'
import { api } from '@/api/client'
import type {
  BallotChoice,
  ListPage,
  MyBallot,
  OfflineTallies,
  OwnerRoll,
  PaperBallot,
  PaperBallots,
  Poll,
  PollInput,
  PollMethod,
  PollResult,
  ResultOption,
} from '@/api/types'
import { t } from '@/i18n'

export function meetingPolls(meetingId: number): Promise<Poll[]> {
  return api.get<ListPage<Poll>>(`/meetings/${meetingId}/polls`).then((p) => p.items)
}

export function cyclePolls(cycleId: number): Promise<Poll[]> {
  return api.get<ListPage<Poll>>(`/cycles/${cycleId}/polls`).then((p) => p.items)
}

export function createMeetingPoll(meetingId: number, input: PollInput): Promise<Poll> {
  return api.post<Poll>(`/meetings/${meetingId}/polls`, input)
}

export function createCyclePoll(cycleId: number, input: PollInput): Promise<Poll> {
  return api.post<Poll>(`/cycles/${cycleId}/polls`, input)
}

export function getPoll(id: number): Promise<Poll> {
  return api.get<Poll>(`/polls/${id}`)
}

export function openPoll(id: number): Promise<Poll> {
  return api.post<Poll>(`/polls/${id}/open`, {})
}

export function closePoll(id: number): Promise<PollResult> {
  return api.post<PollResult>(`/polls/${id}/close`, {})
}

/** Asks before a poll is closed (no ballot can be cast after); false when the person cancels. */
export async function confirmClosePoll(p: Pick<Poll, 'title'>): Promise<boolean> {
  try {
    await showConfirmDialog({
      title: t('vote.console.close'),
      message: t('vote.console.closeConfirm', { title: p.title }),
      confirmButtonText: t('vote.console.close'),
      cancelButtonText: t('common.cancel'),
    })
    return true
  } catch {
    return false
  }
}

export function castBallot(id: number, ballot: BallotChoice): Promise<MyBallot> {
  return api.post<MyBallot>(`/polls/${id}/ballots`, ballot)
}

export function myBallot(id: number): Promise<MyBallot> {
  return api.get<MyBallot>(`/polls/${id}/my-ballot`)
}

export function pollResults(id: number): Promise<PollResult> {
  return api.get<PollResult>(`/polls/${id}/results`)
}

export function offlineTallies(id: number): Promise<OfflineTallies> {
  return api.get<OfflineTallies>(`/polls/${id}/offline-tallies`)
}

/** Sets one source's counts (keys: option ids, or yes/no/abstain); the earlier value is kept in its history. */
export function setOfflineTally(id: number, source: string, counts: Record<string, number>, voters?: number): Promise<OfflineTallies> {
  return api.put<OfflineTallies>(`/polls/${id}/offline-tallies`, { source, counts, ...(voters === undefined ? {} : { voters }) })
}

/** An owners' poll's roll: every unit by building and room. */
export function ownerRoll(id: number): Promise<OwnerRoll> {
  return api.get<OwnerRoll>(`/polls/${id}/owner-roll`)
}

/** An owners' poll's paper ballots, voided ones included. */
export function paperBallots(id: number): Promise<PaperBallots> {
  return api.get<PaperBallots>(`/polls/${id}/paper-ballots`)
}

/** Enters one owner's paper ballot: the unit on it, the choice and its number. */
export function addPaperBallot(id: number, householdId: number, choice: string, ballotNo: string): Promise<PaperBallot> {
  return api.post<PaperBallot>(`/polls/${id}/paper-ballots`, { household_id: householdId, choice, ballot_no: ballotNo })
}

/** Voids a mistaken entry with the reason; a secret poll's entry also needs the choice on the paper. */
export function voidPaperBallot(id: number, reason: string, choice?: string): Promise<PaperBallot> {
  return api.delete<PaperBallot>(`/paper-ballots/${id}`, { body: { reason, ...(choice ? { choice } : {}) } })
}

/** Whether a poll's counts are points rather than people (dots, Borda points, scores). */
export function countsPoints(method: PollMethod): boolean {
  return method === 'dot' || method === 'ranked' || method === 'score'
}

/** The largest total among the options, for scaling bars (1 when all are 0 or hidden). */
export function maxTotal(options: Pick<ResultOption, 'total'>[]): number {
  return Math.max(1, ...options.map((o) => o.total ?? 0))
}

/** A share (0..1) as a whole percent. */
export function percent(share: number | null | undefined): number {
  return Math.round((share ?? 0) * 100)
}

/** Stream events that change a poll's state, turnout or results. */
export function isPollEvent(type: string): boolean {
  return type.startsWith('poll.')
}
