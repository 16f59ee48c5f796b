// A verified resident on a phone-sized screen sends a solution card with a
// photo, anonymously, then finds it under 我的卡片 with its story as a
// vertical timeline — in Chinese, in 长辈版 and in English.

import { Caller, openCycle, type Card } from './cycle-api'
import { DEMO, expect, chooseLanguage, keepScreenshot, login, resetDisplay, test } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

test('a resident sends a card with a photo and follows it in 我的卡片', async ({ page, request }) => {
  const { cycle, topicTitle } = await openCycle(request, 'card_collection')

  await login(page, DEMO.resident)
  await resetDisplay(page)

  // Home: this month's talk as one big card, with what I can do now.
  const home = page.getByTestId('cycle-card')
  await expect(home).toHaveAttribute('data-cycle-id', String(cycle.id))
  await expect(page.getByTestId('cycle-phase')).toHaveText('正在征集解法')
  await expect(page.getByTestId('cycle-selected-topic')).toContainText(topicTitle)
  await expect(page.getByTestId('cycle-selected-topic')).toContainText('附议最多')
  await expect(home.locator('[data-testid^="home-action-"]')).toHaveCount(2)
  await keepScreenshot(page, 'resident-home-phone')

  await page.getByTestId('home-action-card').click()
  await expect(page).toHaveURL(new RegExp(`/cycles/${cycle.id}/cards/new$`))
  await expect(page.getByTestId('card-topic')).toContainText(topicTitle)

  // One text box with a counter.
  const body = `每个单元先开一次楼栋会，把愿意出资的住户和一楼住户请到一起，算清楚每户摊多少钱。（${Date.now() % 1e5}）`
  await page.getByTestId('card-body').locator('textarea').fill(body)
  await expect(page.getByTestId('card-body')).toContainText(`${[...body].length}/300`)

  // 拍照: a small JPEG drawn in the page.
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas')
    c.width = 64
    c.height = 48
    const g = c.getContext('2d')!
    g.fillStyle = '#c8102e'
    g.fillRect(0, 0, 64, 48)
    g.fillStyle = '#ffffff'
    g.fillRect(16, 12, 32, 24)
    return c.toDataURL('image/jpeg', 0.9)
  })
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64')
  await page.getByTestId('card-photo-input').setInputFiles({ name: 'stairs.jpg', mimeType: 'image/jpeg', buffer: jpeg })
  await expect(page.getByTestId('card-photo-ready')).toBeVisible()

  // 匿名提交, with what it means.
  await expect(page.getByTestId('card-anonymous')).toContainText('别人看不到您的名字；您自己仍能看到并撤回')
  await page.getByTestId('card-anonymous').click()
  await expect(page.getByTestId('card-anonymous')).toHaveAttribute('aria-checked', 'true')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'card-form-phone')

  await page.getByTestId('card-submit').click()
  await expect(page.getByTestId('card-thanks')).toContainText('谢谢您的建议')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'card-thanks-phone')

  // The card's story.
  await page.getByTestId('card-story-link').click()
  await expect(page).toHaveURL(/\/cards\/\d+$/)
  const cardId = Number(new URL(page.url()).pathname.split('/').pop())
  await expect(page.getByTestId(`timeline-${cardId}`).getByTestId('timeline-item-card.created')).toContainText('提交成功')

  // What the server holds: one anonymous card of mine, with the photo, no name.
  const resident = await Caller.login(request, DEMO.resident)
  const mine = (await resident.get<{ items: Card[] }>(`/cycles/${cycle.id}/cards?mine=true`)).items
  expect(mine).toHaveLength(1)
  expect(mine[0]).toMatchObject({ id: cardId, body, anonymous: true, author_name: '', origin: 'online', mine: true })
  expect(mine[0].photo_id).toBeTruthy()

  // 我的卡片: the card, its photo (fetched with the token) and its timeline.
  await page.getByTestId('back').click()
  await expect(page).toHaveURL(new RegExp(`/cycles/${cycle.id}/my-cards$`))
  const item = page.getByTestId(`card-${cardId}`)
  await expect(item).toContainText(body)
  await expect(item).toContainText('匿名')
  await expect(page.getByTestId(`card-photo-${cardId}`)).toHaveAttribute('data-loaded', 'true')
  const natural = await page
    .getByTestId(`card-photo-${cardId}`)
    .locator('img')
    .evaluate((img: HTMLImageElement) => img.naturalWidth)
  expect(natural).toBe(64)
  const timeline = page.getByTestId(`timeline-${cardId}`)
  await expect(timeline.getByTestId('timeline-item-card.created')).toBeVisible()
  await expect(timeline.getByTestId('timeline-next-grouped')).toContainText('分组')
  await expect(timeline.getByTestId('timeline-next-accepted')).toContainText('验收')
  await expect(timeline.getByTestId('timeline-next-grouped')).toContainText('下一步')
  // Dates read the Chinese way, in Asia/Shanghai.
  await expect(timeline.getByTestId('timeline-item-card.created')).toContainText(/\d{1,2}月\d{1,2}日 周[一二三四五六日] [上下中晚凌早]/)
  await keepScreenshot(page, 'my-cards-phone')

  // 长辈版: bigger text and targets on the same screen.
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).toHaveClass(/\belder\b/)
  const withdraw = await page.getByTestId(`card-withdraw-${cardId}`).boundingBox()
  expect(withdraw!.height).toBeGreaterThanOrEqual(60)
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'my-cards-phone-elder')
  await page.getByTestId('elder-toggle').click()
  await expect(page.locator('html')).not.toHaveClass(/\belder\b/)

  // English.
  // On a phone the language is chosen in 我的.
  await expect(page.getByTestId('lang-toggle')).toBeHidden()
  await chooseLanguage(page, 'en')
  await expect(page.getByTestId('timeline-item-card.created').first()).toContainText('Sent')
  await expect(item).toContainText('Anonymous')
  await expect(page.locator('.van-toast')).toBeHidden({ timeout: 8_000 })
  await keepScreenshot(page, 'my-cards-phone-en')

  // 撤回 asks first: keeping the card changes nothing; confirming withdraws it.
  await page.getByTestId(`card-withdraw-${cardId}`).click()
  await page.locator('.van-dialog__cancel').click()
  await expect(page.locator('.van-dialog')).toBeHidden()
  expect((await resident.get<Card>(`/cards/${cardId}`)).status).toBe('visible')
  await page.getByTestId(`card-withdraw-${cardId}`).click()
  await page.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId(`card-withdraw-${cardId}`)).toBeHidden()
  expect((await resident.get<Card>(`/cards/${cardId}`)).status).toBe('withdrawn')

  await resetDisplay(page)
})
