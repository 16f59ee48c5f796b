// Paging of the card wall (docs/wall.md): the cards and their group headings
// are blocks of measured height, poured into a page's columns top to bottom,
// left to right; a block never splits and never hangs past the bottom. A
// heading stays with its first card; a group that runs on into another column
// gets its heading again, marked as continued.

/** A heading of a group, or a card; `group` is the group's index, -1 for loose cards. */
export type WallBlock =
  | { kind: 'head'; key: string; group: number; section?: string; label: string; count: number }
  | { kind: 'card'; key: string; group: number; section?: string; id: number; body: string; tint: number }

/** A block as placed on a page: a heading repeated in a later column is `cont`. */
export type Placed = WallBlock & { cont?: boolean }

/** One page: its columns of placed blocks. */
export type WallPage = Placed[][]

/**
 * Pours blocks into pages of `columns` columns `height` pixels tall with
 * `gap` pixels between blocks. `h(key)` is a block's height, `hc(key)` its
 * heading's height when repeated as continued. A block taller than a whole
 * column is placed alone (the caller picks type that avoids it).
 */
export function paginate(
  blocks: WallBlock[],
  columns: number,
  height: number,
  gap: number,
  h: (key: string) => number,
  hc: (key: string) => number,
): WallPage[] {
  const pages: WallPage[] = []
  let page: WallPage = []
  let col: Placed[] = []
  let y = 0
  const heads = new Map<number, WallBlock>()
  const closeColumn = () => {
    page.push(col)
    col = []
    y = 0
    if (page.length === columns) {
      pages.push(page)
      page = []
    }
  }
  const put = (b: Placed, bh: number) => {
    col.push(b)
    y += (col.length > 1 ? gap : 0) + bh
  }
  const fits = (bh: number) => !col.length || y + gap + bh <= height
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]
    if (b.kind === 'head') {
      heads.set(b.group, b)
      // A heading keeps its first card with it.
      const next = blocks[i + 1]
      const need = h(b.key) + (next && next.kind === 'card' ? gap + h(next.key) : 0)
      if (!fits(need)) closeColumn()
      put(b, h(b.key))
      continue
    }
    const bh = h(b.key)
    if (!fits(bh)) {
      closeColumn()
      const head = heads.get(b.group)
      if (head && b.group >= 0) put({ ...head, cont: true }, hc(head.key))
      if (!fits(bh)) closeColumn()
    }
    put(b, bh)
  }
  if (col.length) closeColumn()
  if (page.length) pages.push(page)
  return pages.length ? pages : [[]]
}

/** The page to show: the facilitator's choice (1-based) when set, else one after another every `everyMs`. */
export function pageIndex(count: number, hold: number, sinceMs: number, nowMs: number, everyMs: number): number {
  if (count <= 1) return 0
  if (hold > 0) return Math.min(hold, count) - 1
  const n = Math.floor(Math.max(0, nowMs - sinceMs) / everyMs)
  return n % count
}

/** A column's run of blocks of one group (`section` names it for the page), in order. */
export interface Run {
  key: string
  section?: string
  blocks: Placed[]
}

/** Splits a column into runs of consecutive blocks of the same group. */
export function runsOf(col: Placed[]): Run[] {
  const out: Run[] = []
  for (const b of col) {
    const last = out[out.length - 1]
    if (last && last.blocks[0].group === b.group) last.blocks.push(b)
    else out.push({ key: `${b.key}${b.cont ? ':cont' : ''}`, section: b.section, blocks: [b] })
  }
  return out
}
