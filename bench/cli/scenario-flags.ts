/**
 * The scenario from the command line: the flags that set scenario fields, their help
 * (which reads every default from the scenario's defaults), and the layering of defaults,
 * the --scenario file and the flags, with errors that name the flag the user typed.
 */
import { readFile } from 'node:fs/promises'
import { readNumberFlag, UsageError, type FlagSpec, type FlagValues } from './flags.ts'
import { DEFAULT_SCENARIO } from '../../scenario/defaults.ts'
import { resolveScenario, ScenarioError } from '../../scenario/resolve-scenario.ts'
import { suggest } from '../../scenario/suggest.ts'
import { FAULT_KINDS, SERVICE_NAMES, type Scenario, type ScenarioInput } from '../../scenario/types.ts'

const D = DEFAULT_SCENARIO

/** "catalog 100, inventory 40, …": a per-service default, read from the defaults. */
function perServiceDefault(field: 'latencyMs' | 'perItemMs' | 'workers'): string {
  return SERVICE_NAMES.map((service) => `${service} ${D.services[service][field]}`).join(', ')
}

export const SCENARIO_FLAGS = {
  scenario: { type: 'string', value: 'FILE', help: 'a JSON scenario file; its fields override the defaults, flags override it' },
  latency: { type: 'string', value: 'MS', help: `base latency of every service (defaults: ${perServiceDefault('latencyMs')})` },
  ...Object.fromEntries(
    SERVICE_NAMES.flatMap((service) => [
      [
        `${service}-latency`,
        { type: 'string', value: 'MS', help: `base latency of ${service} (wins over --latency; default ${D.services[service].latencyMs})` },
      ],
      [
        `${service}-per-item`,
        { type: 'string', value: 'MS', help: `extra latency per id in a ${service} call (default ${D.services[service].perItemMs})` },
      ],
    ]),
  ),
  faults: {
    type: 'string',
    value: 'SPEC',
    help: "faults injected into every service's calls, as shares of calls: error=R,hang=R,reset=R (e.g. error=0.01); rates not named keep their value",
  },
  ...Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      `${service}-faults`,
      { type: 'string', value: 'SPEC', help: `faults injected into ${service}'s calls (wins over --faults)` },
    ]),
  ),
  workers: {
    type: 'string',
    value: 'N',
    help: `calls each service serves at once; more wait in its queue (defaults: ${perServiceDefault('workers')})`,
  },
  deadline: { type: 'string', value: 'MS', help: `the API's deadline per request: past it, 504 (default ${D.requestDeadlineMs})` },
  jitter: { type: 'string', value: 'SPEC', help: 'jitter of every service: none | uniform:MAX_MS | lognormal:MEDIAN_MS:SIGMA' },
  products: { type: 'string', value: 'N', help: `products per page (default ${D.productsPerPage})` },
  'catalog-size': { type: 'string', value: 'N', help: `products in the generated catalog (default ${D.catalogSize})` },
  seed: { type: 'string', value: 'N', help: `seed of the generated data, the jitter and the injected faults (default ${D.seed})` },
  'cache-ttl': { type: 'string', value: 'S', help: `price cache TTL in seconds (default ${D.cacheTtlSeconds})` },
  'cache-grace': {
    type: 'string',
    value: 'S',
    help: `seconds past its TTL a stale price list may still be served while it refreshes (swr; default ${D.cacheGraceSeconds})`,
  },
  'cache-timeout': {
    type: 'string',
    value: 'MS',
    help: `a Redis command taking longer is an outage: the price comes from pricing (default ${D.cacheCommandTimeoutMs}; raise it on a busy machine)`,
  },
  traffic: {
    type: 'string',
    value: 'KIND',
    help: `the requests measured: mix (a seeded Zipf mix of listing pages) or single (page 1 only, as in the story) (default ${D.traffic.kind})`,
  },
  zipf: {
    type: 'string',
    value: 'S',
    help: `the mix's Zipf exponent: the request of rank r is asked for in proportion to 1 / r^S (default ${D.traffic.zipfExponent})`,
  },
  pages: { type: 'string', value: 'N', help: `pages of each listing in the mix (default ${D.traffic.pages})` },
  categories: {
    type: 'string',
    value: 'N',
    help: `top-level categories with a listing in the mix, besides the whole catalogue, 0 to 8 (default ${D.traffic.categories})`,
  },
  limits: { type: 'string', value: 'N,N', help: `page sizes in the mix, the most popular first (default ${D.traffic.limits.join(',')})` },
  'mix-sample': {
    type: 'string',
    value: 'N',
    help: `requests of the mix the latency phase sends to each variant (default ${D.traffic.sample})`,
  },
  'redis-url': { type: 'string', value: 'URL', help: 'use this Redis (else REDIS_URL, else a redis-server the lab starts)' },
  help: { type: 'boolean', help: 'show this help' },
} satisfies Record<string, FlagSpec>

/** Which flag sets a scenario field, so a range error names what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  productsPerPage: '--products',
  catalogSize: '--catalog-size',
  seed: '--seed',
  cacheTtlSeconds: '--cache-ttl',
  cacheGraceSeconds: '--cache-grace',
  cacheCommandTimeoutMs: '--cache-timeout',
  requestDeadlineMs: '--deadline',
  'traffic.kind': '--traffic',
  'traffic.zipfExponent': '--zipf',
  'traffic.pages': '--pages',
  'traffic.categories': '--categories',
  'traffic.limits': '--limits',
  'traffic.sample': '--mix-sample',
}

/** The scenario from the defaults, the --scenario file and the flags, in that order. */
export async function resolveScenarioFromFlags(values: FlagValues): Promise<Scenario> {
  const fileLayer = typeof values.scenario === 'string' ? await readScenarioFile(values.scenario) : {}
  try {
    resolveScenario(fileLayer)
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`Scenario file ${String(values.scenario)}: ${error.message}`)
    throw error
  }
  try {
    return resolveScenario(fileLayer, scenarioLayerFromFlags(values))
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error
    const flag = FLAG_OF_FIELD[error.field.replace(/\[\d+\]$/, '')] ?? flagOfServiceField(error.field, values)
    throw new UsageError(flag ? `Flag ${flag}: got ${JSON.stringify(error.value)}; expected ${error.accepted}.` : error.message)
  }
}

function flagOfServiceField(field: string, values: FlagValues): string | undefined {
  const match = /^services\.([a-z]+)\.(latencyMs|perItemMs|jitter|workers|faults)/.exec(field)
  if (!match) return undefined
  if (match[2] === 'faults') return values[`${match[1]}-faults`] === undefined ? '--faults' : `--${match[1]}-faults`
  if (match[2] === 'jitter') return '--jitter'
  if (match[2] === 'workers') return '--workers'
  if (match[2] === 'perItemMs') return `--${match[1]}-per-item`
  return values[`${match[1]}-latency`] === undefined ? '--latency' : `--${match[1]}-latency`
}

export function scenarioLayerFromFlags(values: FlagValues): ScenarioInput {
  const latency = readNumberFlag(values, 'latency')
  const jitter = typeof values.jitter === 'string' ? parseJitter(values.jitter) : undefined
  const faults = typeof values.faults === 'string' ? parseFaults(values.faults, 'faults') : {}
  const services = Object.fromEntries(
    SERVICE_NAMES.map((service) => {
      const own = values[`${service}-faults`]
      return [
        service,
        {
          latencyMs: readNumberFlag(values, `${service}-latency`) ?? latency,
          perItemMs: readNumberFlag(values, `${service}-per-item`),
          workers: readNumberFlag(values, 'workers', true),
          jitter,
          faults: { ...faults, ...(typeof own === 'string' ? parseFaults(own, `${service}-faults`) : {}) },
        },
      ]
    }),
  )
  return {
    services,
    productsPerPage: readNumberFlag(values, 'products', true),
    catalogSize: readNumberFlag(values, 'catalog-size', true),
    seed: readNumberFlag(values, 'seed', true),
    cacheTtlSeconds: readNumberFlag(values, 'cache-ttl', true),
    cacheGraceSeconds: readNumberFlag(values, 'cache-grace', true),
    cacheCommandTimeoutMs: readNumberFlag(values, 'cache-timeout', true),
    requestDeadlineMs: readNumberFlag(values, 'deadline', true),
    traffic: {
      kind: typeof values.traffic === 'string' ? values.traffic : undefined,
      zipfExponent: readNumberFlag(values, 'zipf'),
      pages: readNumberFlag(values, 'pages', true),
      categories: readNumberFlag(values, 'categories', true),
      limits: typeof values.limits === 'string' ? parseLimits(values.limits) : undefined,
      sample: readNumberFlag(values, 'mix-sample', true),
    },
  }
}

/** N,N,…: the mix's page sizes, each an integer (their range is checked with the scenario). */
function parseLimits(spec: string): number[] {
  const sizes = spec.split(',').map((part) => (part.trim() === '' ? NaN : Number(part)))
  if (sizes.some((size) => !Number.isInteger(size)))
    throw new UsageError(`Flag --limits: got "${spec}"; expected page sizes separated by commas, e.g. 50,20.`)
  return sizes
}

/** none | uniform:MAX_MS | lognormal:MEDIAN_MS:SIGMA */
export function parseJitter(spec: string): ScenarioInput {
  const [kind, ...params] = spec.split(':')
  const numbers = params.map(Number)
  const bad = (): never => {
    throw new UsageError(
      `Flag --jitter: got "${spec}"; expected none, uniform:MAX_MS or lognormal:MEDIAN_MS:SIGMA (e.g. uniform:5, lognormal:3:0.5).`,
    )
  }
  if (numbers.some((n, i) => !Number.isFinite(n) || params[i]?.trim() === '')) bad()
  if (kind === 'none' && params.length === 0) return { kind }
  if (kind === 'uniform' && params.length === 1) return { kind, maxMs: numbers[0] }
  if (kind === 'lognormal' && params.length === 2) return { kind, medianMs: numbers[0], sigma: numbers[1] }
  return bad()
}

/** error=R,hang=R,reset=R (any of them, in any order), or none: the rates of scenario field `faults`. */
export function parseFaults(spec: string, flag: string): ScenarioInput {
  const bad = (why: string): never => {
    throw new UsageError(
      `Flag --${flag}: got "${spec}"; ${why}. Expected none or error=R,hang=R,reset=R with each R a share of calls from 0 to 1 (e.g. error=0.01,hang=0.001).`,
    )
  }
  if (spec === 'none') return { errorRate: 0, hangRate: 0, resetRate: 0 }
  const rates: ScenarioInput = {}
  for (const part of spec.split(',')) {
    const [kind, raw, ...rest] = part.split('=')
    if (raw === undefined || rest.length > 0 || raw.trim() === '') bad(`"${part}" is not KIND=RATE`)
    if (!(FAULT_KINDS as readonly string[]).includes(kind!)) {
      const close = suggest(kind!, FAULT_KINDS)
      bad(`"${kind}" is not a fault${close ? ` (did you mean "${close}"?)` : ''}`)
    }
    const field = `${kind}Rate`
    if (field in rates) bad(`"${kind}" is given twice`)
    const rate = Number(raw)
    if (!Number.isFinite(rate)) bad(`"${raw}" is not a number`)
    rates[field] = rate
  }
  return rates
}

async function readScenarioFile(path: string): Promise<ScenarioInput> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`Cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`Scenario file ${path} is not valid JSON: ${(error as Error).message}.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`Scenario file ${path} must hold a JSON object of scenario fields, e.g. {"productsPerPage": 20}.`)
  }
  return value as ScenarioInput
}
