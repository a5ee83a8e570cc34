/**
 * The flags that make a run a CI gate, shared by `npm run bench` and `npm run compare`:
 * --noise (a percentage or an A/A's noise file), --detect and --detect-on (what a comparison
 * must be able to call), --fail-on regressed, --threshold (repeatable), and the exit codes.
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
import { metricSpec, parseThreshold, type Threshold } from './compare/compare-runs.ts'
import { DEFAULT_DETECT_ON, unreachable, type DetectTarget, type NoiseSetting } from './compare/detect.ts'
import type { ComparisonFigures, ThresholdCheck } from './record/results.ts'
import { readNoiseFile } from './record/write-results.ts'

export const EXIT = { ok: 0, invalid: 1, usage: 2, regressed: 3, threshold: 4, role: 5 } as const

export const GATE_FLAGS = {
  noise: {
    type: 'string',
    value: 'PCT|FILE',
    help: 'T, the noise threshold of a comparison: a change inside ±T is "no change". A percentage (default and least: 5), or the noise file an A/A wrote (--aa): each figure it names takes the T its A/A implied',
  },
  detect: {
    type: 'string',
    value: 'PCT',
    help: `the change a comparison must be able to call (percent; points for failures), on the figures of --detect-on: --runs auto adds runs until it can, and --fail-on warns when it cannot (default: twice each figure's T)`,
  },
  'detect-on': {
    type: 'string',
    value: 'LIST',
    help: `the figures --detect applies to, comma-separated, for every variant compared (default ${DEFAULT_DETECT_ON.join(',')}: one request at a time)`,
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
  noise: NoiseSetting
  detect: DetectTarget
  failOnRegressed: boolean
  thresholds: Threshold[]
}

/** The gate's flags, validated (a noise file read); a bad one is a UsageError naming it. `auto`: --runs auto, which --detect serves too. */
export async function resolveGate(
  values: FlagValues,
  variants: readonly string[],
  connections: readonly number[],
  maxSamples: number,
  { auto = false }: { auto?: boolean } = {},
): Promise<Gate> {
  const noise = await readNoise(values.noise)
  const detectPercent = readNumberFlag(values, 'detect')
  if (detectPercent !== undefined && (detectPercent <= 0 || detectPercent > 100))
    throw new UsageError(`Flag --detect: got ${detectPercent}; expected a percentage above 0, at most 100.`)
  const on =
    typeof values['detect-on'] === 'string'
      ? [...new Set(values['detect-on'].split(',').map((metric) => metric.trim()))].filter(Boolean)
      : [...DEFAULT_DETECT_ON]
  if (on.length === 0) throw new UsageError('Flag --detect-on: got no figure; expected a comma-separated list, e.g. p50,rps@50.')
  for (const metric of on) {
    if (!metricSpec(metric))
      throw new UsageError(
        `Flag --detect-on: "${metric}" is not a figure; known: p50, p90, p99 (one request at a time), rps@N, p50@N, p90@N, p99@N, failures@N (at N connections), failures.`,
      )
    const at = /@(\d+)$/.exec(metric)
    if (at && !connections.includes(Number(at[1])))
      throw new UsageError(
        `Flag --detect-on: this run has no load level of ${at[1]} connections (its levels: ${connections.join(', ') || 'none'}).`,
      )
  }
  const detect = { percent: detectPercent, on }
  const never = unreachable(detect, noise, variants, (metric) => metricSpec(metric)!.points)
  if (never.length)
    throw new UsageError(
      `Flag --detect ${detectPercent}: no number of runs can call a change of ${detectPercent} on ${never.join(', ')}: a change is called only when its whole interval lies beyond ±T. Ask for more than T, or measure the noise with an A/A (npm run bench -- --aa --runs 5 …) and pass --noise with its noise file, whose T may be smaller.`,
    )
  const failOn = values['fail-on']
  if (failOn !== undefined && failOn !== 'regressed') throw new UsageError(`Flag --fail-on: got "${String(failOn)}"; expected "regressed".`)
  const thresholds = listFlag(values, 'threshold').map((expression) => {
    try {
      return parseThreshold(expression, variants, connections, maxSamples)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  })
  for (const flag of ['detect', 'detect-on'])
    if (values[flag] !== undefined && !auto && values['fail-on'] === undefined)
      throw new UsageError(
        `Flag --${flag} says what --runs auto must reach, or what --fail-on regressed must be able to call: give one of them (with --baseline).`,
      )
  return { noise, detect, failOnRegressed: failOn === 'regressed', thresholds }
}

/** --noise PCT or --noise FILE: a number is a percentage, anything else the path of a noise file. */
async function readNoise(value: FlagValues[string]): Promise<NoiseSetting> {
  if (value === undefined) return {}
  const given = String(value)
  // A number, with or without %, is a percentage (a file named so: ./5); anything else a path.
  const number = given.trim().replace(/\s*%$/, '')
  if (number !== '' && Number.isFinite(Number(number))) {
    const percent = Number(number)
    if (percent < 0 || percent > 100)
      throw new UsageError(`Flag --noise: got ${percent}; expected a percentage from 0 to 100, or a noise file.`)
    return { percent }
  }
  try {
    return { file: await readNoiseFile(given) }
  } catch (error) {
    throw new UsageError(`Flag --noise: ${(error as Error).message} (--noise takes a percentage or an A/A's noise file.)`)
  }
}

/** The exit code for a finished run or comparison. */
export function exitCode(valid: boolean, gate: Gate, comparison: ComparisonFigures | null, thresholds: ThresholdCheck[]): number {
  if (!valid) return EXIT.invalid
  if (gate.failOnRegressed && comparison?.rows.some((row) => row.verdict === 'regressed')) return EXIT.regressed
  if (thresholds.some((t) => !t.passed)) return EXIT.threshold
  return EXIT.ok
}
