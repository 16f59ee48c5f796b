// Display preferences that matter before anyone logs in: the UI language and
// 长辈版 (large text). They live in localStorage always, and on the user's
// record (PATCH /me) while logged in, so they follow the person to a new phone.

import { computed, reactive } from 'vue'
import { Locale as VantLocale } from 'vant'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import { api, hasAccessToken } from '@/api/client'
import type { Locale, MePatch, User } from '@/api/types'
import { i18n, isLocale, loadMessages } from '@/i18n'

const LOCALE_KEY = 'yyt.locale'
const LARGE_KEY = 'yyt.large_text'

function readLocal(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function writeLocal(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch {
    // Storage can be refused in private mode; the preference still applies now.
  }
}

const stored = readLocal(LOCALE_KEY)
const state = reactive({
  locale: (isLocale(stored) ? stored : 'zh-CN') as Locale,
  largeText: readLocal(LARGE_KEY) === '1',
})

let applying = 0

/**
 * Shows the page in the chosen language and size. English (ours and Vant's) is fetched the
 * first time it is chosen, so the page turns English once it has arrived; if it cannot be
 * fetched the page stays Chinese and the promise rejects.
 */
async function apply(): Promise<void> {
  const mine = ++applying
  const html = document.documentElement
  html.classList.toggle('elder', state.largeText)
  const locale = state.locale
  if (locale === 'en') {
    try {
      const [, vantEn] = await Promise.all([loadMessages('en'), import('vant/es/locale/lang/en-US')])
      if (mine !== applying) return
      VantLocale.use('en-US', vantEn.default)
    } catch (e) {
      if (mine === applying) state.locale = 'zh-CN'
      throw e
    }
  } else {
    VantLocale.use('zh-CN', vantZhCN)
  }
  html.lang = locale
  i18n.global.locale.value = locale
  document.title = i18n.global.t('app.name')
}

async function persist(patch: MePatch): Promise<void> {
  if (!hasAccessToken()) return
  await api.patch<User>('/me', patch)
}

/** The current language; the API client reads it for Accept-Language. */
export function currentLocale(): Locale {
  return state.locale
}

/** Apply what this browser remembers; call once before mounting (resolves at once for Chinese). */
export function applyStoredPrefs(): Promise<void> {
  return apply().catch(() => undefined)
}

/** On login the person's saved choices win over this browser's. */
export function applyUserPrefs(user: Pick<User, 'locale' | 'large_text'>): void {
  if (isLocale(user.locale)) {
    state.locale = user.locale
    writeLocal(LOCALE_KEY, user.locale)
  }
  state.largeText = !!user.large_text
  writeLocal(LARGE_KEY, state.largeText ? '1' : '0')
  void apply().catch(() => undefined)
}

export function usePrefs() {
  return {
    locale: computed(() => state.locale),
    largeText: computed(() => state.largeText),
    /** Switch language; resolves once the server has it too (when logged in). */
    async setLocale(locale: Locale): Promise<void> {
      state.locale = locale
      await apply()
      writeLocal(LOCALE_KEY, locale)
      await persist({ locale })
    },
    async setLargeText(on: boolean): Promise<void> {
      state.largeText = on
      writeLocal(LARGE_KEY, on ? '1' : '0')
      await apply().catch(() => undefined)
      await persist({ large_text: on })
    },
    /** What to PATCH after registering so the new account keeps these choices. */
    snapshot(): MePatch {
      return { locale: state.locale, large_text: state.largeText }
    },
  }
}
