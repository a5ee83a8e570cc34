/**
 * The two ways a run's number of runs serves a comparison, as loops handed to measureRuns
 * (measure/runs.ts) and what is made of their runs:
 *
 * - --runs auto: runs are added, each on a stack of its own, until the comparison against the
 *   baseline could call a change of --detect on every figure of --detect-on (compare/detect.ts:
 *   the stopping rule reads each figure's minimum detectable change, never its verdict), or
 *   --max-runs is reached. results.json's `run.auto` says which, and what was reached;
 * - --aa: the same code measured as 2 × N interleaved runs, A B B A A B …, each set combined
 *   as a --runs N; finish.ts compares set A against set B and makes the noise file.
 */
import type { Progress } from './cli/progress.ts'
import { compareResults } from './compare/compare-runs.ts'
import { MIN_RUNS } from './compare/compare-stats.ts'
import { detection, type DetectTarget, type NoiseSetting } from './compare/detect.ts'
import { combineRuns, type MeasuredRuns, type RunsLoop } from './measure/combine-runs.ts'
import type { AutoStop, MeasuredRun, Results } from './record/results.ts'

/** What the loops read of the bench's request (bench-request.ts). */
interface RunsRequest {
  /** --runs N; with --runs auto, the cap; with --aa, each set's. */
  runs: number
  gate: { noise: NoiseSetting; detect: DetectTarget }
  baseline: { path: string; results: Results } | undefined
}

/** The comparison of a run against the baseline, and how far its targeted figures are from the target. */
function detectionOf(run: MeasuredRun, request: RunsRequest) {
  const baseline = request.baseline!
  const comparison = compareResults(baseline.results, run, { noise: request.gate.noise, baselinePath: baseline.path, currentPath: null })
  return detection(comparison, request.gate.detect)
}

/** --runs auto: after each run from the MIN_RUNS-th, the runs so far compared; enough once every targeted figure reaches its target. */
export function untilDetected(request: RunsRequest, progress: Progress): RunsLoop {
  return {
    label: (run) => `run ${run} (--runs auto, at most ${request.runs})`,
    enough(measured) {
      if (measured.length < MIN_RUNS) return false
      const { reached, worst, never } = detectionOf(
        combineRuns({ measured: [...measured], failedRun: undefined }, 'enough', false),
        request,
      )
      if (never.length) {
        progress.note(
          `after ${measured.length} runs: ${never.map((r) => `${r.variant} ${r.metric} (${r.verdict})`).join(', ')} can never be called: the runs stop`,
        )
        return true
      }
      if (worst) {
        const unit = worst.metric.startsWith('failures') ? ' pt' : ' %'
        const could = worst.mdc === null ? 'no change yet' : `changes beyond ±${worst.mdc.toFixed(1)}${unit}`
        progress.note(
          `after ${measured.length} runs: ${reached ? 'every targeted figure could call its target; the farthest, ' : ''}${worst.variant} ${worst.metric} could call ${could} (target ${worst.target}${unit})`,
        )
      }
      return reached
    },
  }
}

/** `run.auto` of a --runs auto: the target, the cap, why the runs stopped, and what they reached. */
export function withAuto(run: MeasuredRun, request: RunsRequest, runs: MeasuredRuns, interrupted: boolean): MeasuredRun {
  const { reached, worst, never } = detectionOf(run, request)
  const stopped: AutoStop = interrupted
    ? 'interrupted'
    : runs.failedRun
      ? 'failed'
      : never.length
        ? 'unreachable'
        : reached
          ? 'reached'
          : 'cap'
  const auto = { detect: request.gate.detect.percent ?? null, on: [...request.gate.detect.on], maxRuns: request.runs, stopped, worst }
  return { ...run, run: { ...run.run, auto } }
}

/** --aa: each run named by its set in the progress. */
export function aaLoop(runsPerSet: number): RunsLoop {
  return { label: (run) => `run ${run} of ${2 * runsPerSet} (A/A: set ${setOf(run)})` }
}

/** --aa: the set a run belongs to, in the order A B B A A B B A …, so neither set always runs first (run 1: a cold machine). */
const setOf = (run: number): 'A' | 'B' => (((run - 1) % 2 === 0) === (Math.floor((run - 1) / 2) % 2 === 0) ? 'A' : 'B')

/** --aa: the runs split into set A and set B (setOf), each combined as a --runs N. */
export function splitAa(all: MeasuredRuns, runsPerSet: number, interrupted: boolean): { setA: MeasuredRun; setB: MeasuredRun | null } {
  const set = (name: 'A' | 'B'): MeasuredRuns => ({
    measured: all.measured.filter((_, i) => setOf(i + 1) === name),
    failedRun: all.failedRun,
  })
  const setB = set('B')
  return {
    setA: combineRuns(set('A'), runsPerSet, interrupted),
    setB: setB.measured.length ? combineRuns(setB, runsPerSet, interrupted) : null,
  }
}
