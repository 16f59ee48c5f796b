// The server's operations status (GET /ops/backups), for the admin screen.

export interface BackupRun {
  started_at: string
  finished_at: string
  file: string
  size: number
  ok: boolean
  error?: string
}

export interface BackupStatus {
  scheduled: boolean
  every_seconds: number
  keep: number
  last: BackupRun | null
  last_attempt: BackupRun | null
  stale: boolean
}
