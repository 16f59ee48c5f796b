import { createI18n } from 'vue-i18n'
import type { Locale } from '@/api/types'
import zhCN, { type Messages } from './zh-CN'
import en from './en'

export const LOCALES: readonly Locale[] = ['zh-CN', 'en']

export function isLocale(v: unknown): v is Locale {
  return v === 'zh-CN' || v === 'en'
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

/** Translate outside a component (toasts fired from composables). */
export const t = i18n.global.t
