// A server of a spec's own: the binary global-setup built (YYT_E2E_BIN; built
// here when the tests run against an outside server), on its own data folder
// seeded with the demo data and its own loopback port, so a spec can stop and
// start it — a restart keeps the port and the data.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: process.env })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`)
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

export class OwnServer {
  private child: ChildProcess | null = null

  private constructor(
    private readonly tmp: string,
    private readonly bin: string,
    private readonly dataDir: string,
    private readonly logFile: string,
    readonly port: number,
  ) {}

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** A seeded data folder and a free port; not started yet. */
  static async create(): Promise<OwnServer> {
    const tmp = mkdtempSync(join(tmpdir(), 'yyt-own-'))
    let bin = process.env.YYT_E2E_BIN ?? ''
    if (!bin) {
      bin = join(tmp, 'yueyuetan')
      run('go', ['build', '-tags', 'embedui', '-o', bin, './server'])
    }
    const dataDir = join(tmp, 'data')
    run(bin, ['seed', 'demo', '--data-dir', dataDir])
    return new OwnServer(tmp, bin, dataDir, join(tmp, 'server.log'), await freePort())
  }

  /** Starts the server and waits until /readyz answers. */
  async start(): Promise<void> {
    const log = openSync(this.logFile, 'a')
    const child = spawn(this.bin, ['serve', '--addr', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir], {
      cwd: this.tmp,
      stdio: ['ignore', log, log],
      env: { ...process.env, YYT_BASE_URL: this.baseURL },
    })
    closeSync(log)
    this.child = child
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${readFileSync(this.logFile, 'utf8')}`)
      try {
        if ((await fetch(`${this.baseURL}/readyz`)).status === 200) return
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`server not ready within 30 s:\n${readFileSync(this.logFile, 'utf8')}`)
  }

  /** Stops the server (SIGTERM, as an operator would) and waits for it to exit. */
  stop(): Promise<void> {
    const child = this.child
    this.child = null
    return new Promise((done) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return done()
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', () => {
        clearTimeout(killer)
        done()
      })
      child.kill('SIGTERM')
    })
  }

  /** Stops it and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop()
    if (process.env.YYT_E2E_KEEP_TMP !== '1') rmSync(this.tmp, { recursive: true, force: true })
  }
}
