/**
 * The finishing step of a run, after measuring and before anything is rendered or written: its
 * duration, the comparison against the baseline and the --threshold checks added, then the whole
 * checked against its schema and frozen (record/write-results.ts, sealResults). Only the sealed
 * results reach the renderers and the writer, so a report never says "valid" of a results.json
 * the schema marked invalid.
 */
import { checkThresholds, compareResults } from './compare/compare-runs.ts'
import type { Gate } from './gate.ts'
import type { MeasuredRun, Results, WhatIf } from './record/results.ts'
import { sealResults } from './record/write-results.ts'
import { join } from 'node:path'

const secondsSince = (startedAt: Date): number => Math.round((Date.now() - startedAt.getTime()) / 100) / 10

export function finishRun(
  measured: MeasuredRun,
  request: { startedAt: Date; outDir: string; gate: Gate; baseline: { path: string; results: Results } | undefined },
): { results: Results; schemaProblem: string | undefined } {
  const { baseline, gate } = request
  const run = { ...measured, durationSeconds: secondsSince(request.startedAt) }
  const comparison = baseline
    ? compareResults(baseline.results, run, {
        noisePercent: gate.noisePercent,
        baselinePath: baseline.path,
        currentPath: join(request.outDir, 'results.json'),
      })
    : null
  return sealResults({ ...run, comparison, thresholds: checkThresholds(run, gate.thresholds) })
}

export function finishWhatIf(whatIf: WhatIf, startedAt: Date): { results: WhatIf; schemaProblem: string | undefined } {
  whatIf.durationSeconds = secondsSince(startedAt)
  return sealResults(whatIf)
}
