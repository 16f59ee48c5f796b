// The resident's card screens of one cycle (大家的建议, 我的卡片, one card):
// the cycle with its cards loaded together, whether this person may still
// write a card, and 撤回 behind one confirmation.

import { computed, type Ref } from 'vue'
import { showConfirmDialog } from 'vant'
import { useI18n } from 'vue-i18n'
import type { Card, CardFilter } from '@/api/types'
import { useAuth } from './useAuth'
import { useCards } from './useCards'
import { useCycle } from './useCycles'
import { notifyError, notifySuccess } from './useNotify'
import { allows } from '@/phases'

/** The cycle and its cards (filtered as given), loaded and retried together. */
export function useCycleCards(id: Ref<number>, filter: CardFilter) {
  const auth = useAuth()
  const cycle = useCycle(id)
  const cards = useCards(id)
  const load = () => Promise.all([cycle.load(), cards.load(filter)])
  const c = computed(() => cycle.cycle.value)
  /** 写卡片 shows only while the cycle takes cards and this person may take part. */
  const canWrite = computed(() => !!c.value && allows.submitCard(c.value.phase) && auth.canTakePart(c.value.community_id))
  return { cycle, cards, load, c, canWrite }
}

/**
 * 撤回 one card after the person confirms: false when they kept it or the
 * request failed (the error is shown), true once it is withdrawn.
 */
export function useWithdrawCard() {
  const { t } = useI18n()
  return async function withdraw(send: () => Promise<Card>): Promise<boolean> {
    try {
      await showConfirmDialog({
        title: t('myCards.withdrawTitle'),
        message: t('myCards.withdrawConfirm'),
        confirmButtonText: t('myCards.withdraw'),
        cancelButtonText: t('myCards.keep'),
      })
    } catch {
      return false
    }
    try {
      await send()
      notifySuccess(t('myCards.withdrawn'))
      return true
    } catch (e) {
      notifyError(e)
      return false
    }
  }
}
