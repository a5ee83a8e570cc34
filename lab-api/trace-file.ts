/**
 * What the API's tracing is set with, and where --trace writes: DIR/api-traces.jsonl, OTLP JSON
 * lines (lab-api/tracing.ts appends to it). Apart from tracing.ts, so the harness reads the
 * settings and names and empties the file without loading the OpenTelemetry SDK, which only the
 * API process runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const TRACE_FILE = 'api-traces.jsonl'

/** The attribute that carries an upstream call's item count: the ids it carried (the mocks' answer says it). */
export const ITEMS_ATTRIBUTE = 'lab.items'

/** What to trace and where to: set by `--trace`, `--otlp` and `--trace-sample`. */
export interface TraceSettings {
  /** A directory: OTLP JSON lines in `api-traces.jsonl`. */
  dir?: string
  /** An OTLP/HTTP endpoint for traces, e.g. http://127.0.0.1:4318/v1/traces. */
  otlpUrl?: string
  /** The share of requests traced until the harness says otherwise (serve: all of them, or --trace-sample). */
  ratio: number
  seed: number
}

/** What the harness sets for each phase (POST ADMIN_PATHS.trace). */
export interface TracePhase {
  phase: string
  ratio: number
}

/**
 * An empty DIR/api-traces.jsonl, made by whoever starts the API (bench.ts once for all its runs
 * and stacks, serve.ts): each API process appends to it. Returns its path.
 */
export function startTraceFile(dir: string): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, TRACE_FILE)
  writeFileSync(file, '')
  return file
}
