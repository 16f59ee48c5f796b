// While the server answers 503 `unavailable` (its database is out, docs/operations.md
// "Database outages"), requests wait and try again instead of failing; `reconnecting` says so to
// the whole page ("正在重新连接…").

import { computed, ref } from 'vue'

const waiting = ref(0)

/** True while at least one request waits for the server to be back. */
export const reconnecting = computed(() => waiting.value > 0)

/** How long, in all, a request keeps trying before it fails like any other error. */
export const RECONNECT_GIVE_UP_MS = 60_000

/** The pause before try number `attempt` (1, 2, …): short first, at most Retry-After. */
export function reconnectDelay(attempt: number, retryAfterSeconds: number | null): number {
  const steps = [1000, 2000, 3000, 5000]
  const d = steps[Math.min(attempt - 1, steps.length - 1)]
  return retryAfterSeconds && retryAfterSeconds > 0 ? Math.min(d, retryAfterSeconds * 1000) : d
}

/** Marks one request as waiting until the returned function is called. */
export function beginWaiting(): () => void {
  waiting.value++
  let done = false
  return () => {
    if (!done) {
      done = true
      waiting.value--
    }
  }
}
