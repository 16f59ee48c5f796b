// Shapes of the committee's desk (docs/desk.md): the dashboard, the records
// behind a figure and the streets, aliases of the schemas generated from
// handlers/openapi.yaml.
import type { components } from './schema'

type Schemas = components['schemas']

export type Dashboard = Schemas['Dashboard']
export type DashRecord = Schemas['DashRecord']
export type DashRecordPage = Schemas['DashRecordPage']
export type Street = Schemas['Street']
export type StreetObserver = Schemas['StreetObserver']

export const RECORD_KINDS = ['cycles', 'topics', 'cards', 'meetings', 'resolutions', 'items', 'survey', 'claims', 'escalations'] as const
export type RecordKind = (typeof RECORD_KINDS)[number]

/** The range and compound of a dashboard request. */
export interface DashFilter {
  from: string
  to: string
  compound_id?: number
}
