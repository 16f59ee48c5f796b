import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

// Browser tests drive Debian's Chromium (never a downloaded browser). Each
// launch gets a fresh temporary profile from Playwright. Without
// YYT_E2E_BASE_URL, global-setup.ts builds and starts a real server.
//
// The browser is Debian's chromium-headless-shell when it is installed (.ci/run installs it): the
// same Chromium build without the desktop browser around it, which is what Playwright itself runs
// for headless tests. On this 2-core machine it took a spec about a quarter less time than the
// full chromium in its headless mode. YYT_CHROMIUM names another binary.
const headlessShell = '/usr/lib/chromium/chromium-headless-shell'
const chromium = process.env.YYT_CHROMIUM ?? (existsSync(headlessShell) ? headlessShell : '/usr/bin/chromium')

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: './test-results',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  // Spec files are shared out among the workers; each worker has a server and data of its own
  // (fixtures.ts). One by default; YYT_E2E_WORKERS=2 runs two side by side.
  workers: Number(process.env.YYT_E2E_WORKERS ?? 1),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    // A failed test keeps a trace of its actions, network and DOM snapshots, without the
    // screencast: recording that took a fifth to a third of a spec's time on this 2-core machine
    // (vote-dot and phase-gating: 68-81 s with it, 54-61 s without it or with no trace, load 9-11).
    // `--trace on` on the command line records everything.
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
