import { pathToFileURL } from 'node:url'
import { launchChromium } from '../test/helpers/chromium.ts'
const browser = await launchChromium()
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
page.on('pageerror', (e) => console.log('pageerror', e))
await page.goto(pathToFileURL(process.argv[2]!).href, { waitUntil: 'load' })
for (const [sel, file] of [['#mix', '/tmp/mix.png'], ['#timelines', '/tmp/timelines.png']] as const) {
  const el = await page.$(sel)
  if (el) await el.screenshot({ path: file })
  else console.log('missing', sel)
}
await browser.close()
