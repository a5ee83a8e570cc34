/**
 * The lab's load figures against wrk's, on the same endpoint (parallel, warm) at 10 and 50
 * connections (scripts/cross-check-wrk.ts). Runs alone, after every other test file, so both
 * tools meet a quiet machine. Asserted: throughput and p50 within 5 % at 10 connections, where
 * neither generator's own CPU decides the figure. Reported, with its ✓ or ✗, not asserted: the
 * p99s and the 50-connection level. On this 2-core VM they are set by the machine as often as by
 * the lab: in four of seven full runs on 2026-12-07 one of them was out (50 connections −5 % of
 * wrk's rate and +5.6 % at p50, the lab's runs flagged lab-bound by the mocks' 8 ms overshoot, or a
 * p99 of ~325 answers 13.7 % above wrk's: its third-largest answer). A disagreement at 10
 * connections while other processes were busy beside the lab is taken again (helpers/quiet.ts), and
 * if the machine never quietens the test fails saying it was too busy to judge. Needs wrk
 * (Debian's package, which .ci/run installs): skipped with a warning without it, except in CI.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { IN_CI } from './helpers/redis.ts'
import { QUIET_ATTEMPTS, QUIET_OTHERS_PERCENT } from './helpers/quiet.ts'
import { runCli } from './helpers/run-cli.ts'

const HAS_WRK = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
if (!HAS_WRK && !IN_CI) console.warn('No wrk on PATH: skipping the cross-check against wrk (it fails in CI instead).')

describe.skipIf(!HAS_WRK && !IN_CI)('the lab against wrk', () => {
  it('agrees on answers/s and p50 within 5 % at 10 connections, and reports the p99s and the 50-connection level', async () => {
    // A disagreement on a busy machine is the machine's: the cross-check is taken again, up to QUIET_ATTEMPTS times, while
    // other processes used QUIET_OTHERS_PERCENT of a core or more beside the lab's runs at 10 connections.
    let output = ''
    // Null where the machine's CPU cannot be read: nothing to tell a busy machine by, so no second attempt.
    let others: number | null = null
    for (let attempt = 1; attempt <= QUIET_ATTEMPTS; attempt++) {
      const run = runCli('scripts/cross-check-wrk.ts', ['--seconds', '5'])
      expect(await run.exit, run.output()).toBe(0)
      output = run.output()
      const beside = /Beside the lab at 10 connections: (\d+) % of a core/.exec(output)
      others = beside ? Number(beside[1]) : null
      if (others === null || others < QUIET_OTHERS_PERCENT || tenConnectionRows(output).every((row) => row.includes('✓'))) break
    }
    const rows = output.split('\n').filter((line) => /^(10|50)\s+(answers\/s|p50|p99)/.test(line))
    expect(rows, output).toHaveLength(6)
    const busy = `the machine was too busy to judge: ${others} % of a core beside the lab at 10 connections (quiet: under ${QUIET_OTHERS_PERCENT} %), in each of ${QUIET_ATTEMPTS} attempts`
    const busied = others !== null && others >= QUIET_OTHERS_PERCENT
    for (const row of tenConnectionRows(output)) expect(row, busied ? `${busy}\n${output}` : output).toContain('✓ ±5 %')
    // Every other row carries its verdict, ✓ or ✗, against its tolerance; and the summary follows the rows.
    for (const row of rows) expect(row, output).toMatch(/[✓✗] ±(5|10) %$/)
    const summary = rows.every((row) => row.includes('✓'))
      ? 'The lab agrees with wrk within the tolerances.'
      : 'The lab and wrk disagree beyond the tolerances (✗ above).'
    expect(output).toContain(summary)
  }, 300_000)
})

/** The rows asserted: answers/s and p50 at 10 connections. */
function tenConnectionRows(output: string): string[] {
  return output.split('\n').filter((line) => /^10\s+(answers\/s|p50)/.test(line))
}
