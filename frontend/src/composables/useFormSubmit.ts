// The state every form shares while it talks to the server: a busy flag for
// the submit button, the server's per-field errors and its message.

import { ref } from 'vue'
import { errorText, fieldErrors } from './useNotify'

export function useFormSubmit() {
  const errors = ref<Record<string, string>>({})
  const message = ref('')
  const busy = ref(false)

  /** Forgets the errors and the message of the last attempt. */
  function clear(): void {
    errors.value = {}
    message.value = ''
  }

  /** Runs fn with busy on; a failure fills errors and message. */
  async function attempt(fn: () => Promise<void>): Promise<void> {
    busy.value = true
    clear()
    try {
      await fn()
    } catch (e) {
      errors.value = fieldErrors(e)
      message.value = errorText(e)
    } finally {
      busy.value = false
    }
  }

  return { errors, message, busy, clear, attempt }
}
