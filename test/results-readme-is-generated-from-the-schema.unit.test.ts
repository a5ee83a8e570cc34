/**
 * results/README.md is the results contract's own documentation, generated from it
 * (`npm run results-readme`): every field of both contracts has a description in
 * bench/record/results.ts, the file on disk is what the schema renders now, and a changed
 * description without a regeneration is caught. The version history is written once, newest
 * first, down to version 1.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RESULTS_SCHEMA, SCHEMA_VERSION } from '../bench/record/results.ts'
import { SCHEMA_HISTORY } from '../bench/record/results-history.ts'
import { RESULTS_README, resultsReadme, undescribedFields, type Schema } from '../scripts/results-readme.ts'

describe('results/README.md', () => {
  it('documents every field of results.json and of a what-if', () => {
    expect(undescribedFields()).toEqual([])
  })

  it('is what the schema renders now (else: npm run results-readme)', () => {
    expect(readFileSync(RESULTS_README, 'utf8') === resultsReadme(), 'results/README.md is stale: run `npm run results-readme`').toBe(true)
  })

  it('goes stale when a description changes', () => {
    const changed = structuredClone(RESULTS_SCHEMA) as Schema & { properties: Record<string, Schema> }
    changed.properties.valid!.description = `${changed.properties.valid!.description} (changed)`
    expect(resultsReadme(changed)).not.toBe(readFileSync(RESULTS_README, 'utf8'))
    expect(resultsReadme(changed)).toContain(changed.properties.valid!.description)
    // The same schema, copied, renders the file as it is: the difference above is the description's.
    expect(resultsReadme(structuredClone(RESULTS_SCHEMA) as Schema)).toBe(readFileSync(RESULTS_README, 'utf8'))
  })

  it('has one entry per version, newest first, the newest the current one', () => {
    expect(SCHEMA_HISTORY.map((e) => e.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => SCHEMA_VERSION - i))
    for (const entry of SCHEMA_HISTORY) expect(entry.change).toMatch(new RegExp(`^Version ${entry.version}\\b`))
    expect(resultsReadme()).toContain(SCHEMA_HISTORY[0]!.change)
  })
})
