/**
 * `npm run calibrate -- FILE… [--out scenario.json] [--map NAME=service]…`: a team's own
 * production latencies, from its traces (OTLP JSON, Jaeger JSON, Zipkin v2 JSON), as a scenario
 * the lab runs (`npm run bench -- --scenario FILE`). Prints the calibration report; writes the
 * scenario. Exit 2 on a bad flag, a file it cannot read or a called service not mapped.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { calibrate, NoCallsError, UnmappedServicesError, type ServiceMap } from './calibrate/calibrate-traces.ts'
import { calibratedScenario, JITTER_FITS, type JitterFit } from './calibrate/calibrated-scenario.ts'
import { readTraceFile, TraceFileError, type TraceSpan } from './calibrate/read-traces.ts'
import { calibrationReport, renderCalibration, renderCalibrationHtml } from './calibrate/render-calibration.ts'
import { whatFixesBuy } from './calibrate/what-fixes-buy.ts'
import { listFlag, parseFlags, renderHelp, UsageError, type FlagSpec } from './cli/flags.ts'
import { EXIT } from './gate.ts'
import { ITEMS_ATTRIBUTE } from '../lab-api/trace-file.ts'
import { ScenarioError } from '../scenario/resolve-scenario.ts'
import { SERVICE_NAMES, type ServiceName } from '../scenario/types.ts'

const FLAGS = {
  out: {
    type: 'string',
    value: 'FILE',
    help: 'where to write the scenario (default calibrated.json); the report goes beside it (calibrated.html)',
  },
  map: {
    type: 'string',
    value: 'NAME=SERVICE',
    multiple: true,
    help: `a called service's name in the traces → one of the lab's (${SERVICE_NAMES.join(', ')}) or ignore; repeatable. Names equal to the lab's map to themselves`,
  },
  'map-file': {
    type: 'string',
    value: 'FILE',
    help: 'the same mapping as a JSON file, e.g. {"stock-api": "inventory", "audit-log": "ignore"}; a --map given too wins',
  },
  items: {
    type: 'string',
    value: 'KEY',
    help: `the span attribute that holds a call's item count (default ${ITEMS_ATTRIBUTE}, the lab's own)`,
  },
  endpoint: {
    type: 'string',
    value: 'NAME',
    help: "the endpoint whose shape is matched with the story's variants: its server span's name (default: the one with the most requests)",
  },
  jitter: {
    type: 'string',
    value: 'FIT',
    help: "the jitter the scenario gets: empirical (default: the calls' own quantiles) or lognormal (the fitted one, where one fits)",
  },
} satisfies Record<string, FlagSpec>

const USAGE = `Usage: npm run calibrate -- FILE… [flags]

Reads traces of your endpoint (OTLP JSON as the collector's file exporter writes it, Jaeger's
JSON export, Zipkin v2 JSON; told apart by content) and writes a scenario with your services'
latencies: base, per-item cost, jitter, error share. Then: npm run bench -- --scenario FILE.
Of each span it keeps the names of its service and of the one it called, its ids (to link spans),
its name (compared with --endpoint), its start, duration, item count and whether it failed; it
prints or writes only service names, durations, item counts and error shares.`

async function main(): Promise<number> {
  const argv = process.argv.slice(2)
  const { files, flags } = splitFiles(argv)
  const values = parseFlags(flags, FLAGS)
  if (values.help) {
    console.log(renderHelp(USAGE, FLAGS))
    return EXIT.ok
  }
  if (files.length === 0) throw new UsageError('Give one or more trace files: npm run calibrate -- traces.json [flags]. See --help.')
  const map = { ...(typeof values['map-file'] === 'string' ? readMapFile(values['map-file']) : {}), ...readMap(listFlag(values, 'map')) }
  const itemsKey = typeof values.items === 'string' ? values.items : ITEMS_ATTRIBUTE
  const jitter = readJitterFit(values.jitter)
  const out = typeof values.out === 'string' ? values.out : 'calibrated.json'
  const spans: TraceSpan[] = []
  const formats: string[] = []
  for (const file of files) {
    const read = await readTraceFile(file, itemsKey)
    for (const span of read.spans) spans.push(span)
    formats.push(`${file} (${read.format})`)
  }
  const calibration = calibrate(spans, map, typeof values.endpoint === 'string' ? values.endpoint : undefined)
  const { input, scenario } = calibratedScenario(calibration, files, jitter)
  const report = calibrationReport(
    calibration,
    formats,
    await whatFixesBuy(
      scenario,
      calibration.shape,
      SERVICE_NAMES.filter((s) => calibration.services[s] || calibration.failedOnly.includes(s)),
    ),
  )
  console.log(renderCalibration(report))
  const page = out.replace(/(\.json)?$/, '.html')
  writeFileSync(out, `${JSON.stringify(input, null, 2)}\n`)
  writeFileSync(page, renderCalibrationHtml(report))
  console.log(`\nWrote ${out} and the report ${page}. Run it: npm run bench -- --scenario ${out}`)
  return EXIT.ok
}

/** The trace files (the arguments that are not flags or their values) apart from the flags. */
function splitFiles(argv: string[]): { files: string[]; flags: string[] } {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }]))
  const { tokens } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const positions = new Set(tokens.flatMap((t) => (t.kind === 'positional' ? [t.index] : [])))
  return { files: argv.filter((_, i) => positions.has(i)), flags: argv.filter((_, i) => !positions.has(i)) }
}

function readMap(entries: string[], flag = '--map'): ServiceMap {
  const map: ServiceMap = {}
  const targets = [...SERVICE_NAMES, 'ignore']
  for (const entry of entries) {
    const at = entry.lastIndexOf('=')
    const [name, target] = [entry.slice(0, at), entry.slice(at + 1)]
    if (at <= 0 || !targets.includes(target))
      throw new UsageError(
        `Flag ${flag}: got "${entry}"; expected NAME=SERVICE with SERVICE one of ${targets.join(', ')}, e.g. --map stock-api=inventory.`,
      )
    map[name] = target as ServiceName | 'ignore'
  }
  return map
}

/** A mapping file: a JSON object of called names to the lab's services (or ignore), checked as --map is. */
function readMapFile(file: string): ServiceMap {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON'
    throw new UsageError(`Flag --map-file: ${file}: ${why}; expected {"NAME": "SERVICE", …}.`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`Flag --map-file: ${file}: expected a JSON object {"NAME": "SERVICE", …}.`)
  return readMap(
    Object.entries(parsed).map(([name, target]) => `${name}=${String(target)}`),
    `--map-file ${file}`,
  )
}

function readJitterFit(raw: string | boolean | undefined): JitterFit {
  if (raw === undefined) return 'empirical'
  if (typeof raw === 'string' && (JITTER_FITS as readonly string[]).includes(raw)) return raw as JitterFit
  throw new UsageError(`Flag --jitter: got "${String(raw)}"; expected ${JITTER_FITS.join(' or ')}.`)
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      error instanceof TraceFileError ||
      error instanceof UnmappedServicesError ||
      error instanceof NoCallsError ||
      error instanceof ScenarioError
    ) {
      console.error(error.message)
      process.exit(EXIT.usage)
    }
    console.error(`calibrate failed: ${(error as Error).message}`)
    process.exit(1)
  },
)
