/**
 * Roles placed by URL (docs/roles-on-hosts.md): the mocked upstreams started with
 * `npm run upstreams` and the API under test started with `npm run serve`, on this host or
 * another, measured by `npm run bench -- --api URL --upstreams URL`.
 *
 * Each role is greeted (GET /__lab/hello, roles/protocol.ts) before anything is measured,
 * and every way it can be the wrong one is a RoleError naming the role and its URL: it does
 * not answer, refuses the lab's token, is not the lab or not that role, runs another version
 * of the lab, runs other values of the scenario fields it acts on, serves other code than the
 * variants modelled here, or calls other mocks than those given. The lab never stops a role
 * it did not start.
 */
import { Type, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { messageOf } from './admin-client.ts'
import { apiAt, type ApiProcess } from './api-process.ts'
import { upstreamsAt, type UpstreamProcess } from './upstream-process.ts'
import type { UpstreamsHello } from '../../mock-upstreams/protocol.ts'
import {
  HELLO_PATH,
  labCodeDigest,
  LAB_PROTOCOL,
  LAB_TOKEN_HEADER,
  LAB_VERSION,
  labTokenHeaders,
  ROLE_SCENARIO_FIELDS,
  scenarioDifferences,
  type Hello,
  type RoleName,
} from '../../roles/protocol.ts'
import { SERVICE_NAMES, type Scenario } from '../../scenario/types.ts'
import type { ApiHello } from '../../lab-api/protocol.ts'
import { CACHE_BACKENDS } from '../../variants/shared/cache-stats.ts'
import { variantDigest } from '../../variants/shared/variant-files.ts'

/** A role placed by URL that cannot be used: the message names the role and the URL. */
export class RoleError extends Error {
  constructor(
    readonly role: RoleName,
    readonly url: string,
    message: string,
  ) {
    super(message)
    this.name = 'RoleError'
  }
}

/** The hellos' shapes (roles/protocol.ts, UpstreamsHello, ApiHello): a role that answers another shape is named, not read. */
const HostShape = Type.Object({
  hostname: Type.String(),
  cores: Type.Integer({ minimum: 1 }),
  cpuModel: Type.String(),
  node: Type.String(),
  platform: Type.String(),
  bootId: Type.Union([Type.String(), Type.Null()]),
})
const perService = (schema: TSchema) => Type.Object(Object.fromEntries(SERVICE_NAMES.map((name) => [name, schema])))
const HELLO_SHAPES: Record<RoleName, TSchema> = {
  upstreams: Type.Object({
    code: Type.String(),
    instance: Type.String(),
    host: HostShape,
    scenario: Type.Object({}),
    ports: perService(Type.Integer({ minimum: 1, maximum: 65535 })),
  }),
  api: Type.Object({
    code: Type.String(),
    instance: Type.String(),
    host: HostShape,
    scenario: Type.Object({}),
    variants: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
    cacheBackend: Type.Union(CACHE_BACKENDS.map((backend) => Type.Literal(backend))),
    gc: Type.Boolean(),
    upstreams: Type.Object({ urls: perService(Type.String()), instance: Type.Union([Type.String(), Type.Null()]) }),
    cacheAddress: Type.Union([Type.String(), Type.Null()]),
  }),
}

/** How long a role has to answer its hello. */
const HELLO_TIMEOUT_MS = 5000

const ROLE_TITLE: Record<RoleName, string> = { api: 'API', upstreams: 'upstreams' }
const ROLE_COMMAND: Record<RoleName, string> = { api: 'npm run serve', upstreams: 'npm run upstreams' }

/** The role's hello, checked to be the lab's `role`, of this version and protocol. */
export async function greet<T extends Hello>(role: RoleName, url: string): Promise<T> {
  const title = ROLE_TITLE[role]
  const fail = (message: string): never => {
    throw new RoleError(role, url, message)
  }
  let response: Response
  try {
    response = await fetch(`${url}${HELLO_PATH}`, { headers: labTokenHeaders(), signal: AbortSignal.timeout(HELLO_TIMEOUT_MS) })
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${HELLO_TIMEOUT_MS / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message)
    return fail(
      `Cannot reach the ${title} at ${url} (${why}). Is \`${ROLE_COMMAND[role]}\` running there, listening on an address this host can reach (its --host)?`,
    )
  }
  const text = await response.text().catch(() => '')
  if (response.status === 401) {
    return fail(
      `The ${title} at ${url} refused the lab's token (${messageOf(text)}). Set the same LAB_TOKEN for every role; it travels in the ${LAB_TOKEN_HEADER} header.`,
    )
  }
  let answer: Partial<Hello> | undefined
  try {
    answer = JSON.parse(text) as Partial<Hello>
  } catch {
    // not JSON: not the lab
  }
  if (!response.ok || answer?.lab !== 'api-speedup-lab') {
    return fail(
      `${url} does not answer as api-speedup-lab's ${title}: GET ${HELLO_PATH} answered ${response.status} ${text.slice(0, 120)}. Give the URL that \`${ROLE_COMMAND[role]}\` printed.`,
    )
  }
  if (answer.role !== role) {
    return fail(
      `${url} is the lab's ${ROLE_TITLE[answer.role as RoleName] ?? String(answer.role)}, not its ${title}: give it as --${String(answer.role)}.`,
    )
  }
  if (answer.protocol !== LAB_PROTOCOL || answer.version !== LAB_VERSION) {
    return fail(
      `The ${title} at ${url} runs api-speedup-lab ${String(answer.version)} (protocol ${String(answer.protocol)}); this one is ${LAB_VERSION} (protocol ${LAB_PROTOCOL}). Run the same version of the lab on every host.`,
    )
  }
  const [error] = Value.Errors(HELLO_SHAPES[role], answer)
  if (error)
    return fail(
      `The ${title} at ${url} answered a hello this lab cannot read (${error.instancePath || 'the answer'}: ${error.message}). Run the same version of the lab on every host.`,
    )
  return answer as T
}

/** Fails unless the role runs the same code as this checkout (after any more precise check of the caller's). */
function checkCode(role: RoleName, url: string, hello: Hello): void {
  const here = labCodeDigest()
  if (hello.code !== here) {
    throw new RoleError(
      role,
      url,
      `The ${ROLE_TITLE[role]} at ${url} runs other code than this checkout (code digest ${hello.code.slice(0, 12)} there, ${here.slice(0, 12)} here): the same version with local changes, or another commit. Run the same commit, with the same changes, on every host, and restart the role after editing it.`,
    )
  }
}

/** Fails unless the role runs the harness's values of the scenario fields it acts on. */
function checkScenario(role: RoleName, url: string, hello: Hello, scenario: Scenario): void {
  const fields = scenarioDifferences(hello.scenario as object, scenario, ROLE_SCENARIO_FIELDS[role])
  if (fields.length) {
    throw new RoleError(
      role,
      url,
      `The ${ROLE_TITLE[role]} at ${url} runs another scenario than this bench: ${fields.join(', ')} differ${fields.length === 1 ? 's' : ''}. Start it with the same scenario flags (or --scenario file) as the bench.`,
    )
  }
}

/** The mocks started with `npm run upstreams` at `url` (their first service's), checked, with every service's port reachable. */
export async function connectUpstreams(url: string, scenario: Scenario): Promise<UpstreamProcess> {
  const hello = await greet<UpstreamsHello>('upstreams', url)
  checkScenario('upstreams', url, hello, scenario)
  checkCode('upstreams', url, hello)
  const base = new URL(url)
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const service = new URL(base)
      service.port = String(hello.ports[name])
      return [name, service.origin]
    }),
  ) as UpstreamProcess['urls']
  // Each service has a port of its own: a firewall that lets only the first through fails here, not mid-run.
  for (const name of SERVICE_NAMES.filter((service) => urls[service] !== base.origin)) {
    const other = await greet<UpstreamsHello>('upstreams', urls[name]).catch((error: RoleError) => {
      throw new RoleError(
        'upstreams',
        url,
        `The upstreams at ${url} serve ${name} at ${urls[name]}, which does not answer as they do: ${error.message}`,
      )
    })
    if (other.instance !== hello.instance)
      throw new RoleError(
        'upstreams',
        url,
        `${urls[name]} (${name}) is another upstreams process than ${url}: the five services' ports are taken by someone else.`,
      )
  }
  return upstreamsAt(urls, hello, null, async () => {})
}

/**
 * The API started with `npm run serve` at `url`, from its hello (greet), checked: the same
 * scenario, the same code as the variants modelled here (`variantsDir`), and calling the mocks `upstreams`.
 */
export function checkedApi(url: string, hello: ApiHello, scenario: Scenario, upstreams: UpstreamProcess, variantsDir?: string): ApiProcess {
  checkScenario('api', url, hello, scenario)
  const fail = (message: string): never => {
    throw new RoleError('api', url, message)
  }
  // The most precise first: a variant's file, then the rest of the lab's code.
  const differing = Object.entries(hello.variants).filter(
    ([name, digest]) => digest === null || variantDigest(name, variantsDir) !== digest,
  )
  if (differing.length) {
    fail(
      `The API at ${url} serves other code than this checkout for ${differing.map(([name]) => name).join(', ')}: the model here would not be of the code measured there. Give both hosts the same variants/ files, and restart the API after editing one.`,
    )
  }
  checkCode('api', url, hello)
  if (!hello.gc)
    fail(
      `The API at ${url} runs without node's --expose-gc, so its garbage cannot be collected before each load level. Start it with \`npm run serve\`, which passes it.`,
    )
  if (hello.upstreams.instance !== upstreams.hello.instance) {
    fail(
      `The API at ${url} calls other upstreams (${hello.upstreams.urls.catalog}, …) than those given (${upstreams.urls.catalog}): the mocks' counters would not be its calls. Start it with --upstreams pointing at the same \`npm run upstreams\`.`,
    )
  }
  return apiAt(url, hello.cacheBackend, null, async () => {})
}
