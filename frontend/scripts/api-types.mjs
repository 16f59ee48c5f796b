#!/usr/bin/env node
// The UI's API types come from the server's contract, handlers/openapi.yaml, through
// openapi-typescript: `npm run api:types` writes src/api/schema.d.ts (checked in);
// `npm run api:check` regenerates it into a temporary file and fails when the checked-in one
// differs, so CI catches a contract change whose types were not regenerated.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const spec = resolve(frontendDir, '..', 'handlers', 'openapi.yaml')
const target = join(frontendDir, 'src', 'api', 'schema.d.ts')
const cli = join(frontendDir, 'node_modules', 'openapi-typescript', 'bin', 'cli.js')

function generate(out) {
  const r = spawnSync(process.execPath, [cli, spec, '--output', out], { cwd: frontendDir, stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (process.argv[2] === '--check') {
  const tmp = mkdtempSync(join(tmpdir(), 'yyt-api-'))
  try {
    const fresh = join(tmp, 'schema.d.ts')
    generate(fresh)
    let current = ''
    try {
      current = readFileSync(target, 'utf8')
    } catch {
      // Missing counts as stale.
    }
    if (readFileSync(fresh, 'utf8') !== current) {
      console.error('frontend/src/api/schema.d.ts is not what handlers/openapi.yaml generates: run `npm run api:types` in frontend/ and commit it.')
      process.exit(1)
    }
    console.log('frontend/src/api/schema.d.ts matches handlers/openapi.yaml')
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
} else {
  generate(target)
  console.log(`wrote ${target}`)
}
