/**
 * The lab's load figures against wrk's, on the same endpoint (parallel, warm) at 10 and 50
 * connections: throughput and p50 within 5 %, p99 within 10 % (scripts/cross-check-wrk.ts).
 * Runs alone, after every other test file, so both tools meet a quiet machine. Needs wrk
 * (Debian's package, which .ci/run installs): skipped with a warning without it, except in CI.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { IN_CI } from './helpers/redis.ts'
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
  it('agrees on answers/s and p50 within 5 %, and p99 within 10 %, at 10 and 50 connections', async () => {
    const run = runCli('scripts/cross-check-wrk.ts', ['--seconds', '5'])
    expect(await run.exit, run.output()).toBe(0)
    const rows = run.output().split('\n').filter((line) => /^(10|50)\s+(answers\/s|p50|p99)/.test(line))
    expect(rows, run.output()).toHaveLength(6)
    for (const row of rows) expect(row, run.output()).toContain('✓')
    expect(run.output()).toContain('The lab agrees with wrk within the tolerances.')
  }, 180_000)
})
