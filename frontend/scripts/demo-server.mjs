// A real Yueyuetan server with the demo data for the measuring scripts (npm run lighthouse,
// npm run phonebench): builds the UI (unless YYT_SKIP_BUILD=1 or the caller's own variable says
// so) and the embedding binary, seeds the demo data into a temporary folder and serves it on a
// free loopback port until stop().

import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(frontendDir, '..')

export function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`)
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

/** Builds (unless skipBuild), seeds and serves; resolves once /readyz answers 200. */
export async function startDemoServer({ skipBuild = false } = {}) {
  if (!skipBuild) run('npm', ['run', 'build'], frontendDir)
  const tmp = mkdtempSync(join(tmpdir(), 'yyt-demo-'))
  const bin = join(tmp, 'yueyuetan')
  const dataDir = join(tmp, 'data')
  run('go', ['build', '-tags', 'embedui', '-o', bin, './server'], repoRoot)
  run(bin, ['seed', 'demo', '--data-dir', dataDir], repoRoot)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const logFile = join(tmp, 'server.log')
  const log = openSync(logFile, 'a')
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    cwd: tmp,
    stdio: ['ignore', log, log],
    env: { ...process.env, YYT_BASE_URL: base },
  })
  closeSync(log)
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${readFileSync(logFile, 'utf8')}`)
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`server not ready:\n${readFileSync(logFile, 'utf8')}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    base,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}
