// How the app tells a person what happened: a toast that confirms each action,
// and the server's own localized words when something went wrong. In 长辈版
// messages stay longer and close on a tap, since nobody should have to race
// a message. Toasts show near the top of the screen, where they do not cover
// the page's main button (at the bottom on a phone), docs/phone.md.

import { showFailToast, showSuccessToast, showToast } from 'vant'
import { ApiError } from '@/api/client'
import { t } from '@/i18n'

function duration(): number {
  return document.documentElement.classList.contains('elder') ? 5000 : 2500
}

/** A sentence to show for a failed call: the server's detail when it sent one. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.problem.detail) return e.problem.detail
    if (e.status === 0) return t('common.networkError')
    if (e.status === 403) return t('common.forbidden')
    if (e.status === 404) return t('common.notFound')
    if (e.problem.title) return e.problem.title
  }
  return t('common.serverError')
}

/** Field → message from a 422/400 problem, for showing under the inputs. */
export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fieldErrors : {}
}

const common = { closeOnClick: true, wordBreak: 'break-word', position: 'top', className: 'yyt-toast' } as const

export function notifySuccess(message: string): void {
  showSuccessToast({ message, duration: duration(), ...common })
}

export function notifyInfo(message: string): void {
  showToast({ message, duration: duration(), ...common })
}

export function notifyError(e: unknown): void {
  showFailToast({ message: errorText(e), duration: duration() + 1500, ...common })
}
