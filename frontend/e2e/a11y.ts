// Accessibility checks for the browser tests: axe-core's WCAG 2.1 A/AA rules,
// and the figures 长辈版 promises (text ≥ 18 px, wrapped text with a line
// height ≥ 1.3, tap targets ≥ 60×60 CSS px as tapped), measured in the page.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect, type Page } from '@playwright/test'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** The WCAG 2.0 and 2.1 level A and AA rules; nothing else is switched on or off. */
const WCAG21AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

export const ELDER = { minText: 18, minLineHeight: 1.3, minTarget: 60 } as const

/** Waits until no toast, dialog animation or popup transition is on its way. */
export async function settle(page: Page): Promise<void> {
  await expect(page.locator('.van-toast:visible')).toHaveCount(0, { timeout: 8_000 })
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const quiet = () => document.getAnimations().every((a) => a.playState !== 'running')
        const wait = (n: number) => (quiet() || n === 0 ? done() : setTimeout(() => wait(n - 1), 50))
        wait(60)
      }),
  )
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on the page as it is and returns one
 * line per serious or critical violation (rule, impact, the elements hit).
 */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  await settle(page)
  // Evaluated through the debugging protocol: the page's CSP (script-src 'self') rightly refuses an inline tag.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async (tags) => {
    const w = window as unknown as {
      axe: {
        run: (
          ctx: Document,
          opts: object,
        ) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>
      }
    }
    const result = await w.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }))
  }, WCAG21AA)
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.slice(0, 5).join(', ')}`)
}

interface Probe {
  /** Which control, for the report. */
  what: string
  /** The area that should take the tap, in viewport coordinates after scrolling it into view. */
  box: { x: number; y: number; width: number; height: number }
  points: { x: number; y: number }[]
}

/**
 * Measures the 长辈版 figures under `root` (the whole page by default) and
 * returns one line per shortfall:
 * - every visible text (and every text box) at least 18 px;
 * - every text that wraps onto more lines with a line pitch of at least 1.3
 *   times its font size, measured between the lines as laid out;
 * - every control at least 60×60 CSS px, and a tap near each of its edges and
 *   corners reaches it: buttons, links, switches and options are hit-tested
 *   where the tap lands; a text box's row is really tapped, and the text box
 *   must then have the focus.
 */
export async function elderShortfalls(page: Page, where: string, root = 'body'): Promise<string[]> {
  await settle(page)
  const found = await page.evaluate(
    ({ root, min }) => {
      const problems: string[] = []
      const scope = document.querySelector(root)
      if (!scope) return { problems: [`no ${root}`], inputs: [] as Probe[] }

      const describe = (el: Element): string => {
        const tagged = el.closest('[data-testid]')
        const name = (el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? '').trim().replace(/\s+/g, ' ')
        const cls = typeof el.className === 'string' ? el.className.split(' ')[0] : ''
        return `<${el.tagName.toLowerCase()}${cls ? '.' + cls : ''}> "${name.slice(0, 30)}"${
          tagged ? ` in [${tagged.getAttribute('data-testid')}]` : ''
        }`
      }
      const shown = (el: Element): boolean => {
        const r = el.getBoundingClientRect()
        if (r.width < 1 || r.height < 1) return false
        for (let e: Element | null = el; e; e = e.parentElement) {
          const s = getComputedStyle(e)
          if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false
          if (e.classList.contains('visually-hidden')) return false
        }
        return true
      }

      // Text: each text node's size, and its line pitch if it wraps.
      const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT)
      const range = document.createRange()
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = (n.textContent ?? '').trim()
        const parent = n.parentElement
        if (!text || !parent || ['SCRIPT', 'STYLE', 'TITLE', 'NOSCRIPT'].includes(parent.tagName)) continue
        if (!shown(parent)) continue
        range.selectNodeContents(n)
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0)
        if (!rects.length) continue
        const size = parseFloat(getComputedStyle(parent).fontSize)
        if (size < min.text - 0.01) problems.push(`text ${size}px < ${min.text}px: "${text.slice(0, 30)}" ${describe(parent)}`)
        const tops = [...new Set(rects.map((r) => Math.round(r.top)))].sort((a, b) => a - b)
        const lines = tops.filter((t, i) => i === 0 || t - tops[i - 1] > 2)
        if (lines.length > 1) {
          let pitch = Infinity
          for (let i = 1; i < lines.length; i++) pitch = Math.min(pitch, lines[i] - lines[i - 1])
          const ratio = pitch / size
          if (ratio < min.line - 0.01) {
            problems.push(`line height ${ratio.toFixed(2)} < ${min.line} on wrapped text "${text.slice(0, 30)}" ${describe(parent)}`)
          }
        }
      }
      for (const el of scope.querySelectorAll('input:not([type=hidden]):not([type=file]), textarea, select')) {
        if (!shown(el)) continue
        const size = parseFloat(getComputedStyle(el).fontSize)
        if (size < min.text - 0.01) problems.push(`text box ${size}px < ${min.text}px: ${describe(el)}`)
      }

      // Controls.
      const selector = [
        'a[href]',
        'button',
        'input:not([type=hidden])',
        'textarea',
        'select',
        'summary',
        '[role=button]',
        '[role=link]',
        '[role=switch]',
        '[role=checkbox]',
        '[role=radio]',
        '[role=option]',
        '[role=tab]',
        '[role=menuitem]',
        '[tabindex]:not([tabindex="-1"])',
      ].join(',')
      const typing = (el: Element): el is HTMLInputElement | HTMLTextAreaElement =>
        (el instanceof HTMLTextAreaElement ||
          (el instanceof HTMLInputElement && !['checkbox', 'radio', 'file', 'button', 'submit', 'reset', 'range', 'color'].includes(el.type))) &&
        !el.readOnly &&
        !el.disabled
      const pointsOf = (r: DOMRect, radius: number) => {
        const edge = 2
        // Corners are tried inside a rounded outline, where a finger would land.
        const corner = Math.max(4, Math.min(radius, r.width / 2, r.height / 2) * 0.3 + edge)
        const cx = r.left + r.width / 2
        const cy = r.top + r.height / 2
        return [
          { x: cx, y: r.top + edge },
          { x: cx, y: r.bottom - edge },
          { x: r.left + edge, y: cy },
          { x: r.right - edge, y: cy },
          { x: r.left + corner, y: r.top + corner },
          { x: r.right - corner, y: r.top + corner },
          { x: r.left + corner, y: r.bottom - corner },
          { x: r.right - corner, y: r.bottom - corner },
        ]
      }
      const inputs: Probe[] = []
      let marker = 0
      for (const el of scope.querySelectorAll(selector)) {
        if ((el as HTMLElement).closest('[aria-hidden=true], [inert]')) continue
        // A box the user types into is tapped for real below, through its row.
        if (typing(el)) {
          const row = el.closest('.van-field, label') ?? el
          if (!shown(row)) continue
          row.scrollIntoView({ block: 'center', inline: 'nearest' })
          const r = row.getBoundingClientRect()
          const id = `tap-${marker++}`
          el.setAttribute('data-a11y-probe', id)
          row.setAttribute('data-a11y-row', id)
          inputs.push({
            what: `${id} ${describe(el)}`,
            box: { x: r.left, y: r.top, width: r.width, height: r.height },
            points: pointsOf(r, parseFloat(getComputedStyle(row).borderRadius) || 0),
          })
          continue
        }
        // A visually hidden native radio or checkbox is tapped through its label.
        let target: Element = el
        if (el instanceof HTMLInputElement && el.labels?.length && el.getBoundingClientRect().width < 2) target = el.labels[0]
        // A read-only box inside a tappable row is part of that row.
        if (el instanceof HTMLInputElement && el.readOnly && el.closest('[role=button]')) continue
        if (!shown(target)) continue
        target.scrollIntoView({ block: 'center', inline: 'nearest' })
        const r = target.getBoundingClientRect()
        if (r.width < min.target - 0.5 || r.height < min.target - 0.5) {
          problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)} < ${min.target}×${min.target}: ${describe(el)}`)
          continue
        }
        const misses: string[] = []
        for (const p of pointsOf(r, parseFloat(getComputedStyle(target).borderRadius) || 0)) {
          const hit = document.elementFromPoint(p.x, p.y)
          const label = hit?.closest('label')
          const ok = !!hit && (target.contains(hit) || el.contains(hit) || (!!label && label.control === el))
          if (!ok) misses.push(`(${Math.round(p.x - r.left)},${Math.round(p.y - r.top)}) → ${hit ? describe(hit) : 'nothing'}`)
        }
        if (misses.length) problems.push(`taps near the edges miss ${describe(el)}: ${misses.join('; ')}`)
      }
      return { problems, inputs }
    },
    { root, min: { text: ELDER.minText, line: ELDER.minLineHeight, target: ELDER.minTarget } },
  )

  const problems = found.problems.map((p) => `${where}: ${p}`)
  // Text boxes: tap around the edges of the row and see whether the box got the focus.
  for (const probe of found.inputs) {
    const id = probe.what.split(' ')[0]
    // One handle for all the taps' checks (a locator is looked up again at each call).
    const box = await page.locator(`[data-a11y-probe="${id}"]`).elementHandle()
    const r = await page.locator(`[data-a11y-row="${id}"]`).evaluate((el) => {
      el.scrollIntoView({ block: 'center', inline: 'nearest' })
      ;(document.activeElement as HTMLElement | null)?.blur()
      const b = el.getBoundingClientRect()
      return { left: b.left, top: b.top, width: b.width, height: b.height }
    })
    if (!box || r.width < ELDER.minTarget - 0.5 || r.height < ELDER.minTarget - 0.5) {
      problems.push(`${where}: text box row ${Math.round(r.width)}×${Math.round(r.height)} < ${ELDER.minTarget}×${ELDER.minTarget}: ${probe.what}`)
      await box?.dispose()
      continue
    }
    const misses: string[] = []
    for (const p of probe.points) {
      const x = p.x - probe.box.x + r.left
      const y = p.y - probe.box.y + r.top
      // Nothing has the focus before a tap: each check takes it away again once it has looked.
      await page.touchscreen.tap(x, y)
      const took = await box.evaluate((el) => {
        const a = document.activeElement
        const seen =
          a === el ? '' : a ? `${a.tagName.toLowerCase()}${a.getAttribute('data-testid') ? `[${a.getAttribute('data-testid')}]` : ''}` : 'nothing'
        ;(a as HTMLElement | null)?.blur()
        return seen
      })
      if (took) misses.push(`(${Math.round(x - r.left)},${Math.round(y - r.top)}) focused ${took}`)
    }
    await box.dispose()
    if (misses.length) problems.push(`${where}: taps on the row miss the text box ${probe.what}: ${misses.join('; ')}`)
  }
  await page.evaluate(() => {
    document.querySelectorAll('[data-a11y-probe]').forEach((el) => el.removeAttribute('data-a11y-probe'))
    document.querySelectorAll('[data-a11y-row]').forEach((el) => el.removeAttribute('data-a11y-row'))
    window.scrollTo(0, 0)
  })
  return problems
}
