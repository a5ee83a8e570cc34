/**
 * The finishing step of a run, after measuring and before anything is rendered or written: its
 * duration, the comparison against the baseline and the --threshold checks added, then the whole
 * checked against its schema and frozen (record/write-results.ts, sealResults). Only the sealed
 * results reach the renderers and the writer, so a report never says "valid" of a results.json
 * the schema marked invalid.
 */
import { checkThresholds, compareResults } from './compare/compare-runs.ts'
import { noiseFileOf } from './compare/noise.ts'
import type { Gate } from './gate.ts'
import type { MeasuredRun, NoiseFile, Results, WhatIf } from './record/results.ts'
import { assertValidNoise, sealResults } from './record/write-results.ts'
import { join, relative } from 'node:path'

const secondsSince = (startedAt: Date): number => Math.round((Date.now() - startedAt.getTime()) / 100) / 10

export function finishRun(
  measured: MeasuredRun,
  request: { startedAt: Date; outDir: string; gate: Gate; baseline: { path: string; results: Results } | undefined },
): { results: Results; schemaProblem: string | undefined } {
  const { baseline, gate } = request
  const run = { ...measured, durationSeconds: secondsSince(request.startedAt) }
  const comparison = baseline
    ? compareResults(baseline.results, run, {
        noise: gate.noise,
        detect: gate.detect,
        failOnRegressed: gate.failOnRegressed,
        baselinePath: baseline.path,
        currentPath: join(request.outDir, 'results.json'),
      })
    : null
  return sealResults({ ...run, comparison, thresholds: checkThresholds(run, gate.thresholds) })
}

/**
 * An A/A (--aa): set B finished alone, set A finished against it as against a baseline, and the
 * noise file made from their comparison. The files: set A's as any run's, set B's results.json
 * in aa-b/, noise.json beside them (`data`, written before results.json).
 */
export function finishAa(
  { setA, setB }: { setA: MeasuredRun; setB: MeasuredRun | null },
  request: { startedAt: Date; outDir: string; gate: Gate },
): { results: Results; schemaProblem: string | undefined; data: Record<string, Results | NoiseFile> } {
  const alone = { ...request, baseline: undefined }
  if (!setB) {
    const problems = [...setA.problems, 'The A/A stopped before set B was measured: nothing is compared and no noise file is written.']
    return { ...finishRun({ ...setA, valid: false, problems }, alone), data: {} }
  }
  const b = finishRun(setB, alone).results
  const baseline = { path: join(request.outDir, 'aa-b', 'results.json'), results: b }
  // The noise of an A/A that is not valid (a run failed, Ctrl-C, a body that differed) would pass for a measure: none is written.
  if (!setA.valid || !setB.valid) {
    const problems = [...setA.problems, ...setB.problems.map((p) => `Set B: ${p}`), 'The A/A is not valid: no noise file is written.']
    const finished = finishRun({ ...setA, valid: false, problems, run: { ...setA.run, aa: { noiseFile: null } } }, { ...request, baseline })
    return { ...finished, data: { 'aa-b/results.json': b } }
  }
  const noisePath = join(request.outDir, 'noise.json')
  const aa = { noiseFile: relative(process.cwd(), noisePath) || noisePath }
  const finished = finishRun({ ...setA, run: { ...setA.run, aa } }, { ...request, baseline })
  const noise = noiseFileOf(finished.results.comparison!, setA, setB)
  try {
    assertValidNoise(noise)
  } catch (error) {
    // A bug in the lab: the runs are kept, the noise file is not written, and the warning says why.
    return { ...finished, schemaProblem: (error as Error).message, data: { 'aa-b/results.json': b } }
  }
  return { ...finished, data: { 'aa-b/results.json': b, 'noise.json': noise } }
}

export function finishWhatIf(whatIf: WhatIf, startedAt: Date): { results: WhatIf; schemaProblem: string | undefined } {
  whatIf.durationSeconds = secondsSince(startedAt)
  return sealResults(whatIf)
}
