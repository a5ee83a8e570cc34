/**
 * Debian's headless Chromium through playwright-core. Outside CI a machine without it
 * skips the browser tests, visibly; in CI (CI=true) a missing browser fails them.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { IN_CI } from './redis.ts'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_AVAILABLE = existsSync(CHROMIUM_PATH)
export const SKIP_BROWSER = !CHROMIUM_AVAILABLE && !IN_CI

if (SKIP_BROWSER) console.warn(`No Chromium at ${CHROMIUM_PATH}: skipping the browser tests (they fail in CI instead).`)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** Every canvas on the page, with how many of its pixels were drawn: a chart that failed to draw has none. */
export function drawnCanvases(page: Page): Promise<Array<{ id: string | null; width: number; height: number; drawn: number }>> {
  return page.$$eval('canvas', (elements) =>
    elements.map((canvas) => {
      const context = (canvas as HTMLCanvasElement).getContext('2d')!
      const { width, height } = canvas as HTMLCanvasElement
      const pixels = context.getImageData(0, 0, width, height).data
      let drawn = 0
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) drawn++
      return { id: canvas.id || canvas.getAttribute('data-variant'), width, height, drawn }
    }),
  )
}
