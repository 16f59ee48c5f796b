// Shapes of the resolutions (决议) and owners' register (业主名册) JSON, aliases of the schemas
// generated from handlers/openapi.yaml (see types.ts); the polls they refer to are in types.ts.
import type { components } from './schema'

type Schemas = components['schemas']

/** How a round table's resolution stands (docs/domain.md "The monthly cycle", the first steps). */
export type ResolutionStatus = Schemas['ResolutionStatus']

/**
 * What decides a resolution: the round table's consultation (协商), or the
 * owners under Civil Code art. 278 by a double majority or by double three
 * quarters.
 */
export const RESOLUTION_CATEGORIES = ['ordinary', 'civil_code_278_ordinary', 'civil_code_278_major'] as const satisfies readonly ResolutionCategory[]
export type ResolutionCategory = Schemas['ResolutionCategory']

/** The matters Civil Code art. 278 reserves to the owners, in the API's order. */
export const MATTERS_278 = [
  'rules_of_procedure',
  'management_covenant',
  'owners_committee',
  'property_service',
  'maintenance_fund_use',
  'maintenance_fund_raise',
  'rebuilding',
  'common_parts_use',
  'elevator_retrofit',
  'other_major_matter',
] as const satisfies readonly Matter278[]
export type Matter278 = Schemas['Matter278']

/** The rule each matter is decided under (models.MatterCategory). */
export const MATTER_CATEGORY: Record<Matter278, Exclude<ResolutionCategory, 'ordinary'>> = {
  rules_of_procedure: 'civil_code_278_ordinary',
  management_covenant: 'civil_code_278_ordinary',
  owners_committee: 'civil_code_278_ordinary',
  property_service: 'civil_code_278_ordinary',
  maintenance_fund_use: 'civil_code_278_ordinary',
  other_major_matter: 'civil_code_278_ordinary',
  maintenance_fund_raise: 'civil_code_278_major',
  rebuilding: 'civil_code_278_major',
  common_parts_use: 'civil_code_278_major',
  elevator_retrofit: 'civil_code_278_major',
}

/** The longest resolution title and text, in characters. */
export const RESOLUTION_TITLE_MAX = 100
export const RESOLUTION_TEXT_MAX = 5000

/** The owners' decision on a 278 matter: an owners' poll, or the official platform's result. */
export type OwnersDecision = Schemas['OwnersDecision']

/** One signature (签字); names only for facilitators, admins and the committee. */
export type Signature = Schemas['Signature']

export type Resolution = Schemas['Resolution']

export type ResolutionInput = Schemas['DraftResolutionRequest']

/** An owners' vote as the city's official e-voting platform published it; areas in m². */
export type OfficialResultInput = Schemas['OfficialResultRequest']

export type OwnersDecisionInput = Schemas['OwnersDecisionRequest']

/** {} signs for oneself; a facilitator signs in an attendee by user id or a walk-in by name. */
export type SignInput = Schemas['SignResolutionRequest']

/** Who owns a unit, as admins and facilitators see it. */
export type UnitOwner = Schemas['UnitOwner']

export type RegisterUnit = Schemas['RegisterUnit']

/** GET /compounds/:id/owners: a compound's (or one building's) owners' register. */
export type OwnerRegister = Schemas['OwnerRegister']

/** PUT /households/:id/owner: exactly one of the three. */
export type OwnerInput = Schemas['SetOwnerRequest']
