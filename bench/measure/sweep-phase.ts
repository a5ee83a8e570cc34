/**
 * The peak-load sweep (--sweep): each variant at increasing offered load, as a fixed
 * request rate (an open model, see open-load.ts: a slow server cannot slow the load
 * down), around the saturation predicted from the scenario. Per level: goodput,
 * latency, errors, 503/504s and the upstreams' queues.
 */
import { runOpenLoad } from './open-load.ts'
import type { PhaseContext, Target } from './phase-context.ts'
import { percentiles, statedPercentile } from './stats.ts'
import { nonOkStatuses, round, roundStated } from '../record/format.ts'
import type { SweepLevel } from '../record/results.ts'
import type { SweepPlan } from './plan.ts'
import { SERVICE_NAMES } from '../../scenario/types.ts'

const MAX_CONNECTIONS = 4000

/** Each swept variant at each planned rate, from a freshly filled cache; the levels measured, per variant. */
export async function runSweepPhase(
  context: PhaseContext,
  deadlineMs: number,
  sweeps: SweepPlan[],
): Promise<Record<string, SweepLevel[]>> {
  const measured: Record<string, SweepLevel[]> = {}
  for (const { variant, levels } of sweeps) {
    await context.fillCache(variant)
    measured[variant] = []
    for (const level of levels) {
      measured[variant].push(await context.run(level.step, () => measureSweepLevel({ ...context, deadlineMs }, variant, level.offeredPerSec, level.seconds)))
    }
  }
  return measured
}

async function measureSweepLevel(
  context: Pick<Target, 'api' | 'upstreams' | 'path' | 'reference'> & { deadlineMs: number },
  variant: string,
  offeredPerSec: number,
  durationSeconds: number,
): Promise<SweepLevel> {
  const { api, upstreams, path, reference, deadlineMs } = context
  // Enough connections for every request that can be in flight: the rate times the deadline, and some.
  const connections = Math.min(MAX_CONNECTIONS, Math.max(4, Math.ceil((offeredPerSec * (deadlineMs + 1000) * 1.2) / 1000)))
  await upstreams.resetStats()
  const run = await runOpenLoad({
    origin: api.url,
    path: `/${variant}${path}`,
    ratePerSec: offeredPerSec,
    durationSeconds,
    timeoutMs: deadlineMs + 5000,
    connections,
    reference,
  })
  const stats = await upstreams.stats()
  // No answer at all within the level: 0, as before any answer came.
  const [p50, max] = run.latenciesMs.length ? percentiles(run.latenciesMs, [50, 100]) : [0, 0]
  const p99 = statedPercentile(run.latenciesMs, 99)
  const non2xx = Object.values(nonOkStatuses(run.statusCodes)).reduce((sum, n) => sum + n, 0)
  return {
    offeredPerSec: round(offeredPerSec),
    connections,
    durationSeconds: round(run.durationSeconds),
    requests: run.sent,
    goodputPerSec: round(run.okInWindow / run.windowSeconds),
    answered: run.latenciesMs.length,
    p50Ms: round(p50),
    p99Ms: roundStated(p99),
    maxMs: round(max),
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx,
    statusCodes: run.statusCodes,
    mismatches: run.mismatches,
    upstreams: Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const s = stats.services[name]
        return [name, { calls: s.calls, maxBusy: s.maxBusy, queued: s.queued, longestWaitMs: s.longestWaitMs, rejected: s.rejected, cancelled: s.cancelled }]
      }),
    ) as SweepLevel['upstreams'],
  }
}

