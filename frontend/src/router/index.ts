import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { boot, useAuth } from '@/composables/useAuth'
import { setCurrentCommunity } from '@/composables/useCommunities'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in. */
    public?: boolean
    /** Only for people who are not logged in (login, register). */
    guestOnly?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, guestOnly: true },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('@/views/RegisterView.vue'),
    meta: { public: true, guestOnly: true },
  },
  { path: '/', name: 'home', component: () => import('@/views/HomeView.vue') },
  { path: '/me', name: 'me', component: () => import('@/views/MeView.vue') },
  {
    path: '/c/:cid(\\d+)',
    component: () => import('@/views/community/CommunityLayout.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
    children: [
      { path: '', redirect: (to) => `/c/${String(to.params.cid)}/members` },
      {
        path: 'places',
        name: 'places',
        component: () => import('@/views/community/PlacesView.vue'),
        props: (r) => ({ cid: Number(r.params.cid) }),
      },
      {
        path: 'places/:compoundId(\\d+)',
        name: 'compound',
        component: () => import('@/views/community/CompoundView.vue'),
        props: (r) => ({ cid: Number(r.params.cid), compoundId: Number(r.params.compoundId) }),
      },
      {
        path: 'members',
        name: 'members',
        component: () => import('@/views/community/MembersView.vue'),
        props: (r) => ({ cid: Number(r.params.cid) }),
      },
      {
        path: 'organizations',
        name: 'organizations',
        component: () => import('@/views/community/OrganizationsView.vue'),
        props: (r) => ({ cid: Number(r.params.cid) }),
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('@/views/community/SettingsView.vue'),
        props: (r) => ({ cid: Number(r.params.cid) }),
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { public: true },
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach(async (to) => {
  await boot()
  const auth = useAuth()
  if (!to.meta.public && !auth.loggedIn.value) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.guestOnly && auth.loggedIn.value) return { name: 'home' }
  if (to.params.cid) setCurrentCommunity(Number(to.params.cid))
  return true
})
