import { createRouter, createWebHistory, START_LOCATION, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { boot, useAuth } from '@/composables/useAuth'
import { setCurrentCommunity } from '@/composables/useCommunities'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in. */
    public?: boolean
    /** Only for people who are not logged in (login, register). */
    guestOnly?: boolean
    /** Full screen without the app's top bar and bottom nav (the wall). */
    bare?: boolean
  }
}

const cycleProps = (r: RouteLocationNormalized) => ({ cid: Number(r.params.cid), cycleId: Number(r.params.cycleId) })

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
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('@/views/ForgotPasswordView.vue'),
    meta: { public: true, guestOnly: true },
  },
  { path: '/', name: 'home', component: () => import('@/views/HomeView.vue') },
  { path: '/me', name: 'me', component: () => import('@/views/MeView.vue') },
  // A resident's screens of one cycle (phone first).
  {
    path: '/cycles/:id(\\d+)/topics',
    name: 'topics',
    component: () => import('@/views/cycle/TopicsView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/cycles/:id(\\d+)/topics/new',
    name: 'topic-new',
    component: () => import('@/views/cycle/TopicNewView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/cycles/:id(\\d+)/cards',
    name: 'cards',
    component: () => import('@/views/cycle/CardsView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/cycles/:id(\\d+)/cards/new',
    name: 'card-new',
    component: () => import('@/views/cycle/CardNewView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/cycles/:id(\\d+)/my-cards',
    name: 'my-cards',
    component: () => import('@/views/cycle/MyCardsView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  // In the meeting: sign in with the 6-digit code (the wall's QR adds ?code=), then follow it.
  { path: '/join', name: 'join', component: () => import('@/views/meeting/JoinView.vue') },
  {
    path: '/meetings/:id(\\d+)',
    name: 'meeting',
    component: () => import('@/views/meeting/MeetingView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/resolutions/:id(\\d+)',
    name: 'resolution',
    component: () => import('@/views/resolution/ResolutionView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  // The follow-through (docs/follow-through.md): an item, my items, items I can claim.
  {
    path: '/items/:id(\\d+)',
    name: 'item',
    component: () => import('@/views/follow/ItemView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  { path: '/me/items', name: 'my-items', component: () => import('@/views/follow/MyItemsView.vue') },
  { path: '/inbox', name: 'inbox', component: () => import('@/views/notify/InboxView.vue') },
  {
    path: '/claimable/:cid(\\d+)',
    name: 'claimable',
    component: () => import('@/views/follow/ClaimableView.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
  },
  {
    path: '/cards/:id(\\d+)',
    name: 'card',
    component: () => import('@/views/cycle/CardView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  {
    path: '/c/:cid(\\d+)',
    component: () => import('@/views/community/CommunityLayout.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
    children: [
      { path: '', redirect: (to) => `/c/${String(to.params.cid)}/cycles` },
      {
        path: 'cycles',
        name: 'cycles',
        component: () => import('@/views/community/cycle/CyclesView.vue'),
        props: (r) => ({ cid: Number(r.params.cid) }),
      },
      {
        path: 'cycles/:cycleId(\\d+)',
        component: () => import('@/views/community/cycle/CycleLayout.vue'),
        props: cycleProps,
        children: [
          {
            path: '',
            name: 'cycle-board',
            component: () => import('@/views/community/cycle/CycleBoardView.vue'),
            props: cycleProps,
          },
          {
            path: 'topics',
            name: 'cycle-topics',
            component: () => import('@/views/community/cycle/TopicTriageView.vue'),
            props: cycleProps,
          },
          {
            path: 'entry',
            name: 'cycle-entry',
            component: () => import('@/views/community/cycle/CardEntryView.vue'),
            props: cycleProps,
          },
          {
            path: 'moderation',
            name: 'cycle-moderation',
            component: () => import('@/views/community/cycle/ModerationView.vue'),
            props: cycleProps,
          },
          {
            path: 'resolutions',
            name: 'cycle-resolutions',
            component: () => import('@/views/community/cycle/ResolutionsView.vue'),
            props: cycleProps,
          },
        ],
      },
      {
        path: 'meetings/:meetingId(\\d+)',
        name: 'meeting-console',
        component: () => import('@/views/community/cycle/MeetingConsoleView.vue'),
        props: (r) => ({ cid: Number(r.params.cid), meetingId: Number(r.params.meetingId) }),
      },
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
  // The meeting's wall on the projector: no login, the display token is the capability.
  {
    path: '/display/:token',
    name: 'display',
    component: () => import('@/views/display/DisplayView.vue'),
    props: (r) => ({ token: String(r.params.token) }),
    meta: { public: true, bare: true },
  },
  // ---- desk ----
  {
    path: '/desk/:cid(\\d+)',
    name: 'desk',
    component: () => import('@/views/desk/DashboardView.vue'),
    props: (r) => ({ cid: Number(r.params.cid), from: r.query.from, to: r.query.to }),
  },
  { path: '/streets', name: 'desk-streets', component: () => import('@/views/desk/StreetsView.vue') },
  {
    path: '/street/:sid(\\d+)',
    name: 'desk-street',
    component: () => import('@/views/desk/DashboardView.vue'),
    props: (r) => ({ sid: Number(r.params.sid), from: r.query.from, to: r.query.to }),
  },
  // (end desk)

  // ---- ledger ----
  // Ledgers and archives for the committee and admins; the public board (no login, a lobby screen).
  {
    path: '/ledgers/:cid(\\d+)',
    name: 'ledgers',
    component: () => import('@/views/ledger/LedgersView.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
  },
  {
    path: '/board/:cid(\\d+)',
    name: 'board',
    component: () => import('@/views/ledger/BoardView.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
    meta: { public: true, bare: true },
  },
  // (end ledger)

  // ---- follow ----
  {
    path: '/audit/:cid(\\d+)',
    name: 'audit',
    component: () => import('@/views/audit/AuditView.vue'),
    props: (r) => ({ cid: Number(r.params.cid) }),
  },
  {
    path: '/resolutions/:id(\\d+)/story',
    name: 'resolution-story',
    component: () => import('@/views/audit/StoryView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
  },
  // (end follow)

  // ---- paper ----
  // Printables (docs/paper.md "Printables"): A4 pages without the app's chrome, for signed-in staff
  // and members; each reads through the API what its reader may see.
  ...(
    [
      ['meetings', 'notice', () => import('@/views/print/NoticePrint.vue')],
      ['meetings', 'sign-in', () => import('@/views/print/SignInPrint.vue')],
      ['meetings', 'minutes', () => import('@/views/print/MinutesPrint.vue')],
      ['cycles', 'card-form', () => import('@/views/print/CardFormPrint.vue')],
      ['polls', 'ballots', () => import('@/views/print/BallotsPrint.vue')],
      ['resolutions', 'posted', () => import('@/views/print/ResolutionPrint.vue')],
    ] as const
  ).map(
    ([kind, what, component]): RouteRecordRaw => ({
      path: `/print/${kind}/:id(\\d+)/${what}`,
      name: `print-${kind}-${what}`,
      component,
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { bare: true },
    }),
  ),
  // (end paper)

  // ---- wall ----
  // (end wall)

  // ---- phone ----
  // (end phone)

  // ---- notice ----
  // A meeting's public notice (docs/paper.md "The public notice"): no login, for the owners' WeChat group.
  {
    path: '/notice/:id(\\d+)',
    name: 'notice',
    component: () => import('@/views/notice/NoticeView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
    meta: { public: true, bare: true },
  },
  // (end notice)

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
  // A page just opened is at the top already: scrolling there would only force a layout of the
  // page in the middle of its first render (docs/phone.md). A reload still returns to where it was.
  scrollBehavior: (_to, from, saved) => saved ?? (from === START_LOCATION ? false : { top: 0 }),
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
