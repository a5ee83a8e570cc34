/**
 * `--trace DIR`, `--otlp URL` and `--trace-sample R` (bench and serve): the API's requests as
 * OpenTelemetry traces (lab-api/tracing.ts), written as OTLP JSON lines to DIR/api-traces.jsonl,
 * sent to a collector over OTLP/HTTP, or both. Only their form is checked here.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError, readNumberFlag, type FlagSpec, type FlagValues } from './flags.ts'
import type { TraceSettings } from '../../lab-api/trace-file.ts'

/** Under load (and in the sweep), the share of requests traced unless --trace-sample; the latency phase traces every one. */
export const DEFAULT_TRACE_SAMPLE = 0.1

export const TRACE_FLAGS = {
  trace: {
    type: 'string',
    value: 'DIR',
    help: "write the API's requests as OpenTelemetry traces, OTLP JSON (one export request per line, as the collector's file exporter writes them), to DIR/api-traces.jsonl: a server span per request, a span per stage, a client span per upstream call (peer.service) and per Redis command",
  },
  otlp: {
    type: 'string',
    value: 'URL',
    help: 'send the same traces to an OpenTelemetry collector over OTLP/HTTP (JSON), e.g. http://127.0.0.1:4318/v1/traces',
  },
  'trace-sample': {
    type: 'string',
    value: 'R',
    help: `the share of requests traced under load, drawn from the scenario's seed (default ${DEFAULT_TRACE_SAMPLE}; every request of the latency phase is traced; with npm run serve, the share of all requests, default 1)`,
  },
} as const satisfies Record<string, FlagSpec>

/** The tracing asked for, or undefined. `defaultRatio`: the share traced where the harness does not say (serve: 1; the bench says per phase). */
export function readTraceFlags(values: FlagValues, seed: number, defaultRatio: number): TraceSettings | undefined {
  const dir = readDir(values.trace)
  const otlpUrl = readOtlpUrl(values.otlp)
  const sample = readNumberFlag(values, 'trace-sample')
  if (sample !== undefined && (!(sample > 0) || sample > 1))
    throw new UsageError(`Flag --trace-sample: got ${values['trace-sample']}; expected a share above 0 and at most 1, e.g. 0.1.`)
  if (dir === undefined && otlpUrl === undefined) {
    if (sample !== undefined) throw new UsageError('Flag --trace-sample needs --trace DIR or --otlp URL: there is nothing to sample for.')
    return undefined
  }
  return { ...(dir ? { dir } : {}), ...(otlpUrl ? { otlpUrl } : {}), ratio: sample ?? defaultRatio, seed }
}

function readDir(raw: string | boolean | undefined): string | undefined {
  if (raw === undefined) return undefined
  if (typeof raw !== 'string' || raw === '')
    throw new UsageError('Flag --trace: expected a directory to write the traces to, e.g. --trace traces.')
  const dir = resolve(raw)
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`Flag --trace: ${raw} is a file, not a directory.`)
  return dir
}

function readOtlpUrl(raw: string | boolean | undefined): string | undefined {
  if (raw === undefined) return undefined
  const expected = 'expected an OTLP/HTTP traces endpoint, e.g. --otlp http://127.0.0.1:4318/v1/traces'
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`Flag --otlp: ${expected}.`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`Flag --otlp: got "${raw}", which is not a URL; ${expected}.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`Flag --otlp: got "${raw}"; ${expected}.`)
  if (url.username || url.password) throw new UsageError(`Flag --otlp: got a URL with credentials; ${expected}, without them.`)
  return url.href
}
