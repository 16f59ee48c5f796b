// The one place that talks HTTP to the server: base path, language header,
// bearer token, the single refresh-and-retry on 401, and problem+json errors.

import type { Locale, Problem, TokenResponse } from './types'
import { RECONNECT_GIVE_UP_MS, beginWaiting, reconnectDelay } from './reconnect'

export const API_BASE = '/api/v1'
const TOKEN_KEY = 'yyt.access_token'
// Set while this browser holds a refresh cookie we cannot read (httpOnly), so
// a first visit does not knock on /auth/refresh for nothing.
const SESSION_HINT_KEY = 'yyt.session'

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }

  /** Field → message, already in the user's language. */
  get fieldErrors(): Record<string, string> {
    return this.problem.errors ?? {}
  }

  get code(): string | undefined {
    return this.problem.code
  }
}

interface ClientHooks {
  locale: () => Locale
  /** Called when the session is gone and a refresh did not bring it back. */
  unauthorized: () => void
}

const hooks: ClientHooks = {
  locale: () => 'zh-CN',
  unauthorized: () => {},
}

export function configureClient(h: Partial<ClientHooks>): void {
  Object.assign(hooks, h)
}

let accessToken: string | null = readStoredToken()

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setAccessToken(token: string | null): void {
  if (!token) dropEarly()
  accessToken = token
  try {
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token)
      localStorage.setItem(SESSION_HINT_KEY, '1')
    } else {
      sessionStorage.removeItem(TOKEN_KEY)
      localStorage.removeItem(SESSION_HINT_KEY)
    }
  } catch {
    // Private mode in some in-app browsers refuses storage; memory is enough.
  }
}

/** The bearer token, for the few calls that cannot go through request() (streams). */
export function getAccessToken(): string | null {
  return accessToken
}

export function hasAccessToken(): boolean {
  return accessToken !== null
}

/** Whether a refresh cookie may exist: this browser logged in and did not log out. */
export function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT_KEY) === '1'
  } catch {
    return true
  }
}

type Query = Record<string, string | number | boolean | undefined | null>

export interface RequestOptions {
  body?: unknown
  /** A multipart body (photo uploads), sent as is with the browser's own Content-Type. */
  form?: FormData
  query?: Query
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean
  headers?: Record<string, string>
}

function buildUrl(path: string, query?: Query): string {
  let url = API_BASE + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    }
    const s = qs.toString()
    if (s) url += '?' + s
  }
  return url
}

/** The answers public/early.js asked for while the app was downloading (the home's data), by path. */
interface EarlyWindow {
  __yytEarly?: Record<string, Promise<Response> | null>
  __yytEarlyAt?: number
}

/** One early answer is used at most once, within a minute of the page's load, and only until the first change. */
const EARLY_MAX_AGE_MS = 60_000

function dropEarly(): void {
  ;(window as EarlyWindow).__yytEarly = undefined
}

/** The answer public/early.js already asked for this plain GET, if any (taken once). */
function takeEarly(method: string, path: string, opts: RequestOptions): Promise<Response> | undefined {
  const w = window as EarlyWindow
  if (!w.__yytEarly) return undefined
  if (method !== 'GET') {
    // Something changes: what was read before may no longer be so.
    dropEarly()
    return undefined
  }
  if (opts.query || opts.auth === false || Date.now() - (w.__yytEarlyAt ?? 0) > EARLY_MAX_AGE_MS) return undefined
  const p = w.__yytEarly[path]
  // Taken (or asked for here first): early.js does not ask for it after this.
  w.__yytEarly[path] = null
  return p ?? undefined
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const early = takeEarly(method, path, opts)
  if (early) {
    try {
      return await early
    } catch {
      // It failed on the way: ask again below.
    }
  }
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': hooks.locale(),
    ...opts.headers,
  }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (opts.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`
  try {
    return await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    })
  } catch {
    throw new ApiError(0, { code: 'network' })
  }
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '')
  if (text) {
    try {
      const p = JSON.parse(text) as Problem
      if (p && typeof p === 'object') return { status: res.status, ...p }
    } catch {
      // A proxy's HTML error page: fall through to the bare status.
    }
  }
  return { status: res.status }
}

async function decode<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

let refreshing: Promise<boolean> | null = null

/**
 * Trades the httpOnly refresh cookie for a new access token. Concurrent
 * callers share one request so a burst of 401s refreshes once. `withMe`
 * (restoring a session on page load) asks for the memberships too and hands
 * the answer to it, saving the round trip of GET /me (docs/phone.md).
 */
export function refreshSession(withMe?: (t: TokenResponse) => void): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        // The page's first script (public/early.js) may have sent this refresh already: take its
        // answer, and mark the window so that script never sends one of its own after ours.
        const w = window as { __yytEarlyRefresh?: Promise<Response>; __yytBooted?: boolean }
        const early = w.__yytEarlyRefresh
        w.__yytBooted = true
        w.__yytEarlyRefresh = undefined
        const res = early
          ? await early
          : await send('POST', '/auth/refresh', { auth: false, query: withMe ? { include: 'memberships' } : undefined })
        if (!res.ok) {
          setAccessToken(null)
          return false
        }
        const t = await decode<TokenResponse>(res)
        setAccessToken(t.access_token)
        withMe?.(t)
        return true
      } catch {
        return false
      } finally {
        refreshing = null
      }
    })()
  }
  return refreshing
}

/**
 * The server's answer, tried again while it says its database is out (503 `unavailable`:
 * nothing was changed), for up to a minute, with "正在重新连接…" shown meanwhile.
 */
async function sendThroughOutage(method: string, path: string, opts: RequestOptions): Promise<Response> {
  let res = await send(method, path, opts)
  if (res.status !== 503) return res
  const started = Date.now()
  let done: (() => void) | null = null
  try {
    for (let attempt = 1; res.status === 503; attempt++) {
      const p = await problemOf(res.clone())
      if (p.code !== 'unavailable') break
      const wait = reconnectDelay(attempt, Number(res.headers.get('Retry-After')) || null)
      if (Date.now() - started + wait > RECONNECT_GIVE_UP_MS) break
      done ??= beginWaiting()
      await new Promise((r) => setTimeout(r, wait))
      res = await send(method, path, opts)
    }
  } finally {
    done?.()
  }
  return res
}

/** The successful response itself, after the one refresh-and-retry on 401. */
async function respond(method: string, path: string, opts: RequestOptions): Promise<Response> {
  let res = await sendThroughOutage(method, path, opts)
  const mayRefresh = opts.auth !== false && !path.startsWith('/auth/')
  if (res.status === 401 && mayRefresh) {
    if (await refreshSession()) {
      res = await sendThroughOutage(method, path, opts)
    }
    if (res.status === 401) {
      setAccessToken(null)
      hooks.unauthorized()
    }
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res))
  return res
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  return decode<T>(await respond(method, path, opts))
}

/**
 * A protected file (a card photo) as a Blob. An <img src> cannot send the
 * bearer token, so pictures are fetched here and shown through object URLs.
 * Accepts the server's own URLs, which start with the API base.
 */
/** The ApiError of a response that is not ok, with its problem+json body when it has one. */
export async function errorOf(res: Response): Promise<ApiError> {
  let p: Problem = { status: res.status }
  try {
    p = { status: res.status, ...((await res.json()) as Problem) }
  } catch {
    // not problem+json
  }
  return new ApiError(res.status, p)
}

/** A GET of a public route, with no login: the public board, a meeting's notice. */
export async function publicGet<T>(path: string, locale: Locale): Promise<T> {
  const res = await fetch(API_BASE + path, {
    headers: { Accept: 'application/json', 'Accept-Language': locale },
  }).catch(() => {
    throw new ApiError(0, { code: 'network' })
  })
  if (!res.ok) throw await errorOf(res)
  return (await res.json()) as T
}

export async function fetchBlob(url: string): Promise<Blob> {
  const path = url.startsWith(API_BASE + '/') ? url.slice(API_BASE.length) : url
  const res = await respond('GET', path, { headers: { Accept: 'image/*, application/problem+json' } })
  try {
    return await res.blob()
  } catch {
    throw new ApiError(0, { code: 'network' })
  }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) =>
    request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
  upload: <T>(path: string, form: FormData, opts?: RequestOptions) =>
    request<T>('POST', path, { ...opts, form }),
}

/**
 * A fresh key for one submit attempt (Idempotency-Key). crypto.randomUUID
 * exists only on https pages; getRandomValues works everywhere.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
