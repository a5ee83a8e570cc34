/**
 * Writes a run's files atomically: each goes to a temporary file first and is renamed
 * into place, results.json last, so a directory with a results.json is complete and an
 * interrupted run never leaves a file that looks finished. results/latest then points at
 * the new run, if it was a measured one. Also reads a saved run back, for a comparison.
 */
import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import stringify from 'json-stringify-pretty-compact'
import { NOISE_FILE_VERSION, NOISE_SCHEMA, RESULTS_SCHEMA, WHAT_IF_SCHEMA, type NoiseFile, type Results, type WhatIf } from './results.ts'
import { deepFreeze } from '../../scenario/deep-freeze.ts'

export const RESULTS_DIR = fileURLToPath(new URL('../../results', import.meta.url))

/** A new directory name for a run: results/2026-11-26T05-23-50Z */
export function defaultRunDir(startedAt: Date): string {
  return join(
    RESULTS_DIR,
    startedAt
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replace(/:/g, '-'),
  )
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
 * Finished results, checked against their schema and frozen: nothing downstream (rendering,
 * writing) can change them. Results that fail the schema are a bug in the lab, but a run is
 * never thrown away for it: they are kept, marked invalid, and the problem is returned.
 */
export function sealResults<T extends Results | WhatIf>(results: T): { results: T; schemaProblem: string | undefined } {
  let schemaProblem: string | undefined
  try {
    if (results.kind === 'what-if') assertValidWhatIf(results)
    else assertValidResults(results)
  } catch (error) {
    schemaProblem = (error as Error).message
    results.valid = false
    results.problems.push(schemaProblem)
  }
  return { results: deepFreeze(results), schemaProblem }
}

/**
 * Writes a sealed run's files: report.html and summary.md first, then `data` (an A/A's set B and
 * noise file, as JSON, each at its path under `dir`), results.json last.
 */
export async function writeRun(dir: string, results: Results | WhatIf, files: RunFiles, data: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeAtomically(join(dir, name), content)
  for (const [name, value] of Object.entries(data)) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeAtomically(join(dir, name), `${stringify(value, { maxLength: 120 })}\n`)
  }
  // Indented, with the short arrays and objects (a call's [service, ids, answers], a stage) on one line each.
  await writeAtomically(join(dir, 'results.json'), `${stringify(results, { maxLength: 120 })}\n`)
  // results/latest is the newest measured run: a what-if (--predict, --vary) does not move it.
  if (results.kind === 'run' && resolve(dirname(dir)) === resolve(RESULTS_DIR)) await pointLatestAt(dir)
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

/**
 * A saved run's results.json, for a comparison: `latest` (results/latest), a run's directory,
 * or the file itself. Throws an Error that names the path and says what is wrong (no such
 * file, not JSON, a what-if, another schema version, a file that does not match the schema).
 */
export async function readSavedRun(
  where: string,
  schemaCheck: (results: { schemaVersion?: unknown; kind?: unknown }) => string | undefined,
): Promise<{ path: string; results: Results }> {
  const base = where === 'latest' ? join(RESULTS_DIR, 'latest') : resolve(where)
  let path = base
  try {
    if ((await stat(base)).isDirectory()) path = join(base, 'results.json')
  } catch {
    throw new Error(`${where}: no such file or directory${where === 'latest' ? ' (no run has been written to results/latest yet)' : ''}.`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new Error(`${path}: not a results.json the lab can read (${(error as Error).message}).`)
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path}: not a results.json (not a JSON object).`)
  const mismatch = schemaCheck(parsed as { schemaVersion?: unknown; kind?: unknown })
  if (mismatch) throw new Error(`${path}: ${mismatch}`)
  try {
    assertValidResults(parsed)
  } catch (error) {
    throw new Error(`${path}: does not match results.json's schema: ${(error as Error).message.slice(0, 500)}`)
  }
  return { path, results: parsed }
}

let validateNoise: ReturnType<Ajv['compile']> | undefined

/**
 * A noise file (--noise FILE): an A/A's noise.json, or the directory holding it. Throws an Error
 * that names the path and says what is wrong (no such file, not JSON, not a noise file, another
 * version, a field that does not match its schema).
 */
export async function readNoiseFile(where: string): Promise<{ path: string; noise: NoiseFile }> {
  let path = resolve(where)
  try {
    if ((await stat(path)).isDirectory()) path = join(path, 'noise.json')
  } catch {
    throw new Error(`${where}: no such file or directory.`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new Error(`${path}: not a noise file the lab can read (${(error as Error).message}).`)
  }
  const { kind, version } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { kind?: unknown; version?: unknown }
  if (kind !== 'noise')
    throw new Error(`${path}: not a noise file (kind ${JSON.stringify(kind ?? null)}); an A/A writes one: npm run bench -- --aa --runs N.`)
  if (version !== NOISE_FILE_VERSION)
    throw new Error(`${path}: a noise file of version ${String(version)}; this lab reads ${NOISE_FILE_VERSION}. Measure the A/A again.`)
  const validate = (validateNoise ??= ajv.compile(NOISE_SCHEMA))
  if (!validate(parsed)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`).join('; ')
    throw new Error(`${path}: does not match the noise file's schema: ${problems.slice(0, 500)}`)
  }
  return { path, noise: parsed as NoiseFile }
}

/** Checks a noise file against its schema (a mismatch is a bug in the lab): throws naming every problem. */
export function assertValidNoise(noise: unknown): asserts noise is NoiseFile {
  const validate = (validateNoise ??= ajv.compile(NOISE_SCHEMA))
  if (!validate(noise)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`).join('; ')
    throw new Error(`noise.json does not match its schema: ${problems}`)
  }
}
