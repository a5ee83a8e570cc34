/**
 * "Did my change help?", end to end, in a fresh copy of the project: `parallel` measured
 * 4 times (--runs 4, short latencies) is the baseline; the same variant made slower by a fixed 20 ms, against
 * that baseline, is "regressed" on its p50 and `--fail-on regressed` exits 3; the original
 * code measured again is not regressed and exits 0. Then `npm run compare` of the saved
 * runs: thresholds (a failed one exits 4, a bad one 2 and names it), and runs that cannot be
 * compared (another schema version) or differ (another scenario) say so.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, type Results } from '../bench/record/results.ts'
import { launchChromium, SKIP_BROWSER } from './helpers/chromium.ts'
import { freshCopy } from './helpers/fresh-copy.ts'
import { SKIP_REDIS } from './helpers/redis.ts'
import { runCli } from './helpers/run-cli.ts'

/** Short upstream latencies keep each run short: parallel's floor is 20 + 20 = 40 ms. */
const RUNS = ['--quick', '--variants', 'parallel', '--runs', '4', '--latency', '20', '--pricing-per-item', '2']

describe.skipIf(SKIP_REDIS)('a change measured against a saved baseline', () => {
  let clone: string
  const read = (dir: string) => JSON.parse(readFileSync(join(clone, dir, 'results.json'), 'utf8')) as Results
  const bench = (args: string[]) => runCli(join(clone, 'bench/bench.ts'), args)
  const compare = (args: string[]) => runCli(join(clone, 'bench/compare.ts'), args)
  const exits: Record<string, { code: number | null; output: string }> = {}

  beforeAll(async () => {
    clone = await freshCopy('lab-baseline-')
    const variant = join(clone, 'variants/parallel.ts')
    const original = readFileSync(variant, 'utf8')
    const run = async (name: string, args: string[]) => {
      const cli = bench([...RUNS, '--out', join(clone, name), ...args])
      exits[name] = { code: await cli.exit, output: cli.output() }
    }
    await run('a', [])
    expect(exits.a!.code, exits.a!.output).toBe(0)
    // The same variant, 20 ms slower: a fixed wait before its work.
    writeFileSync(
      variant,
      original
        .replace(
          'export async function getProducts(',
          'const slower = () => new Promise((resolve) => setTimeout(resolve, 20))\n\nexport async function getProducts(',
        )
        .replace(/(export async function getProducts\([^)]*\) \{\n)/, '$1  await slower()\n'),
    )
    expect(readFileSync(variant, 'utf8')).toContain('await slower()')
    await run('b', ['--baseline', join(clone, 'a'), '--fail-on', 'regressed'])
    writeFileSync(variant, original)
    await run('c', ['--baseline', join(clone, 'a'), '--fail-on', 'regressed'])
  }, 300_000)

  it('keeps each run of a --runs 4 with its raw latencies', () => {
    const a = read('a')
    expect(a.run.runs).toBe(4)
    expect(a.runs).toHaveLength(4)
    for (const sample of a.runs) {
      const v = sample.variants.parallel!
      expect(v.latency.latenciesMs.length).toBeGreaterThanOrEqual(2)
      expect(v.latency.p50Ms).toBeGreaterThan(40)
      expect(v.load[0]!.answered).toBeGreaterThan(0)
      expect(v.load[0]!.latenciesMs.length).toBe(Math.min(1000, v.load[0]!.answered))
      // A quick level answers far fewer than 300: its p99 is not estimable.
      expect(v.load[0]!.p99Ms).toBeNull()
    }
  })

  it('calls the slower variant regressed on its p50, and --fail-on regressed exits 3', () => {
    expect(exits.b!.code, exits.b!.output).toBe(3)
    const p50 = read('b').comparison!.rows.find((r) => r.variant === 'parallel' && r.metric === 'p50')!
    expect(p50.verdict).toBe('regressed')
    // The change is 20 ms, whatever the machine adds to both sides: the medians differ by about that (the timer never fires early
    // by more than a ms). In percent it depends on the baseline the machine measured (+45 % of a quiet 45 ms; less when busy).
    expect(p50.currentMedian! - p50.baselineMedian!).toBeGreaterThan(15)
    expect(p50.currentMedian! - p50.baselineMedian!).toBeLessThan(35)
    expect(p50.effect!).toBeGreaterThan(0)
    expect(p50.p!).toBeLessThan(0.05)
    expect(read('b').comparison!.rows.find((r) => r.metric === 'p99@10')!.verdict).toBe('not estimable')
    expect(exits.b!.output).toMatch(/parallel\s+REGRESSED\s+p50 \+\d+\.\d % \[/)
  })

  it('does not call the same code twice regressed, and exits 0', () => {
    expect(exits.c!.code, exits.c!.output).toBe(0)
    const rows = read('c').comparison!.rows
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.filter((r) => r.verdict === 'regressed')).toEqual([])
  })

  it.skipIf(SKIP_BROWSER)('draws the comparison in the report: a forest plot with the p50 regressed', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(pathToFileURL(join(clone, 'b', 'report.html')).href)
      const section = page.locator('#against-baseline')
      expect(await section.locator('h2').textContent()).toBe('Against the baseline')
      expect(await section.locator('svg.forest g[data-metric="p50"]').getAttribute('data-verdict')).toBe('regressed')
      expect(await section.locator('tr.regressed').first().textContent()).toContain('p50')
      expect(await section.textContent()).toContain(read('a').environment.gitCommit ?? 'unknown')
    } finally {
      await browser.close()
    }
  })

  it('compares two saved runs without measuring, with the same gate', async () => {
    const regressed = compare([join(clone, 'a'), join(clone, 'b'), '--fail-on', 'regressed'])
    expect(await regressed.exit, regressed.output()).toBe(3)
    const threshold = compare([
      join(clone, 'a'),
      join(clone, 'c'),
      '--threshold',
      'parallel.p50<30ms',
      '--threshold',
      'parallel.failures<1%',
    ])
    expect(await threshold.exit, threshold.output()).toBe(4)
    expect(threshold.output()).toMatch(/Threshold parallel\.p50<30ms: FAILED \(parallel\.p50 = \d\d\.\d+ ms \(median of 4 runs\)\)/)
    expect(threshold.output()).toContain('Threshold parallel.failures<1%: held')
    const bad = compare([join(clone, 'a'), join(clone, 'c'), '--threshold', 'parallel.p51<100ms'])
    expect(await bad.exit).toBe(2)
    expect(bad.output()).toContain('--threshold "parallel.p51<100ms": "p51" is not a metric')
  })

  it('says why two runs cannot be compared, or how they differ, without a stack trace', async () => {
    const old = { ...read('a'), schemaVersion: 9 }
    writeFileSync(join(clone, 'old.json'), JSON.stringify(old))
    const mismatched = compare([join(clone, 'old.json'), join(clone, 'c')])
    expect(await mismatched.exit).toBe(2)
    expect(mismatched.output()).toContain(`has schemaVersion 9; this lab reads ${SCHEMA_VERSION}`)
    expect(mismatched.output()).not.toMatch(/\n\s+at /)
    const other = read('a')
    other.scenario = { ...other.scenario, productsPerPage: 20 }
    writeFileSync(join(clone, 'other.json'), JSON.stringify(other))
    const differs = compare([join(clone, 'other.json'), join(clone, 'c')])
    expect(await differs.exit, differs.output()).toBe(0)
    expect(differs.output()).toContain('The scenarios differ (productsPerPage)')
    const missing = compare([join(clone, 'nowhere'), join(clone, 'c')])
    expect(await missing.exit).toBe(2)
    expect(missing.output()).toContain('nowhere: no such file or directory')
  })
})
