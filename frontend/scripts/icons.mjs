#!/usr/bin/env node
// Draws the installable app's PNG icons (public/icons/) from public/favicon.svg with Chromium:
// 192 and 512 px for the manifest, a maskable 512 px with the safe-zone padding Android crops
// to, and the 180 px apple-touch-icon. Run once after changing the logo: node scripts/icons.mjs

import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { frontendDir } from './demo-server.mjs'

const svg = readFileSync(join(frontendDir, 'public', 'favicon.svg'), 'utf8')
const out = join(frontendDir, 'public', 'icons')
mkdirSync(out, { recursive: true })
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage()
const icons = [
  { file: 'icon-192.png', size: 192, pad: 0 },
  { file: 'icon-512.png', size: 512, pad: 0 },
  { file: 'icon-maskable-512.png', size: 512, pad: 0.1 },
  { file: 'apple-touch-icon.png', size: 180, pad: 0 },
]
for (const { file, size, pad } of icons) {
  await page.setViewportSize({ width: size, height: size })
  const inner = Math.round(size * (1 - 2 * pad))
  const bg = pad ? '#c8102e' : 'transparent'
  await page.setContent(
    `<html><body style="margin:0;background:${bg};display:grid;place-items:center;width:${size}px;height:${size}px">` +
      `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
  )
  await page.screenshot({ path: join(out, file), omitBackground: !pad })
}
await browser.close()
console.log(`wrote ${icons.map((i) => i.file).join(', ')} into ${out}`)
