// The topic selection vote: during 议题确定 the facilitator asks the
// compound's verified residents to place dots on the shortlisted topics from
// the triage screen; a resident votes on the topics page of a phone; the
// facilitator sees the live count.

import { openCycle } from './cycle-api'
import { DEMO, expect, login, resetDisplay, test } from './fixtures'
import { confirmDialog, PHONE, type Poll } from './vote-helpers'

test('residents vote among the shortlisted topics; the facilitator sees the count', async ({ page, browser, baseURL, request }) => {
  const opened = await openCycle(request, 'topic_collection')
  const f = opened.facilitator
  const second = await f.ok<{ id: number }>(`/cycles/${opened.cycle.id}/topics`, { title: '楼道里电动车乱停', source: 'home_visit' })
  for (const id of [opened.topicId!, second.id]) {
    const res = await request.patch(`/api/v1/topics/${id}`, { headers: { Authorization: `Bearer ${f.token}` }, data: { status: 'shortlisted' } })
    expect(res.status(), await res.text()).toBe(200)
  }
  await f.ok(`/cycles/${opened.cycle.id}/advance`, { to: 'topic_selection' })

  await login(page, DEMO.facilitator, { to: `/c/${opened.cid}/cycles/${opened.cycle.id}/topics` })
  await resetDisplay(page)
  const panel = page.getByTestId('topic-polls')
  await expect(panel).toBeVisible()
  await panel.getByTestId('topic-poll-start').click()
  // The screen creates the poll and then opens it: wait for the second step.
  const firstPoll = async () => (await f.get<{ items: Poll[] }>(`/cycles/${opened.cycle.id}/polls`)).items[0]
  await expect.poll(async () => (await firstPoll())?.status).toBe('open')
  const poll = await firstPoll()
  expect(poll).toMatchObject({ method: 'dot', status: 'open' })
  const opt = (i: number) => poll.options[i].id

  // A resident on a phone, on the topics page.
  const context = await browser.newContext({ ...PHONE, baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const rp = await context.newPage()
  await login(rp, DEMO.resident, { to: `/cycles/${opened.cycle.id}/topics` })
  await resetDisplay(rp)
  const box = rp.getByTestId(`vote-poll-${poll.id}`)
  await expect(box.getByTestId('vote-dots-left')).toHaveText('还剩 3 个点')
  await box.getByTestId(`vote-dot-add-${opt(0)}`).click()
  await box.getByTestId(`vote-dot-add-${opt(0)}`).click()
  await box.getByTestId(`vote-dot-add-${opt(1)}`).click()
  await box.getByTestId('vote-submit').click()
  await confirmDialog(rp)
  await expect(box.getByTestId('vote-done')).toContainText('已投票')
  // Live results: the resident sees them at once.
  await expect(box.getByTestId(`vote-bars-option-${opt(0)}`)).toContainText('2 点')

  await panel.getByRole('button', { name: '刷新' }).click()
  await expect(panel.getByTestId(`topic-poll-bars-${poll.id}-option-${opt(0)}`)).toContainText('2 点')
  await expect(panel.getByTestId(`topic-poll-bars-${poll.id}-option-${opt(1)}`)).toContainText('1 点')
  await context.close()
})
