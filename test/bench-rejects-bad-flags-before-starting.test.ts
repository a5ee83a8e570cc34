/** Every bad flag or scenario gets a clear message and exit code 2, before anything starts. */
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli.ts'

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
  ])('%j → exit 2', async (args, message) => {
    const run = runCli('bench/bench.ts', args)
    expect(await run.exit).toBe(2)
    expect(run.output()).toMatch(message)
    // Nothing was started: no cache line, no progress, no stack trace.
    expect(run.output()).not.toMatch(/cache:|\[correctness\]|\n\s+at /)
  })

  it('--help lists every flag and exits 0', async () => {
    const run = runCli('bench/bench.ts', ['--help'])
    expect(await run.exit).toBe(0)
    for (const flag of [
      '--quick',
      '--variants',
      '--latency',
      '--products',
      '--connections',
      '--duration',
      '--scenario',
      '--seed',
      '--redis-url',
      '--out',
      '--predict',
      '--vary',
    ]) {
      expect(run.output()).toContain(flag)
    }
  })
})
