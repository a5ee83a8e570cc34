/**
 * `npm run calibrate`'s reading and fitting, without a process: Jaeger and Zipkin exports of the
 * same made-up endpoint (test/fixtures/traces/, README there) read alike; each service fitted as
 * the lab's model writes it (base + per item × items + jitter: a Theil–Sen slope, the jitter's
 * quantiles); the endpoint's own shape (its N+1); an unmapped service named with a --map line to
 * copy; a planted secret in no output; malformed files, unknown formats and spans with no
 * duration refused by name and position; the empirical jitter checked like every scenario field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { calibrate, UnmappedServicesError, type ServiceMap } from '../bench/calibrate/calibrate-traces.ts'
import { calibratedScenario } from '../bench/calibrate/calibrated-scenario.ts'
import { fitService } from '../bench/calibrate/fit.ts'
import { readTraceFile, TraceFileError } from '../bench/calibrate/read-traces.ts'
import { calibrationReport, renderCalibration, renderCalibrationHtml } from '../bench/calibrate/render-calibration.ts'
import { empiricalDraw, jitterMeanMs } from '../scenario/jitter.ts'
import { createRandom, normal } from '../scenario/random.ts'
import { resolveScenario, ScenarioError } from '../scenario/resolve-scenario.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'traces')
const MAP: ServiceMap = {
  'product-db': 'catalog',
  'stock-api': 'inventory',
  'price-api': 'pricing',
  'review-api': 'reviews',
  'taxonomy-api': 'categories',
}
const SECRETS = ['jane.doe@example.com', 'SECRET-TOKEN-123', 'shop.example.com']
const tmp = mkdtempSync(join(tmpdir(), 'lab-calibrate-'))
const file = (name: string, text: string): string => {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

describe('trace files read alike, whatever wrote them', () => {
  it('tells Jaeger from Zipkin by content, and reads the same calls from both', async () => {
    const jaeger = await readTraceFile(join(FIXTURES, 'jaeger-shop.json'), 'items.count')
    const zipkin = await readTraceFile(join(FIXTURES, 'zipkin-shop.json'), 'items.count')
    expect([jaeger.format, zipkin.format]).toEqual(['jaeger', 'zipkin'])
    const calls = (spans: typeof jaeger.spans) =>
      spans
        .filter((s) => s.kind === 'client')
        .map((s) => `${s.peer} ${s.startMs.toFixed(3)} ${s.durationMs.toFixed(3)} ${s.items ?? '-'} ${s.error}`)
        .sort()
    expect(calls(jaeger.spans)).toEqual(calls(zipkin.spans))
    expect(jaeger.spans.filter((s) => s.kind === 'server')).toHaveLength(16)
  })

  it('fits each service, finds the page size and the N+1, and writes a scenario the lab accepts', async () => {
    const { spans } = await readTraceFile(join(FIXTURES, 'jaeger-shop.json'), 'items.count')
    const calibration = calibrate(spans, MAP)
    // The fixture's pricing takes 30 + 4 per item (+ jitter), over pages of 20 and 8 items.
    expect(calibration.services.pricing!.perItemFrom).toBe('slope')
    expect(calibration.services.pricing!.perItemMs).toBeGreaterThan(3.6)
    expect(calibration.services.pricing!.perItemMs).toBeLessThan(4.4)
    expect(calibration.services.inventory!.calls).toBe(320)
    expect(calibration.services.inventory!.errorPercent).toBeCloseTo(100 / 320, 2)
    expect(calibration.productsPerPage).toBe(20)
    expect(calibration.shape).toMatchObject({ requests: 16, calls: { inventory: 20, catalog: 1 }, serviceAtOnce: { inventory: 1 } })
    const { input, scenario } = calibratedScenario(calibration, ['jaeger-shop.json'], 'empirical')
    expect(scenario.productsPerPage).toBe(20)
    expect(scenario.services.inventory.jitter.kind).toBe('empirical')
    expect(scenario.services.inventory.faults.errorRate).toBeCloseTo(1 / 320, 4)
    // The file as written resolves the same.
    expect(resolveScenario(JSON.parse(JSON.stringify(input)) as Record<string, unknown>)).toEqual(scenario)
  })

  it('names every unmapped service with its span count and a --map line to copy', async () => {
    const { spans } = await readTraceFile(join(FIXTURES, 'zipkin-shop.json'), 'items.count')
    let error: unknown
    try {
      calibrate(spans, { 'stock-api': 'inventory' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UnmappedServicesError)
    const message = (error as Error).message
    expect(message).toContain("--map 'price-api=pricing'")
    expect(message).toContain("--map 'taxonomy-api=categories'")
    expect(message).toContain('stock-api: 320 spans → inventory')
    expect(message).toContain('product-db: 16 spans (not mapped)')
    expect(message).not.toContain("--map 'stock-api")
  })

  it('copies no attribute, URL or span name: a secret planted in the traces is in no output', async () => {
    for (const fixture of ['jaeger-shop.json', 'zipkin-shop.json']) {
      const { spans } = await readTraceFile(join(FIXTURES, fixture), 'items.count')
      expect(JSON.stringify(spans)).not.toContain(SECRETS[0])
      const calibration = calibrate(spans, MAP)
      const report = calibrationReport(calibration, [fixture], null)
      const outputs = [
        renderCalibration(report),
        renderCalibrationHtml(report),
        JSON.stringify(calibratedScenario(calibration, [fixture], 'empirical').input),
      ]
      for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret)
    }
  })
})

describe('bad trace files get a clear error', () => {
  it('malformed JSON: the file and the line and column, never the text around it', async () => {
    const broken = file('broken.json', '{\n  "data": [\n    { "traceID": "jane.doe@example.com", \n  ]\n}\n')
    const error = await readTraceFile(broken, 'items').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TraceFileError)
    expect((error as Error).message).toMatch(/broken\.json: not valid JSON at line \d+, column \d+\./)
    expect((error as Error).message).not.toContain('jane.doe')
    const lines = file('lines.jsonl', '{"resourceSpans":[]}\n{"resourceSpans": [\n')
    await expect(readTraceFile(lines, 'items')).rejects.toThrow('lines.jsonl: line 2 is not valid JSON (the lines before it were).')
  })

  it('a format it cannot tell, spans with no duration, an empty or missing file', async () => {
    await expect(readTraceFile(file('other.json', '{"spans": 3}'), 'items')).rejects.toThrow(
      /other\.json: not a trace format the lab reads\. It reads OTLP JSON/,
    )
    const noDuration = file('zipkin.json', JSON.stringify([{ traceId: 'a', id: 'b', kind: 'CLIENT', timestamp: 1 }]))
    await expect(readTraceFile(noDuration, 'items')).rejects.toThrow('zipkin.json line 1: span 1 has no duration (or a negative one)')
    await expect(readTraceFile(file('empty.json', ''), 'items')).rejects.toThrow('empty.json: the file is empty.')
    await expect(readTraceFile(join(tmp, 'nowhere.json'), 'items')).rejects.toThrow('nowhere.json: no such file.')
  })
})

describe('a service fitted as the lab writes it: base + per item × items + jitter', () => {
  it('finds the per-item cost by a median of slopes, a few wild calls notwithstanding', () => {
    const random = createRandom(3)
    const items = Array.from({ length: 400 }, (_, i) => [4, 10, 20, 50][i % 4]!)
    const durationsMs = items.map((n, i) => 40 + 35 * n + 30 * Math.exp(0.5 * normal(random)) + (i % 50 === 0 ? 2000 : 0))
    const fit = fitService({ durationsMs, items, errors: 0, maxConcurrent: 1 })
    expect(fit.perItemMs).toBeGreaterThan(34.5)
    expect(fit.perItemMs).toBeLessThan(35.5)
  })

  it('keeps the rest as the calls’ own distribution: base + each jitter quantile is the quantile of the calls', () => {
    const random = createRandom(9)
    const durationsMs = Array.from({ length: 1000 }, () => 40 + 40 * Math.exp(0.3 * normal(random)))
    const fit = fitService({ durationsMs, items: durationsMs.map(() => undefined), errors: 0, maxConcurrent: 1 })
    const sorted = [...durationsMs].sort((a, b) => a - b)
    for (const p of [0.1, 0.5, 0.9]) {
      const observed = sorted[Math.round(p * (sorted.length - 1))]!
      expect(Math.abs(fit.baseMs + empiricalDraw(fit.jitterQuantilesMs, p) - observed)).toBeLessThan(0.5)
    }
    // The base is told loosely: its interval is stated and holds the fit.
    expect(fit.baseIntervalMs![0]).toBeLessThanOrEqual(fit.baseMs)
    expect(fit.baseIntervalMs![1]).toBeGreaterThanOrEqual(fit.baseMs)
    expect(fit.lognormal).not.toBeNull()
  })
})

describe("the base's interval", () => {
  it('holds the true base in about 90 % of samples of 300 calls (at least 80 % of 100 seeds)', () => {
    let held = 0
    for (let seed = 1; seed <= 100; seed++) {
      const random = createRandom(seed)
      const durationsMs = Array.from({ length: 300 }, () => 40 + 40 * Math.exp(0.3 * normal(random)))
      const [low, high] = fitService({ durationsMs, items: durationsMs.map(() => undefined), errors: 0, maxConcurrent: 1 }).baseIntervalMs!
      if (low <= 40 && 40 <= high) held++
    }
    expect(held).toBeGreaterThanOrEqual(80)
  })
})

describe('the empirical jitter in a scenario', () => {
  const at = (jitter: unknown) => resolveScenario({ services: { inventory: { jitter } } })
  it('is drawn between its quantiles and averaged over them', () => {
    expect(empiricalDraw([0, 10, 40], 0.25)).toBe(5)
    expect(empiricalDraw([0, 10, 40], 0.75)).toBe(25)
    expect(jitterMeanMs({ kind: 'empirical', quantilesMs: [0, 10, 40] })).toBe(15)
    expect(at({ kind: 'empirical', quantilesMs: [0, 1, 2] }).services.inventory.jitter).toEqual({
      kind: 'empirical',
      quantilesMs: [0, 1, 2],
    })
  })

  it('is checked like every scenario field', () => {
    expect(() => at({ kind: 'empirical', quantilesMs: [3, 1] })).toThrow(ScenarioError)
    expect(() => at({ kind: 'empirical', quantilesMs: [1] })).toThrow(
      /services\.inventory\.jitter\.quantilesMs.*expected 2 to 101 numbers of ms, ascending/,
    )
    expect(() => at({ kind: 'empirical', quantilesMs: [0, -1] })).toThrow(ScenarioError)
    expect(() => at({ kind: 'empirical', quantilesMs: [0, 1], sigma: 2 })).toThrow(/sigma/)
  })
})
