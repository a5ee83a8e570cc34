/** `npm run self-test`: the lab's own cost, re-measurable by anyone — each of its four figures printed, everything stopped. */
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/run-cli.ts'

describe('npm run self-test -- --quick', () => {
  it('prints the overhead per hop against the calibration, the mocks\' CPU per call, the API\'s per request, and the generator\'s rate on time', async () => {
    const run = runCli('scripts/self-test.ts', ['--quick'])
    expect(await run.exit, run.output()).toBe(0)
    const output = run.output()
    expect(output).toMatch(/Calibration: a bare call from the API to an upstream that waits 40 ms takes [\d.]+ ms, \+[\d.]+ ms\./)
    for (const name of ['cached', 'parallel']) {
      expect(output).toMatch(new RegExp(`${name}\\s+p50 [\\d.]+ ms over its [\\d.]+ ms floor: \\+[\\d.]+ ms for \\d calls on the path = [\\d.]+ ms per hop, -?[\\d.]+ ms over the calibration's`))
    }
    expect(output).toMatch(/the mocks: [\d.]+ ms of CPU per call/)
    expect(output).toMatch(/the API: [\d.]+ ms of CPU per request, all threads/)
    expect(output).toMatch(/500 req\/s: [\d.]+ % late/)
    expect(output).toMatch(/→ it sends (at least \d+ req\/s|no tested rate) on time here\./)
  }, 90_000)

  it('rejects an unknown flag with a clear message', async () => {
    const run = runCli('scripts/self-test.ts', ['--quik'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toMatch(/Unknown option '--quik'/)
    expect(run.output()).not.toMatch(/\n\s+at /)
  })
})
