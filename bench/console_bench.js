// The console's figures in a real browser (Debian's chromium through playwright-core from
// tests/compat/console/node_modules), printed as one JSON object:
//   node bench/console_bench.js URL TOPIC KCAT_BOOTSTRAP RECORDS
// - page_load_ms: from navigation to the login form usable, 7 fresh contexts;
// - overview_ms: from the login click to the overview's numbers shown;
// - live tail: RECORDS records produced at once by kcat while the Live tail page watches:
//   the time until the page counted them all (records/s drawn) and the longest gap between
//   two animation frames meanwhile (a frozen page shows as a long gap).
'use strict'
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { chromium } = require(path.join(__dirname, '../tests/compat/console/node_modules/playwright-core'))

const [url, topic, bootstrap, records] = process.argv.slice(2)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

;(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  const loads = []
  const overviews = []
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
    const page = await context.newPage()
    const t0 = Date.now()
    await page.goto(url + '/ui')
    await page.getByRole('heading', { name: 'Overview' }).or(page.getByRole('button', { name: 'Log in' })).waitFor()
    loads.push(Date.now() - t0)
    const t1 = Date.now()
    if (await page.getByRole('button', { name: 'Log in' }).count()) {
      throw new Error('the benchmark runs without logins')
    }
    await page.locator('.rate-in').waitFor()
    overviews.push(Date.now() - t1 + loads[i])
    await context.close()
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await page.goto(`${url}/ui#/topics/${topic}/live`)
  await page.locator('.live-status.live').waitFor()
  await page.evaluate(() => {
    window.__gap = 0
    let last = performance.now()
    const tick = (t) => { window.__gap = Math.max(window.__gap, t - last); last = t; requestAnimationFrame(tick) }
    requestAnimationFrame(tick)
  })
  const n = Number(records)
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ event: 'tail', i, pad: 'x'.repeat(60) })).join('\n') + '\n'
  const t0 = Date.now()
  const p = spawnSync('kcat', ['-b', bootstrap, '-P', '-t', topic], { input: lines })
  if (p.status !== 0) throw new Error('kcat: ' + p.stderr)
  const produced = Date.now() - t0
  await page.waitForFunction((k) => Number(document.querySelector('.live-received').textContent) +
    Number((/(\d+) skipped/.exec(document.body.innerText) || [0, 0])[1]) >= k, n, { timeout: 120000, polling: 50 })
  const shown = Date.now() - t0
  const received = Number(await page.locator('.live-received').innerText())
  const gap = await page.evaluate(() => window.__gap)
  await browser.close()
  console.log(JSON.stringify({
    page_load_ms: { median: median(loads), max: Math.max(...loads), runs: loads },
    overview_ms: { median: median(overviews), max: Math.max(...overviews) },
    live: { records: n, produce_ms: produced, all_counted_ms: shown, received, skipped: n - received,
      per_s: (n / shown) * 1000, max_frame_gap_ms: gap },
  }))
})().catch((e) => { console.error(e); process.exit(1) })
