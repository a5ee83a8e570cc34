/**
 * Writes a run's files atomically: each goes to a temporary file first and is renamed
 * into place, results.json last, so a directory with a results.json is complete and an
 * interrupted run never leaves a file that looks finished. results/latest then points at
 * the new run, if it was a measured one.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { RESULTS_SCHEMA, WHAT_IF_SCHEMA, type Results, type WhatIf } from './results.ts'

export const RESULTS_DIR = fileURLToPath(new URL('../../results', import.meta.url))

/** A new directory name for a run: results/2026-11-26T05-23-50Z */
export function defaultRunDir(startedAt: Date): string {
  return join(RESULTS_DIR, startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-'))
}

const ajv = new Ajv({ allErrors: true, strict: true })
let validateRun: ReturnType<Ajv['compile']> | undefined
let validateWhatIf: ReturnType<Ajv['compile']> | undefined

/** Checks a measured run's results against RESULTS_SCHEMA; throws with every problem named. */
export function assertValidResults(results: unknown): asserts results is Results {
  check((validateRun ??= ajv.compile(RESULTS_SCHEMA)), results)
}

/** Checks a what-if's results (--predict, --vary) against WHAT_IF_SCHEMA; throws with every problem named. */
export function assertValidWhatIf(whatIf: unknown): asserts whatIf is WhatIf {
  check((validateWhatIf ??= ajv.compile(WHAT_IF_SCHEMA)), whatIf)
}

function check(validate: ReturnType<Ajv['compile']>, document: unknown): void {
  if (!validate(document)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`).join('; ')
    throw new Error(`results.json does not match its schema: ${problems}`)
  }
}

export interface RunFiles {
  'report.html': string
  'summary.md': string
}

/**
 * Writes the run. Results that fail the schema are a bug in the lab, but a run is never
 * thrown away for it: they are written, marked invalid, and the problem is returned.
 */
export async function writeRun(dir: string, results: Results | WhatIf, files: RunFiles): Promise<string | undefined> {
  let schemaProblem: string | undefined
  try {
    if (results.kind === 'what-if') assertValidWhatIf(results)
    else assertValidResults(results)
  } catch (error) {
    schemaProblem = (error as Error).message
    results.valid = false
    results.problems.push(schemaProblem)
  }
  await mkdir(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeAtomically(join(dir, name), content)
  await writeAtomically(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  // results/latest is the newest measured run: a what-if (--predict, --vary) does not move it.
  if (results.kind === 'run' && resolve(dirname(dir)) === resolve(RESULTS_DIR)) await pointLatestAt(dir)
  return schemaProblem
}

export async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, content)
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/** results/latest → the newest run, replaced atomically (a new link renamed over the old one). */
async function pointLatestAt(dir: string): Promise<void> {
  const link = join(RESULTS_DIR, 'latest')
  const temporary = `${link}.${process.pid}.tmp`
  await rm(temporary, { force: true })
  await symlink(basename(dir), temporary)
  await rename(temporary, link)
}
