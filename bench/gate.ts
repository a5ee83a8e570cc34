/**
 * The flags that make a run a CI gate, shared by `npm run bench` and `npm run compare`:
 * --noise, --fail-on regressed, --threshold (repeatable), and the exit codes they lead to.
 *
 * Exit codes (docs/comparing-runs.md, "Exit codes"):
 *   0  the run (or comparison) is valid, nothing regressed that --fail-on names, every threshold held
 *   1  the run is not valid, or it failed (a correctness check, a stack that did not start)
 *   2  a usage error: a bad flag, a bad --threshold, a baseline that cannot be read or compared
 *   3  --fail-on regressed, and a comparison is "regressed"
 *   4  a --threshold did not hold (or its metric was not estimable)
 *   5  a role given by URL (--api, --upstreams) could not be used: unreachable, another version of
 *      the lab, another scenario or other code, a token refused; nothing was measured
 * An invalid run (1) is reported before a regression (3), and a regression before a threshold (4).
 */
import { listFlag, readNumberFlag, UsageError, type FlagSpec, type FlagValues } from './cli/flags.ts'
import { parseThreshold, type Threshold } from './compare/compare-runs.ts'
import type { ComparisonFigures, ThresholdCheck } from './record/results.ts'

export const EXIT = { ok: 0, invalid: 1, usage: 2, regressed: 3, threshold: 4, role: 5 } as const

export const GATE_FLAGS = {
  noise: {
    type: 'string',
    value: 'PCT',
    help: 'T, the noise threshold of a comparison, in percent: a change inside ±T is "no change" (default and least: 5)',
  },
  'fail-on': {
    type: 'string',
    value: 'regressed',
    help: `exit ${EXIT.regressed} when any comparison against the baseline is "regressed" (CI)`,
  },
  threshold: {
    type: 'string',
    value: 'EXPR',
    multiple: true,
    help: `a check on the median over the runs, e.g. "parallel.p50<160ms", "naive.failures<1%", "cached.rps@50>=30"; repeatable; exit ${EXIT.threshold} when one fails`,
  },
} satisfies Record<string, FlagSpec>

export interface Gate {
  noisePercent: number | undefined
  failOnRegressed: boolean
  thresholds: Threshold[]
}

/** The gate's flags, validated; a bad one is a UsageError naming it. */
export function resolveGate(values: FlagValues, variants: readonly string[], connections: readonly number[], maxSamples: number): Gate {
  const noisePercent = readNumberFlag(values, 'noise')
  if (noisePercent !== undefined && (noisePercent < 0 || noisePercent > 100))
    throw new UsageError(`Flag --noise: got ${noisePercent}; expected a percentage from 0 to 100.`)
  const failOn = values['fail-on']
  if (failOn !== undefined && failOn !== 'regressed') throw new UsageError(`Flag --fail-on: got "${String(failOn)}"; expected "regressed".`)
  const thresholds = listFlag(values, 'threshold').map((expression) => {
    try {
      return parseThreshold(expression, variants, connections, maxSamples)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  })
  return { noisePercent, failOnRegressed: failOn === 'regressed', thresholds }
}

/** The exit code for a finished run or comparison. */
export function exitCode(valid: boolean, gate: Gate, comparison: ComparisonFigures | null, thresholds: ThresholdCheck[]): number {
  if (!valid) return EXIT.invalid
  if (gate.failOnRegressed && comparison?.rows.some((row) => row.verdict === 'regressed')) return EXIT.regressed
  if (thresholds.some((t) => !t.passed)) return EXIT.threshold
  return EXIT.ok
}
