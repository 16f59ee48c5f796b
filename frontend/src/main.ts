import { createApp } from 'vue'
import 'vant/lib/index.css'
import './styles/theme.css'
import App from './App.vue'
import { configureClient } from './api/client'
import { dropSession } from './composables/useAuth'
import { notifyInfo } from './composables/useNotify'
import { applyStoredPrefs, currentLocale } from './composables/usePrefs'
import { i18n, t } from './i18n'
import { router } from './router'
import { installRowFocus } from './rowFocus'

applyStoredPrefs()
installRowFocus()

configureClient({
  locale: currentLocale,
  unauthorized: () => {
    dropSession()
    const here = router.currentRoute.value
    if (!here.meta.public) {
      notifyInfo(t('login.expired'))
      router.replace({ name: 'login', query: { redirect: here.fullPath } })
    }
  },
})

createApp(App).use(i18n).use(router).mount('#app')
