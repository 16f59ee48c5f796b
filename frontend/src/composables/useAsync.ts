// Loading state shared by the list composables: a flag that turns on only
// after a short delay, so fast answers do not flash a spinner while any wait
// a person would notice shows progress.

import { onScopeDispose, ref, type Ref } from 'vue'
import { ApiError } from '@/api/client'

const SPINNER_DELAY_MS = 300

export interface AsyncState {
  loading: Ref<boolean>
  /** loading, but only once it has lasted long enough to be noticed. */
  showProgress: Ref<boolean>
  error: Ref<ApiError | null>
  run<T>(fn: () => Promise<T>): Promise<T | undefined>
}

export function useAsync(): AsyncState {
  const loading = ref(false)
  const showProgress = ref(false)
  const error = ref<ApiError | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  onScopeDispose(() => clearTimeout(timer))

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const mine = ++generation
    loading.value = true
    error.value = null
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (loading.value) showProgress.value = true
    }, SPINNER_DELAY_MS)
    try {
      return await fn()
    } catch (e) {
      if (mine === generation) {
        error.value = e instanceof ApiError ? e : new ApiError(0, { code: 'client' })
      }
      return undefined
    } finally {
      if (mine === generation) {
        loading.value = false
        showProgress.value = false
        clearTimeout(timer)
      }
    }
  }

  return { loading, showProgress, error, run }
}
