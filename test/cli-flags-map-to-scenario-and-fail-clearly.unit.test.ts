import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFlags, UsageError } from '../bench/cli/flags.ts'
import { resolveScenarioFromFlags, SCENARIO_FLAGS } from '../bench/cli/scenario-flags.ts'

const resolve = async (argv: string[]) => resolveScenarioFromFlags(parseFlags(argv, SCENARIO_FLAGS))

describe('scenario flags', () => {
  it('--latency sets the base latency of every service; a per-service flag wins', async () => {
    const scenario = await resolve(['--latency', '10', '--pricing-latency', '7'])
    expect(scenario.services.catalog.latencyMs).toBe(10)
    expect(scenario.services.inventory.latencyMs).toBe(10)
    expect(scenario.services.pricing.latencyMs).toBe(7)
    expect(scenario.services.pricing.perItemMs).toBe(35)
  })

  it('maps --products, --seed, --jitter and --cache-ttl', async () => {
    const scenario = await resolve(['--products', '20', '--seed', '9', '--jitter', 'lognormal:3:0.5', '--cache-ttl', '60'])
    expect(scenario.productsPerPage).toBe(20)
    expect(scenario.seed).toBe(9)
    expect(scenario.cacheTtlSeconds).toBe(60)
    expect(scenario.services.reviews.jitter).toEqual({ kind: 'lognormal', medianMs: 3, sigma: 0.5 })
  })

  it('maps the traffic mix: --traffic, --zipf, --pages, --categories, --limits, --mix-sample', async () => {
    const scenario = await resolve([
      '--traffic',
      'mix',
      '--zipf',
      '0.8',
      '--pages',
      '3',
      '--categories',
      '2',
      '--limits',
      '24,12,48',
      '--mix-sample',
      '20',
    ])
    expect(scenario.traffic).toEqual({ kind: 'mix', zipfExponent: 0.8, pages: 3, categories: 2, limits: [24, 12, 48], sample: 20 })
    expect((await resolve(['--traffic', 'single'])).traffic.kind).toBe('single')
  })

  it('--faults sets the fault rates of every service; --<service>-faults wins, rate by rate', async () => {
    const scenario = await resolve(['--faults', 'error=0.01,reset=0.005', '--inventory-faults', 'hang=0.02,error=0'])
    expect(scenario.services.catalog.faults).toEqual({ errorRate: 0.01, hangRate: 0, resetRate: 0.005 })
    expect(scenario.services.inventory.faults).toEqual({ errorRate: 0, hangRate: 0.02, resetRate: 0.005 })
    const none = await resolve(['--faults', 'error=0.5', '--pricing-faults', 'none'])
    expect(none.services.pricing.faults).toEqual({ errorRate: 0, hangRate: 0, resetRate: 0 })
    expect(none.services.reviews.faults.errorRate).toBe(0.5)
  })

  it('layers flags over a scenario file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-'))
    const file = join(dir, 'scenario.json')
    await writeFile(file, JSON.stringify({ name: 'small', productsPerPage: 10, services: { reviews: { latencyMs: 3 } } }))
    const scenario = await resolve(['--scenario', file, '--products', '12'])
    expect(scenario.name).toBe('small')
    expect(scenario.productsPerPage).toBe(12)
    expect(scenario.services.reviews.latencyMs).toBe(3)
  })

  it.each([
    [['--latncy', '5'], 'Unknown flag --latncy. Did you mean --latency?'],
    [['--latency'], 'Flag --latency needs a value'],
    [['--latency', 'fast'], 'Flag --latency: got "fast"; expected a number.'],
    [['--products', '0'], 'Flag --products: got 0; expected an integer from 1 to 500.'],
    [['--products', '2.5'], 'Flag --products: got "2.5"; expected an integer.'],
    [['--pricing-latency', '-3'], 'Flag --pricing-latency: got -3; expected a number from 0 to 60000.'],
    [['--latency', '-3'], 'Flag --latency: got -3; expected a number from 0 to 60000.'],
    [['--jitter', 'gauss:3'], 'Flag --jitter: got "gauss:3"'],
    [['--seed', '1', '--seed', '2'], 'Flag --seed is given twice.'],
    [['--faults', 'error=2'], 'Flag --faults: got 2; expected a number from 0 to 1.'],
    [['--pricing-faults', 'hang=-1'], 'Flag --pricing-faults: got -1; expected a number from 0 to 1.'],
    [['--faults', 'eror=0.1'], '"eror" is not a fault (did you mean "error"?)'],
    [['--faults', 'error'], '"error" is not KIND=RATE'],
    [['--faults', 'error=lots'], '"lots" is not a number'],
    [['--faults', 'error=0.1,error=0.2'], '"error" is given twice'],
    [
      ['--faults', 'error=0.7,reset=0.7'],
      'Flag --faults: got {"errorRate":0.7,"hangRate":0,"resetRate":0.7}; expected rates that add up to at most 1.',
    ],
    [['stray'], 'Unexpected argument "stray"'],
    [['--traffic', 'busy'], 'Flag --traffic: got "busy"; expected one of "mix", "single".'],
    [['--zipf', '9'], 'Flag --zipf: got 9; expected a number from 0 to 5.'],
    [['--pages', '0'], 'Flag --pages: got 0; expected an integer from 1 to 1000.'],
    [['--categories', '9'], 'Flag --categories: got 9; expected an integer from 0 to 8.'],
    [['--limits', '50,,20'], 'Flag --limits: got "50,,20"; expected page sizes separated by commas'],
    [['--limits', '50,600'], 'Flag --limits: got 600; expected an integer from 1 to 500.'],
    [['--limits', '20,20'], 'Flag --limits: got [20,20]; expected page sizes each given once.'],
    [['--mix-sample', '-1'], 'Flag --mix-sample: got -1; expected an integer from 0 to 1000.'],
  ])('%j is a usage error: %s', async (argv, message) => {
    const error = await resolve(argv).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain(message)
  })

  it('reports a bad scenario file by name and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-'))
    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ productsPerPage: 'many' }))
    await expect(resolve(['--scenario', bad])).rejects.toThrow(/bad\.json: Invalid scenario field "productsPerPage": got "many"/)
    const broken = join(dir, 'broken.json')
    await writeFile(broken, '{ "productsPerPage": ')
    await expect(resolve(['--scenario', broken])).rejects.toThrow(/broken\.json is not valid JSON/)
    await expect(resolve(['--scenario', join(dir, 'missing.json')])).rejects.toThrow(/Cannot read scenario file .*ENOENT/)
  })
})
