/** A bad flag or scenario gets a clear message and exit code 2, before anything starts, end to end: no stack trace, nothing started. */
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli.ts'

describe('npm run bench with bad input', () => {
  // Every message is checked in-process (bench-flags-are-checked-before-anything-starts.unit.test.ts); here, the command end to end.
  it.each([
    [['--quik'], /Unknown flag --quik\. Did you mean --quick\?/],
    [['--vary', 'latency=5', '--connections', '10'], /Flag --connections does not go with --vary/],
    [['--scenario', 'no-such-file.json'], /Cannot read scenario file no-such-file\.json: ENOENT/],
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
