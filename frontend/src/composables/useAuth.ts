// The session: who is logged in, their memberships, and what they may do in
// each community. One shared state for the whole app.

import { computed, reactive } from 'vue'
import { api, hasAccessToken, mayHaveSession, refreshSession, setAccessToken } from '@/api/client'
import type {
  LoginRequest,
  Me,
  MePatch,
  Membership,
  RegisterRequest,
  Role,
  TokenResponse,
  User,
} from '@/api/types'
import { applyUserPrefs, usePrefs } from './usePrefs'

const state = reactive({
  me: null as Me | null,
  /** True once boot() has settled, logged in or not. */
  ready: false,
})

let booting: Promise<void> | null = null

async function loadMe(): Promise<Me> {
  const me = await api.get<Me>('/me')
  state.me = me
  return me
}

function clear(): void {
  setAccessToken(null)
  state.me = null
}

/**
 * Restores a session on page load: the token kept in sessionStorage, or
 * else the refresh cookie. Safe to call many times; runs once.
 */
export function boot(): Promise<void> {
  if (!booting) {
    booting = (async () => {
      try {
        if (hasAccessToken()) await loadMe()
        else if (mayHaveSession()) {
          // One round trip: the refresh answers the memberships too (GET /me only if it did not).
          let me: Me | null = null
          const ok = await refreshSession((t) => {
            if (t.memberships) me = { user: t.user, memberships: t.memberships }
          })
          if (ok) {
            if (me) state.me = me
            else await loadMe()
          }
        }
      } catch {
        clear()
      } finally {
        state.ready = true
      }
    })()
  }
  return booting
}

/** Forget the session locally, e.g. when a refresh failed. */
export function dropSession(): void {
  clear()
}

function rolesOf(m: Membership | undefined): Role[] {
  return m?.roles ?? []
}

export function useAuth() {
  const user = computed<User | null>(() => state.me?.user ?? null)
  const memberships = computed<Membership[]>(() => state.me?.memberships ?? [])
  const isSuperadmin = computed(() => !!user.value?.is_superadmin)

  function membership(cid: number): Membership | undefined {
    return memberships.value.find((m) => m.community_id === cid)
  }

  function hasRole(cid: number, ...roles: Role[]): boolean {
    return rolesOf(membership(cid)).some((r) => roles.includes(r))
  }

  return {
    ready: computed(() => state.ready),
    loggedIn: computed(() => state.me !== null),
    user,
    memberships,
    isSuperadmin,
    membership,
    /** Compounds, households, members' roles, organizations. */
    canManage: (cid: number) => isSuperadmin.value || hasRole(cid, 'admin'),
    /** 实名核验. */
    canVerify: (cid: number) => isSuperadmin.value || hasRole(cid, 'admin', 'grid_worker'),
    /** May open the community's admin screens (committee reads only). */
    canOpenAdmin: (cid: number) =>
      isSuperadmin.value || hasRole(cid, 'admin', 'grid_worker', 'facilitator', 'committee'),
    /** Runs the monthly cycle: opens it, moves its phase, triages topics, moderates cards. */
    canFacilitate: (cid: number) => isSuperadmin.value || hasRole(cid, 'admin', 'facilitator'),
    /** Types in what residents said offline: topics from visits and hotlines, paper cards. */
    canEnterOffline: (cid: number) => isSuperadmin.value || hasRole(cid, 'admin', 'facilitator', 'grid_worker'),
    /** Sees the moderation queue (the committee reads it, facilitators act on it). */
    canSeeModeration: (cid: number) => isSuperadmin.value || hasRole(cid, 'admin', 'facilitator', 'committee'),
    /**
     * May propose, endorse and write cards as themselves: a verified member,
     * or staff (the server waives verification for them).
     */
    canTakePart: (cid: number) =>
      isSuperadmin.value || !!membership(cid)?.verified || hasRole(cid, 'admin', 'facilitator', 'grid_worker'),

    async login(req: LoginRequest): Promise<void> {
      const t = await api.post<TokenResponse>('/auth/login', req, { auth: false })
      setAccessToken(t.access_token)
      applyUserPrefs(t.user)
      await loadMe()
    },

    async register(req: RegisterRequest): Promise<void> {
      const t = await api.post<TokenResponse>('/auth/register', req, { auth: false })
      setAccessToken(t.access_token)
      // Keep the language and text size chosen while registering.
      const wanted = usePrefs().snapshot()
      if (wanted.locale !== t.user.locale || wanted.large_text !== t.user.large_text) {
        await api.patch<User>('/me', wanted).catch(() => undefined)
      }
      await loadMe()
    },

    async logout(): Promise<void> {
      try {
        await api.post<void>('/auth/logout')
      } finally {
        clear()
      }
    },

    reload: loadMe,

    async updateMe(patch: MePatch): Promise<User> {
      const u = await api.patch<User>('/me', patch)
      if (state.me) state.me.user = u
      return u
    },

    /** Everything the server holds about me, as parsed JSON. */
    exportData(): Promise<unknown> {
      return api.get<unknown>('/me/export')
    },

    async closeAccount(password: string): Promise<void> {
      await api.post<void>('/me/close', { password })
      clear()
    },
  }
}
