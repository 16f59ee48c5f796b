// Drags with the mouse the way a hand does: press, move a little, travel in
// steps, pause over the target, let go. SortableJS (the console's card wall)
// follows pointer moves, so a jump from source to target would not do.

import type { Locator, Page } from '@playwright/test'

type Box = { x: number; y: number; width: number; height: number }

/**
 * The element's box once the page around it has stopped moving: the console draws parts of the
 * wall late (the "merge these?" suggestion above the cards), and a press measured before that
 * lands beside the card and selects text instead of picking the card up.
 */
async function settledBox(page: Page, el: Locator): Promise<Box> {
  let last = (await el.boundingBox())!
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(100)
    const now = (await el.boundingBox())!
    if (now.x === last.x && now.y === last.y && now.width === last.width && now.height === last.height) return now
    last = now
  }
  return last
}

/** Where on the target to let go, as fractions of its box. */
export interface DropAt {
  x?: number
  y?: number
}

export async function drag(page: Page, from: Locator, to: Locator, at: DropAt = {}): Promise<void> {
  await from.scrollIntoViewIfNeeded()
  const a = await settledBox(page, from)
  const sx = a.x + a.width / 2
  const sy = a.y + Math.min(16, a.height / 4)
  await page.mouse.move(sx, sy)
  await page.mouse.down()
  await page.mouse.move(sx + 8, sy + 8, { steps: 3 })
  const b = await settledBox(page, to)
  const tx = b.x + b.width * (at.x ?? 0.5)
  const ty = b.y + b.height * (at.y ?? 0.5)
  await page.mouse.move(tx, ty, { steps: 15 })
  await page.waitForTimeout(150)
  await page.mouse.move(tx + 1, ty + 1, { steps: 2 })
  await page.waitForTimeout(100)
  await page.mouse.up()
}
