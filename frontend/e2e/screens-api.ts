// API setup for the screen tests: throwaway residents registered in the test
// itself (so closing an account or changing a preference never touches a
// shared demo login), and the demo community's id.

import { expect, type APIRequestContext } from '@playwright/test'
import { DEMO_COMMUNITY, freshPhone } from './fixtures'

export interface Throwaway {
  id: number
  phone: string
  name: string
  password: string
}

/** A run-unique suffix for names, so specs can run in any order on one server. */
export function stamp(): string {
  return `${Date.now() % 1e7}${Math.floor(Math.random() * 100)}`
}

/** The id of the seeded demo community, as anyone may list it for registering. */
export async function demoCommunityId(request: APIRequestContext): Promise<number> {
  const res = await request.get('/api/v1/register/communities')
  expect(res.status(), await res.text()).toBe(200)
  const item = ((await res.json()).items as { id: number; name: string }[]).find((c) => c.name === DEMO_COMMUNITY)
  expect(item, `${DEMO_COMMUNITY} is seeded`).toBeTruthy()
  return item!.id
}

/** Registers a new resident of the demo community (unverified) and returns the login. */
export async function registerResident(request: APIRequestContext, namePrefix = '临时居民'): Promise<Throwaway> {
  const cid = await demoCommunityId(request)
  const who = { phone: freshPhone(), name: `${namePrefix}${stamp()}`, password: `pw-${stamp()}` }
  const res = await request.post('/api/v1/auth/register', {
    headers: { 'Accept-Language': 'zh-CN' },
    data: { ...who, community_id: cid, privacy_consent: true },
  })
  expect(res.status(), await res.text()).toBe(201)
  const body = await res.json()
  return { id: body.user?.id ?? 0, ...who }
}

/** Logs in through the API with any password; returns the access token. */
export async function apiToken(request: APIRequestContext, phone: string, password: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { phone, password } })
  expect(res.status(), await res.text()).toBe(200)
  return (await res.json()).access_token
}

/** GET with a bearer token, expecting 200. */
export async function apiGet<T>(request: APIRequestContext, token: string, path: string, locale = 'zh-CN'): Promise<T> {
  const res = await request.get(`/api/v1${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'Accept-Language': locale },
  })
  expect(res.status(), `GET ${path}: ${await res.text()}`).toBe(200)
  return res.json() as Promise<T>
}

export interface ThrowawayCommunity {
  cid: number
  name: string
  /** An administrator of this community only, made for the test. */
  admin: Throwaway
}

/**
 * A community of its own, made by the demo superadmin through the API, with an
 * administrator who belongs to nothing else: a test may rename it, switch its
 * admin to English and so on without touching anything another spec uses.
 */
export async function throwawayCommunity(request: APIRequestContext, superToken: string): Promise<ThrowawayCommunity> {
  const run = stamp()
  const name = `测试社区${run}`
  const headers = { Authorization: `Bearer ${superToken}`, 'Accept-Language': 'zh-CN' }
  const created = await request.post('/api/v1/communities', {
    headers,
    data: { name, street: '测试街道', district: '测试区', city: '武汉市' },
  })
  expect(created.status(), await created.text()).toBe(201)
  const cid = (await created.json()).id as number
  const admin = { id: 0, phone: freshPhone(), name: `测试管理员${run}`, password: `pw-${run}` }
  const added = await request.post(`/api/v1/communities/${cid}/members`, {
    headers,
    data: { phone: admin.phone, name: admin.name, password: admin.password, roles: ['admin'] },
  })
  expect(added.status(), await added.text()).toBe(201)
  admin.id = (await added.json()).user_id
  return { cid, name, admin }
}
