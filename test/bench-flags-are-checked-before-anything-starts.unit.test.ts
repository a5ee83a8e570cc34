/**
 * Every bad flag, scenario or combination gets a clear message before anything starts: the
 * request is resolved in-process (bench/bench-request.ts), as `npm run bench` does first, and a
 * UsageError (exit 2) names the flag and what it accepts. The command end to end (its exit code,
 * no stack trace, nothing started) is bench-rejects-bad-flags-before-starting.test.ts'.
 */
import { describe, expect, it } from 'vitest'
import { FLAGS, resolveBenchRequest, type BenchRequest } from '../bench/bench-request.ts'
import { UsageError } from '../bench/cli/flags.ts'

const resolve = (argv: string[]) => resolveBenchRequest(argv, new Date('2026-12-07T00:00:00Z'), {})

describe('npm run bench with bad input', () => {
  it.each([
    [['--quik'], /Unknown flag --quik\. Did you mean --quick\?/],
    [['--connections', '1,abc'], /Flag --connections: got "1,abc"; expected a comma-separated list of integers from 1 to 1000/],
    [['--connections', '0'], /Flag --connections: got "0"/],
    [['--duration', '0'], /Flag --duration: got 0; expected seconds from 1 to 600\./],
    [['--variants', 'naive,paralel'], /Flag --variants: there is no variant "paralel"; did you mean "parallel"\?/],
    [['--latency', '-5'], /Flag --latency: got -5; expected a number from 0 to 60000\./],
    [['--scenario', 'no-such-file.json'], /Cannot read scenario file no-such-file\.json: ENOENT/],
    [['--products', '100000'], /Flag --products: got 100000; expected an integer from 1 to 500\./],
    [['--vary', 'latncy=5,10'], /Flag --vary: got "latncy=5,10"; "latncy" is not a parameter it can vary \(did you mean "latency"\?\)/],
    [['--vary', 'latency'], /Flag --vary: got "latency"; it is not PARAM=V1,V2/],
    [['--vary', 'latency=5,,10'], /Flag --vary: got "latency=5,,10"; "" is not a number/],
    [['--vary', 'latency=5,abc'], /"abc" is not a number/],
    [['--vary', 'latency=5,5'], /a value is listed twice/],
    [['--vary', 'latency=-5,10'], /Flag --vary latency=-5: Flag --latency: got -5; expected a number from 0 to 60000\./],
    [['--vary', 'products=10,0'], /Flag --vary products=0: Flag --products: got 0; expected an integer from 1 to 500\./],
    [['--vary', 'products=2.5'], /Flag --vary products=2\.5: Flag --products: got "2\.5"; expected an integer\./],
    [['--vary', 'latency=5,10', '--latency', '20'], /--latency is given too; vary it or set it, not both/],
    [['--predict', '--sweep'], /Flag --sweep does not go with --predict: it measures nothing\./],
    [['--predict', '--redis-url', 'redis://127.0.0.1:6379'], /Flag --redis-url does not go with --predict/],
    [
      ['--vary', 'latency=5,10', '--pricing-latency', '20'],
      /--pricing-latency is given too, and a service's own latency wins over --latency/,
    ],
    [['--vary', 'constructor=1'], /"constructor" is not a parameter it can vary/],
    [['--vary', `latency=${Array.from({ length: 13 }, (_, i) => i + 1).join(',')}`], /13 values; at most 12/],
    [['--predict', '--model-jitter', 'sed'], /Flag --model-jitter: got "sed"; expected one of mean, seed, none \(did you mean "seed"\?\)/],
    [['--vary', 'latency=5', '--connections', '10'], /Flag --connections does not go with --vary/],
    [['--runs', '0'], /Flag --runs: got 0; expected an integer from 1 to 50, or auto\./],
    [['--runs', 'often'], /Flag --runs: got "often"; expected an integer from 1 to 50, or auto\./],
    [['--runs', 'auto'], /Flag --runs auto needs --baseline/],
    [['--runs', 'auto', '--baseline', 'latest', '--max-runs', '3'], /Flag --max-runs: got 3; expected an integer from 4/],
    [['--max-runs', '10'], /Flag --max-runs goes with --runs auto/],
    [['--aa'], /Flag --aa needs --runs N, the runs in each set, from 4 .* got none/],
    [['--aa', '--runs', '3'], /Flag --aa needs --runs N.*got 3/],
    [['--aa', '--runs', '5', '--baseline', 'latest'], /Flag --baseline does not go with --aa/],
    [['--detect', '8'], /Flag --detect says what --runs auto must reach, or what --fail-on regressed must be able to call/],
    [['--baseline', '/no/such/run', '--detect-on', 'p50'], /Flag --detect-on says what --runs auto must reach/],
    [
      ['--baseline', '/no/such/run', '--fail-on', 'regressed', '--detect', '8', '--detect-on', 'p50,p51'],
      /Flag --detect-on: "p51" is not a figure/,
    ],
    [['--baseline', '/no/such/run', '--fail-on', 'regressed', '--detect', '8', '--detect-on', ','], /Flag --detect-on: got no figure/],
    [
      ['--baseline', '/no/such/run', '--detect', '5'],
      /Flag --detect 5: no number of runs can call a change of 5 on naive\.p50 \(T 5 %, default\)/,
    ],
    [['--baseline', '/no/such/run', '--detect', '8', '--detect-on', 'p51'], /Flag --detect-on: "p51" is not a figure/],
    [['--baseline', '/no/such/run', '--detect', '0'], /Flag --detect: got 0; expected a percentage above 0/],
    [['--noise', '/no/such/noise.json'], /Flag --noise: \/no\/such\/noise\.json: no such file or directory/],
    [['--noise', 'package.json'], /Flag --noise: .*package\.json: not a noise file \(kind null\); an A\/A writes one/],
    [['--noise', '-3'], /Flag --noise: got -3; expected a percentage from 0 to 100, or a noise file/],
    [['--noise', '150%'], /Flag --noise: got 150; expected a percentage from 0 to 100/],
    [['--predict', '--aa'], /Flag --aa does not go with --predict/],
    [['--fail-on', 'regressed'], /Flag --fail-on regressed needs --baseline/],
    [['--baseline', '/no/such/run'], /^Flag --baseline: /],
  ])('%j is refused, naming it', async (args, message) => {
    const refused = await resolve(args).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(UsageError)
    expect((refused as Error).message).toMatch(message)
  })
})

describe('npm run bench with good input', () => {
  it('--help lists every flag', async () => {
    const help = ((await resolve(['--help'])) as { help: string }).help
    for (const flag of Object.keys(FLAGS)) expect(help).toContain(`--${flag}`)
  })

  it('reads --noise as a percentage, with or without %, and --detect-on as a comma-separated list', async () => {
    const request = (await resolve(['--noise', '7%', '--quick'])) as BenchRequest
    expect(request.gate.noise).toEqual({ percent: 7 })
    const { resolveGate } = await import('../bench/gate.ts')
    const gate = await resolveGate({ 'detect-on': 'p50, p90,p50', detect: '8' }, ['parallel'], [10], 10, { auto: true })
    expect(gate.detect).toEqual({ percent: 8, on: ['p50', 'p90'] })
  })

  it('resolves --quick to its page, the named variants in story order, and the run settings', async () => {
    const request = (await resolve(['--quick', '--variants', 'parallel,naive', '--runs', '3'])) as BenchRequest
    expect(request.scenario.productsPerPage).toBe(10)
    expect(request.variants.map((v) => v.name)).toEqual(['naive', 'parallel'])
    expect(request.runs).toBe(3)
    expect(request.predict).toBe(false)
    expect(request.settings.quick).toBe(true)
    expect(request.outDir).toMatch(/results\/2026-12-07T00-00-00Z$/)
  })
})
