import { createI18n } from 'vue-i18n'
import type { Locale } from '@/api/types'
import zhCN, { type Messages } from './zh-CN'

export const LOCALES: readonly Locale[] = ['zh-CN', 'en']

export function isLocale(v: unknown): v is Locale {
  return v === 'zh-CN' || v === 'en'
}

// Only the Chinese messages are in the first download; the English ones come as a chunk of
// their own the first time someone chooses English (docs/phone.md).
export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, Messages>,
  missingWarn: false,
  fallbackWarn: false,
})

const loaded = new Set<Locale>(['zh-CN'])

/** Fetches a language's messages once; resolves when they can be used. */
export async function loadMessages(locale: Locale): Promise<void> {
  if (loaded.has(locale)) return
  const en = (await import('./en')).default
  i18n.global.setLocaleMessage('en', en)
  loaded.add(locale)
}

/** Translate outside a component (toasts fired from composables). */
export const t = i18n.global.t
