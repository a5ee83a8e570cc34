/**
 * Every step of a run goes through here: shown as progress, and followed by a look at the
 * API's cache counters, so the steps during which the price cache was unavailable (Redis
 * away, or lookups skipped at the cap) are noted. The cached variants then answered from
 * pricing, and every rendering says where. With --trace, each step tells the API which phase its
 * requests are of and the share of them to trace.
 */
import type { Progress, Step } from '../cli/progress.ts'
import type { CacheOutage } from '../record/results.ts'
import type { ApiProcess } from '../stack/api-process.ts'
import type { TraceSettings } from '../../lab-api/trace-file.ts'

export interface StepRunner {
  run<T>(step: Step, work: () => Promise<T>): Promise<T>
  /** The steps the cache was unavailable for, so far. */
  readonly cacheOutages: CacheOutage[]
}

export function createStepRunner(progress: Progress, api: ApiProcess, trace?: TraceSettings): StepRunner {
  const cacheOutages: CacheOutage[] = []
  let before = { outages: 0, shedLookups: 0 }
  return {
    cacheOutages,
    async run(step, work) {
      // --trace: every request of the latency phase, a sample under load; none of the lab's own (correctness, warm-up, calibration).
      if (trace)
        await api.tracePhase(step.phase, step.phase === 'latency' ? 1 : step.phase === 'load' || step.phase === 'sweep' ? trace.ratio : 0)
      const result = await progress.run(step, work)
      const usage = await api.usage()
      const now = { outages: usage.cacheOutages, shedLookups: usage.cacheShedLookups }
      const outages = now.outages - before.outages
      const shedLookups = now.shedLookups - before.shedLookups
      if (outages || shedLookups) cacheOutages.push({ phase: step.phase, step: step.label, outages, shedLookups })
      before = now
      return result
    },
  }
}
