/** Server-Timing: one entry per stage with its start and duration, sequential or overlapping as the code is. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStageTimer, parseServerTiming, type Stage } from '../variants/shared/stage-timing.ts'
import { startLab, uniformServices, type Lab } from './helpers/lab.ts'
import { waitUntil } from './helpers/wait.ts'

let lab: Lab
beforeAll(async () => {
  lab = await startLab()
})
afterAll(() => lab.close())

async function stagesOf(path: string): Promise<{ stages: Stage[]; totalMs: number | undefined }> {
  const response = await lab.get(path)
  expect(response.status).toBe(200)
  expect(response.serverTiming).toBeTruthy()
  return parseServerTiming(response.serverTiming!)
}

const names = (stages: Stage[]) => stages.map((s) => s.name).sort()
const end = (s: Stage) => s.startMs + s.durationMs
/** Header values are rounded to 0.01 ms. */
const ROUNDING = 0.02

function expectSequential(stages: Stage[]): void {
  for (let i = 1; i < stages.length; i++) {
    expect(stages[i]!.startMs, `${stages[i]!.name} starts after ${stages[i - 1]!.name} ends`).toBeGreaterThanOrEqual(
      end(stages[i - 1]!) - ROUNDING,
    )
  }
}

describe('Server-Timing', () => {
  it.each(['naive', 'bulk'])('%s reports the five upstream stages, one after another, and a total', async (variant) => {
    const { stages, totalMs } = await stagesOf(`/${variant}/products`)
    expect(names(stages)).toEqual(['catalog', 'categories', 'inventory', 'pricing', 'reviews'])
    expect(stages.map((s) => s.name)).toEqual(['catalog', 'inventory', 'pricing', 'reviews', 'categories'])
    expectSequential(stages)
    expect(totalMs).toBeGreaterThanOrEqual(end(stages.at(-1)!) - ROUNDING)
    for (const stage of stages) expect(stage.durationMs).toBeGreaterThan(0)
  })

  it('cached reports the cache lookup, and pricing only on a miss', async () => {
    await lab.cache.flush()
    const cold = await stagesOf('/cached/products?page=4')
    expect(names(cold.stages)).toEqual(['cache', 'catalog', 'categories', 'inventory', 'pricing', 'reviews'])
    expectSequential(cold.stages)
    await waitForWarm('/cached/products?page=4')
    const warm = await stagesOf('/cached/products?page=4')
    expect(names(warm.stages)).toEqual(['cache', 'catalog', 'categories', 'inventory', 'reviews'])
    expectSequential(warm.stages)
  })

  it('parallel reports stages that overlap after the catalog', async () => {
    // Calls long enough that the overlap does not depend on how busy the machine is.
    const slow = await startLab({ scenario: uniformServices(30) })
    const response = await slow.get('/parallel/products?page=5').finally(() => slow.close())
    const { stages } = parseServerTiming(response.serverTiming!)
    expect(names(stages)).toEqual(['cache', 'catalog', 'categories', 'inventory', 'pricing', 'reviews'])
    const catalog = stages.find((s) => s.name === 'catalog')!
    const rest = stages.filter((s) => s.name !== 'catalog')
    for (const stage of rest) expect(stage.startMs).toBeGreaterThanOrEqual(end(catalog) - ROUNDING)
    // Inventory, reviews and categories all start before any of them has ended.
    const fanOut = rest.filter((s) => ['inventory', 'reviews', 'categories'].includes(s.name))
    const firstEnd = Math.min(...fanOut.map(end))
    for (const stage of fanOut) expect(stage.startMs).toBeLessThan(firstEnd)
  })
})

describe('createStageTimer', () => {
  it('merges repeated timings of a stage into one span from first start to last end', async () => {
    let clock = 0
    const timer = createStageTimer(() => clock)
    await timer.time('inventory', async () => {
      clock = 10
    })
    clock = 15
    await timer.time('inventory', async () => {
      clock = 25
    })
    expect(timer.stages()).toEqual([{ name: 'inventory', startMs: 0, durationMs: 25 }])
    expect(timer.serverTiming()).toBe('inventory;start=0.00;dur=25.00, total;dur=25.00')
  })

  it('records a stage that throws', async () => {
    const timer = createStageTimer()
    await expect(timer.time('pricing', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(timer.stages().map((s) => s.name)).toEqual(['pricing'])
  })
})

/** Until a request to `path` is answered from the cache (no pricing stage): the write after a miss lands in the background. */
async function waitForWarm(path: string): Promise<void> {
  const warm = async (): Promise<boolean> =>
    !parseServerTiming((await lab.get(path)).serverTiming ?? '').stages.some((s) => s.name === 'pricing')
  await waitUntil(warm, `${path} never became warm`)
}
