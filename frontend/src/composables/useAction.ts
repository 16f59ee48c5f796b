// One button's action against the server, the way the console and the
// meeting screens run them: busy while it runs (to disable the buttons), a
// toast that confirms it, the server's own words when it fails.

import { ref } from 'vue'
import { notifyError, notifySuccess } from './useNotify'

export interface ActionHooks {
  /** After a success and its toast, e.g. reading the list again; a failure here is told too. */
  then?: () => unknown
  /** After every attempt, failed or not, e.g. telling the parent to read again. */
  always?: () => void
}

export function useAction(hooks: ActionHooks = {}) {
  const busy = ref(false)

  /** Runs fn with busy on and confirms it with `done`. */
  async function act(fn: () => Promise<unknown>, done: string): Promise<void> {
    busy.value = true
    try {
      await fn()
      notifySuccess(done)
      await hooks.then?.()
    } catch (e) {
      notifyError(e)
    } finally {
      busy.value = false
      hooks.always?.()
    }
  }

  return { busy, act }
}
