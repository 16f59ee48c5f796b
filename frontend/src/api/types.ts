// Shapes of the /api/v1 JSON as the server sends them (snake_case kept, so a
// field here can be searched for in the Go code and the OpenAPI file).

export type Locale = 'zh-CN' | 'en'

export const ROLES = [
  'resident',
  'grid_worker',
  'facilitator',
  'party_member',
  'committee',
  'admin',
] as const
export type Role = (typeof ROLES)[number]

export const ORGANIZATION_KINDS = [
  'property',
  'owners_committee',
  'self_governance',
  'district_department',
  'work_unit',
  'social_org',
] as const
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number]

export interface ListPage<T> {
  items: T[]
  next_cursor?: string | null
}

export interface User {
  id: number
  phone: string
  name: string
  locale?: Locale | '' | null
  large_text: boolean
  is_superadmin: boolean
  created_at: string
}

export interface Membership {
  community_id: number
  community_name: string
  roles: Role[]
  verified: boolean
  verified_at?: string | null
  compound_id?: number | null
  compound_name?: string | null
  building_name?: string | null
  household_id?: number | null
  household_room?: string | null
}

export interface Me {
  user: User
  memberships: Membership[]
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  user: User
}

export interface LoginRequest {
  phone: string
  password: string
}

export interface RegisterRequest {
  phone: string
  name: string
  password: string
  community_id: number
  compound_id?: number
  household_id?: number
  privacy_consent: true
}

export interface MePatch {
  name?: string
  locale?: Locale
  large_text?: boolean
}

export interface Community {
  id: number
  name: string
  street: string
  district: string
  city: string
}

export type CommunityInput = Omit<Community, 'id'>

export interface RegisterPlaces {
  compounds: {
    id: number
    name: string
    buildings: {
      id: number
      name: string
      households: { id: number; room: string }[]
    }[]
  }[]
}

export interface Compound {
  id: number
  name: string
  address?: string | null
  building_count: number
  household_count: number
}

export interface CompoundInput {
  name: string
  address?: string
}

export interface Building {
  id: number
  name: string
}

export interface Household {
  id: number
  building_id: number
  building_name: string
  room: string
  area: number
  owner_occupied: boolean
}

export interface HouseholdInput {
  building_id: number
  room: string
  area: number
  owner_occupied?: boolean
}

export interface Member {
  user_id: number
  name: string
  phone: string
  roles: Role[]
  verified: boolean
  verified_at?: string | null
  verified_by_name?: string | null
  compound_id?: number | null
  compound_name?: string | null
  building_name?: string | null
  household_id?: number | null
  household_room?: string | null
  skills?: string[] | null
  work_unit?: string | null
  organization_id?: number | null
  organization_name?: string | null
}

export interface MemberFilter {
  role?: Role | ''
  verified?: boolean
  q?: string
}

export interface MemberInput {
  phone: string
  name: string
  /** Initial password; the server needs it only when the phone has no account yet. */
  password?: string
  roles: Role[]
  compound_id?: number
  household_id?: number
}

export interface MemberPatch {
  roles?: Role[]
  verified?: boolean
  skills?: string[]
  work_unit?: string
  organization_id?: number | null
  compound_id?: number | null
  household_id?: number | null
}

export interface Organization {
  id: number
  name: string
  kind: OrganizationKind
}

export interface OrganizationInput {
  name: string
  kind: OrganizationKind
}

// RFC 9457 problem details with the project's two extra members.
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: Record<string, string>
}
