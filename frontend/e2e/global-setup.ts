// Starts a real Yueyuetan server for the browser tests unless
// YYT_E2E_BASE_URL already points at one: builds the UI and the embedding
// binary, seeds the demo data into a temporary folder, serves it on a free
// loopback port, waits for /readyz, and stops it all afterwards.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, rmSync, closeSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const frontendDir = resolve(here, '..')
const repoRoot = resolve(frontendDir, '..')

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env })
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`)
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => ok(port))
    })
  })
}

async function waitReady(url: string, child: ChildProcess, logFile: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`)
    }
    try {
      const res = await fetch(url)
      if (res.status === 200) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server not ready at ${url} within ${ms} ms:\n${readFileSync(logFile, 'utf8')}`)
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(killer)
      done()
    })
    child.kill('SIGTERM')
  })
}

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (process.env.YYT_E2E_BASE_URL) return

  if (process.env.YYT_E2E_SKIP_BUILD !== '1') run('npm', ['run', 'build'], frontendDir)
  const tmp = mkdtempSync(join(tmpdir(), 'yyt-e2e-'))
  const bin = join(tmp, 'yueyuetan')
  const dataDir = join(tmp, 'data')
  run('go', ['build', '-tags', 'embedui', '-o', bin, './server'], repoRoot)
  run(bin, ['seed', 'demo', '--data-dir', dataDir], repoRoot)
  // Specs that run a server of their own (a restart, a second instance) start this binary.
  process.env.YYT_E2E_BIN = bin

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
  try {
    await waitReady(`${base}/readyz`, child, logFile, 60_000)
  } catch (e) {
    await stop(child)
    throw e
  }
  process.env.YYT_E2E_BASE_URL = base

  return async () => {
    await stop(child)
    if (process.env.YYT_E2E_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true })
  }
}
