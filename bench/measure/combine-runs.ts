/**
 * What a --runs loop yields, and how its runs become one results.json: the first run's figures in
 * full, every run's own in `runs`. Apart from the loop (runs.ts), so what reads runs (--runs auto's
 * stopping rule, an A/A's two sets) needs no stack to reach them.
 */
import type { MeasuredRun } from '../record/results.ts'

export interface MeasuredRuns {
  measured: MeasuredRun[]
  /** Why the runs stopped before the last: a run that failed after others were measured. */
  failedRun: string | undefined
}

/** What a runs loop may be told beyond how many: when the runs so far are enough (--runs auto), and how to name a run (--aa). */
export interface RunsLoop {
  /** Called after each run with every run so far: true stops the runs there. */
  enough?(measured: readonly MeasuredRun[]): boolean
  /** A run's name in the progress, e.g. `run 3 of at most 20`. */
  label?(run: number): string
}

/**
 * The runs of a --runs N as one results.json: the first run's figures in full (the report's
 * tables and charts), every run's own figures in `runs`, valid only when every run was, and
 * each run's problems named by its run.
 */
export function combineRuns({ measured, failedRun }: MeasuredRuns, asked: number | 'enough', interrupted: boolean): MeasuredRun {
  const [first] = measured
  if (!first) throw new Error('No run was measured.')
  const last = measured[measured.length - 1]!
  const problems = measured.flatMap((r, i) => r.problems.map((problem) => (measured.length > 1 ? `Run ${i + 1}: ${problem}` : problem)))
  // --runs auto stops when it has enough: only an interruption cuts it short.
  const cut = interrupted && (asked === 'enough' || measured.length < asked)
  if (cut)
    problems.push(
      `Interrupted (Ctrl-C) after ${measured.length}${asked === 'enough' ? '' : ` of ${asked}`} runs: the comparison has fewer runs than asked.`,
    )
  if (failedRun) problems.push(failedRun)
  return {
    ...first,
    finishedAt: last.finishedAt,
    valid: measured.every((r) => r.valid) && !cut && !failedRun,
    problems,
    run: { ...first.run, runs: measured.length, trace: traceOfRuns(measured) },
    cacheOutages: measured.flatMap((r, i) =>
      r.cacheOutages.map((outage) => (measured.length > 1 ? { ...outage, step: `run ${i + 1}: ${outage.step}` } : outage)),
    ),
    runs: measured.flatMap((r) => r.runs),
  }
}

/** --trace: every run's API wrote to the same file; the counts add up, the cost is the first run's. */
function traceOfRuns(measured: MeasuredRun[]): MeasuredRun['run']['trace'] {
  const [first, ...rest] = measured.map((r) => r.run.trace)
  if (!first) return null
  const sum = (read: (t: NonNullable<typeof first>) => number) => [first, ...rest].reduce((total, t) => total + (t ? read(t) : 0), 0)
  return { ...first, requests: sum((t) => t.requests), spans: sum((t) => t.spans), exportFailures: sum((t) => t.exportFailures) }
}
