// The card wall's groups (KJ 分组) of a meeting: create, rename, reorder and
// dissolve a group, and place a card in a group or back on the loose pile.
// Grouping never edits or deletes a card; the server appends an event for
// every move, so each card's timeline tells it.

import { api } from '@/api/client'
import type { CardPlacement, Cluster } from '@/api/types'

/**
 * Adds a group at the end of the wall; with `cardIds` (a suggestion's cards,
 * or a card dropped on "new group") the server puts those cards into it, in
 * that order, in the same request: all or nothing.
 */
export function createCluster(meetingId: number, label: string, cardIds: number[] = []): Promise<Cluster> {
  return api.post<Cluster>(`/meetings/${meetingId}/clusters`, cardIds.length ? { label, card_ids: cardIds } : { label })
}

export function renameCluster(id: number, label: string): Promise<Cluster> {
  return api.patch<Cluster>(`/clusters/${id}`, { label })
}

/** Moves a group to `position` (1-based) among the meeting's groups. */
export function moveCluster(id: number, position: number): Promise<Cluster> {
  return api.patch<Cluster>(`/clusters/${id}`, { position })
}

/** Dissolves a group: its cards go back to the loose pile; the group's record stays. */
export function dissolveCluster(id: number): Promise<void> {
  return api.delete<void>(`/clusters/${id}`)
}

/**
 * Puts a card into a group at `position` (1-based; omitted: at the end) or,
 * with a null group, back on the loose pile.
 */
export function placeCard(cardId: number, clusterId: number | null, position?: number): Promise<CardPlacement> {
  const body = clusterId === null ? { cluster_id: null } : position ? { cluster_id: clusterId, position } : { cluster_id: clusterId }
  return api.put<CardPlacement>(`/cards/${cardId}/cluster`, body)
}
