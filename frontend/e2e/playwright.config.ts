import { defineConfig } from '@playwright/test'

// Browser tests drive Debian's Chromium (never a downloaded browser). Each
// launch gets a fresh temporary profile from Playwright. Without
// YYT_E2E_BASE_URL, global-setup.ts builds and starts a real server.
const chromium = process.env.YYT_CHROMIUM ?? '/usr/bin/chromium'

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
    trace: 'retain-on-failure',
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
