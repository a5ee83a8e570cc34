/**
 * Every step of a run goes through here: shown as progress, and followed by a look at the
 * API's cache counters, so the steps during which the price cache was unavailable (Redis
 * away, or lookups skipped at the cap) are noted. The cached variants then answered from
 * pricing, and every rendering says where.
 */
import type { Progress, Step } from '../cli/progress.ts'
import type { CacheOutage } from '../record/results.ts'
import type { ApiProcess } from '../stack/api-process.ts'

export interface StepRunner {
  run<T>(step: Step, work: () => Promise<T>): Promise<T>
  /** The steps the cache was unavailable for, so far. */
  readonly cacheOutages: CacheOutage[]
}

export function createStepRunner(progress: Progress, api: ApiProcess): StepRunner {
  const cacheOutages: CacheOutage[] = []
  let before = { outages: 0, shedLookups: 0 }
  return {
    cacheOutages,
    async run(step, work) {
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
