import { createApp } from 'vue'
// Vant's styles for the components the UI uses (not the whole library's 170 KB,
// all render-blocking): add a line here when a new Vant component comes in.
import 'vant/es/button/style/index.mjs'
import 'vant/es/cell/style/index.mjs'
import 'vant/es/cell-group/style/index.mjs'
import 'vant/es/checkbox/style/index.mjs'
import 'vant/es/checkbox-group/style/index.mjs'
import 'vant/es/dialog/style/index.mjs'
import 'vant/es/empty/style/index.mjs'
import 'vant/es/field/style/index.mjs'
import 'vant/es/form/style/index.mjs'
import 'vant/es/icon/style/index.mjs'
import 'vant/es/loading/style/index.mjs'
import 'vant/es/popup/style/index.mjs'
import 'vant/es/radio/style/index.mjs'
import 'vant/es/radio-group/style/index.mjs'
import 'vant/es/search/style/index.mjs'
import 'vant/es/stepper/style/index.mjs'
import 'vant/es/switch/style/index.mjs'
import 'vant/es/tab/style/index.mjs'
import 'vant/es/tabbar/style/index.mjs'
import 'vant/es/tabbar-item/style/index.mjs'
import 'vant/es/tabs/style/index.mjs'
import 'vant/es/tag/style/index.mjs'
import 'vant/es/toast/style/index.mjs'
import 'vant/es/image-preview/style/index.mjs'
import './styles/theme.css'
import App from './App.vue'
import { configureClient } from './api/client'
import { dropSession } from './composables/useAuth'
import { notifyInfo } from './composables/useNotify'
import { applyStoredPrefs, currentLocale } from './composables/usePrefs'
import { i18n, t } from './i18n'
import { router } from './router'
import { installRowFocus } from './rowFocus'

const prefsApplied = applyStoredPrefs()
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

// Fetch the landing page's view (and its chunks) while the session is being restored rather
// than after: the router loads a lazy view only once its guards have run.
for (const record of router.resolve(location.pathname).matched) {
  const view = record.components?.default
  if (typeof view === 'function') void (view as () => Promise<unknown>)().catch(() => undefined)
}

// Chinese is there at once; a browser that chose English waits for its messages, so the first
// screen is not drawn in the wrong language.
// The mount is a task of its own, after the one that evaluated the bundle: the browser can run
// early.js's answers and input in between instead of after one long task.
void prefsApplied
  .then(() => new Promise((resolve) => setTimeout(resolve, 0)))
  .then(() => createApp(App).use(i18n).use(router).mount('#app'))
