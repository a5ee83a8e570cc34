/**
 * A measured run's runs (--runs N), each on a stack of its own, and a --vary's latency at each
 * value: the loops around runBench, with what Ctrl-C leaves of them. The model is the code's,
 * the same in every run: derived once, by the first run, and handed to the next ones here.
 */
import { CorrectnessError } from './check-correctness.ts'
import { runBench } from './run-bench.ts'
import type { WhatIfRequest } from './what-if.ts'
import type { Progress } from '../cli/progress.ts'
import { VARY_RUN, type RunSettings } from '../cli/run-settings.ts'
import type { Vary } from '../cli/run-settings.ts'
import type { MeasuredRun } from '../record/results.ts'
import type { MeasuredRuns, RunsLoop } from './combine-runs.ts'
import { startStack, type RoleUrls, type Stack } from '../stack/start-stack.ts'
import type { ModelOutcome } from '../../model/types.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import type { Scenario } from '../../scenario/types.ts'

/** A --runs or --vary interrupted once (Ctrl-C): what was measured so far is kept. */
export interface Interruption {
  /** The exit code of the first Ctrl-C (130) or SIGTERM (143), once one came. */
  readonly code: number | undefined
  /** How to stop the stack now running: set by each stack as it starts. */
  stopWith(stop: () => Promise<void>): void
}

/** One run on a stack of its own, started for it and stopped after; with `models`, the model is not derived again. */
async function measureOnStack(
  at: Scenario,
  settings: RunSettings,
  where: RoleUrls,
  progress: Progress,
  interruption: Interruption,
  startedAt: Date,
  models?: Record<string, ModelOutcome>,
): Promise<{ results: MeasuredRun; models: Record<string, ModelOutcome> }> {
  const stack: Stack = await startStack(
    at,
    where,
    (message) => progress.note(message),
    (stop) => interruption.stopWith(stop),
    settings.trace,
  )
  try {
    const role = (name: string, url: string, pid: number | null, host: string) =>
      pid === null ? `${name} at ${url} (host ${host})` : `${name} pid ${pid}`
    const { api, upstreams } = stack.roles
    progress.note(
      `cache: ${stack.redis.description}; ${role('API', api.url, stack.api.pid, api.host.hostname)}, ${role('upstreams', upstreams.url, stack.upstreams.pid, upstreams.host.hostname)}`,
    )
    return await runBench(at, settings, stack, progress, startedAt, models)
  } finally {
    await stack.stop()
  }
}

/** `runs` runs of the scenario, one after the other, until one is interrupted or fails (the first one's failure is thrown), or `loop.enough` says so. */
export async function measureRuns(
  request: { scenario: Scenario; settings: RunSettings; where: RoleUrls; runs: number; startedAt: Date },
  progress: Progress,
  interruption: Interruption,
  loop: RunsLoop = {},
): Promise<MeasuredRuns> {
  const { scenario, settings, where, runs } = request
  const measured: MeasuredRun[] = []
  let models: Record<string, ModelOutcome> | undefined
  for (let run = 1; run <= runs && interruption.code === undefined; run++) {
    if (runs > 1) progress.note(`${loop.label?.(run) ?? `run ${run} of ${runs}`}: a stack of its own`)
    try {
      // The first run from the command's start (its duration includes loading the lab), the others from their own.
      const one = await measureOnStack(
        scenario,
        settings,
        where,
        progress,
        interruption,
        run === 1 ? request.startedAt : new Date(),
        models,
      )
      measured.push(one.results)
      models = one.models
      if (loop.enough?.(measured)) break
    } catch (error) {
      // Ctrl-C once during a run: the runs measured before it are written; so they are when a later run fails.
      if (interruption.code !== undefined) continue
      if (measured.length === 0) throw error
      const failedRun = `Run ${run} of ${runs} failed, so the runs stopped there: ${(error as Error).message}`
      progress.note(failedRun)
      return { measured, failedRun }
    }
  }
  return { measured, failedRun: undefined }
}

/** A --vary's measurement at each value: the latency phase alone (no load levels, no sweep), on a stack of its own. */
export function measureEachValue(
  request: { vary: Vary; settings: RunSettings; where: RoleUrls; startedAt: Date },
  progress: Progress,
  interruption: Interruption,
): NonNullable<WhatIfRequest['measure']> {
  const { vary, settings, where } = request
  const sampled = settings.quick
    ? {}
    : { latencyBudgetMs: VARY_RUN.latencyBudgetMs, minSamples: VARY_RUN.minSamples, maxSamples: VARY_RUN.maxSamples }
  return async ({ scenario: at, value, variants: measuring, models }) => {
    const where_ = `${vary.parameter} = ${value}${vary.unit ? ` ${vary.unit}` : ''}`
    if (interruption.code !== undefined) return { failed: 'not measured: the run was interrupted (Ctrl-C) before this value' }
    progress.note(`${where_}: a stack of its own`)
    try {
      // The reference request alone: the mix's sample would cost each value its time, and a what-if reads p50 against the floor.
      const single = resolveScenario(at, { traffic: { kind: 'single' } })
      const runSettings = { ...settings, ...sampled, variants: measuring, connections: [...VARY_RUN.connections], sweep: false }
      return (await measureOnStack(single, runSettings, where, progress, interruption, request.startedAt, models)).results
    } catch (error) {
      // One value that cannot be measured (its stack did not start, a variant answered 504) does not cost the others.
      const why =
        interruption.code !== undefined
          ? 'not measured: the run was interrupted (Ctrl-C) while this value was measured'
          : error instanceof CorrectnessError
            ? `not measured: the correctness check failed: ${error.message}`
            : `not measured: ${(error as Error).message}`
      progress.note(`${where_}: ${why}`)
      return { failed: why }
    }
  }
}
