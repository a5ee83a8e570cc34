/**
 * The wire between the lab's roles when they run apart (docs/roles-on-hosts.md):
 * the load generator (`npm run bench`), the API under test (`npm run serve`), the mocked
 * upstreams (`npm run upstreams`). Every role answers `GET /__lab/hello` with who it is (the
 * lab's version and protocol, its role, an id for this start, its host and its scenario),
 * and, when LAB_TOKEN is set in its environment, refuses every `/__lab/*` request that does
 * not carry that token. In roles/, beneath all three: the mocks, the API's plugin and the harness
 * all speak it, and none of them imports another.
 *
 * The token comparison and the host's CPU are written here by hand: a constant-time compare
 * is one call of node:crypto, and the host's busy and idle time is one line of /proc/stat.
 */
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Bumped whenever an admin endpoint or the hello changes shape: roles of two protocols cannot measure together. */
export const LAB_PROTOCOL = 3
/** Every admin path of every role starts with it: with LAB_TOKEN set, a request under it needs the token. */
export const ADMIN_PREFIX = '/__lab/'
/** `GET`: the role's Hello. */
export const HELLO_PATH = '/__lab/hello'
/** `GET`: the role process's CPU so far and its host's (a RoleCpu), read without side effects, for the self-checks of a role placed by URL. */
export const CPU_PATH = '/__lab/cpu'
/** The environment variable that holds the shared token, and the header that carries it. */
export const LAB_TOKEN_ENV = 'LAB_TOKEN'
export const LAB_TOKEN_HEADER = 'x-lab-token'

export const ROLE_NAMES = ['api', 'upstreams'] as const
export type RoleName = (typeof ROLE_NAMES)[number]

/** The lab's own version (package.json), read once. */
export const LAB_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
})()

/**
 * The lab's code, every role's: a SHA-256 over the source files of these folders (path and
 * content, line endings made LF, in path order) and the package versions the lockfile
 * resolves. Not the variant files: the API's hello gives each one's digest apart, so editing a
 * variant means restarting the API alone. Not JSON files (scenario presets, a user's own) nor
 * the lockfile's bytes, which `npm install` may rewrite on another host without changing a version.
 */
const CODE_FOLDERS = ['bench', 'lab-api', 'mock-upstreams', 'model', 'roles', 'scenario', 'variants/shared']
const CODE_FILE = /\.(ts|js|css)$/
let codeDigest: string | undefined

/**
 * The digest of the code this process runs, taken the first time it is asked for (a role asks
 * as it starts): two roles with different code, even of the same version, are not measured
 * together. A few milliseconds, once.
 */
export function labCodeDigest(): string {
  if (codeDigest) return codeDigest
  const root = fileURLToPath(new URL('..', import.meta.url))
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (CODE_FILE.test(entry.name)) files.push(path)
    }
  }
  for (const folder of CODE_FOLDERS) walk(folder)
  const hash = createHash('sha256')
  for (const file of files.sort()) hash.update(file).update(readFileSync(join(root, file), 'utf8').replaceAll('\r\n', '\n'))
  hash.update(lockedVersions(join(root, 'package-lock.json')))
  return (codeDigest = hash.digest('hex'))
}

/** Every package the lockfile resolves, as `path@version` lines in path order; empty without one. */
function lockedVersions(path: string): string {
  try {
    const { packages = {} } = JSON.parse(readFileSync(path, 'utf8')) as { packages?: Record<string, { version?: string }> }
    return Object.keys(packages)
      .filter((name) => name !== '')
      .sort()
      .map((name) => `${name}@${packages[name]?.version ?? ''}`)
      .join('\n')
  } catch {
    return ''
  }
}

/** A fresh id per process start: the API's hello names its upstreams' one, so the harness can tell it measures the mocks the API calls. */
export const INSTANCE_ID = randomUUID()

/** Where a role runs. `bootId` tells two hosts apart: roles with the same one share a kernel and its cores (network namespaces, 127.0.0.x). */
export interface HostInfo {
  hostname: string
  cores: number
  cpuModel: string
  node: string
  platform: string
  bootId: string | null
}

export function describeHost(): HostInfo {
  const list = cpus()
  return {
    hostname: hostname(),
    cores: Math.max(list.length, 1),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    bootId: readBootId(),
  }
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return null
  }
}

/** The host's CPU so far, in /proc/stat's clock ticks: busy and total over every core; null off Linux. */
export interface HostTicks {
  busy: number
  total: number
}

export function hostTicks(): HostTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!
    const numbers = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const total = numbers.slice(0, 8).reduce((sum, n) => sum + n, 0)
    return { busy: total - numbers[3]! - (numbers[4] ?? 0), total }
  } catch {
    return null
  }
}

/** A role process's CPU so far (every thread, user + system) and its host's, for the self-checks across hosts. */
export interface RoleCpu {
  cpuMicros: number
  host: HostTicks | null
  bootId: string | null
}

let bootId: string | null | undefined

export function readRoleCpu(): RoleCpu {
  const { user, system } = process.cpuUsage()
  return { cpuMicros: user + system, host: hostTicks(), bootId: (bootId ??= readBootId()) }
}

/** What every role answers at HELLO_PATH. */
export interface Hello {
  lab: 'api-speedup-lab'
  version: string
  protocol: number
  /** labCodeDigest(): the code the role runs. */
  code: string
  role: RoleName
  instance: string
  host: HostInfo
  /** The resolved scenario the role runs (the harness checks it is its own). */
  scenario: unknown
}

export function hello(role: RoleName, scenario: unknown): Hello {
  return {
    lab: 'api-speedup-lab',
    version: LAB_VERSION,
    protocol: LAB_PROTOCOL,
    code: labCodeDigest(),
    role,
    instance: INSTANCE_ID,
    host: describeHost(),
    scenario,
  }
}

/** The token this process requires and sends, from its environment; undefined when unset or empty. */
export function labToken(): string | undefined {
  return process.env[LAB_TOKEN_ENV] || undefined
}

/** The headers a client adds to its `/__lab/*` requests: the token, when this process has one. */
export function labTokenHeaders(): Record<string, string> {
  const token = labToken()
  return token ? { [LAB_TOKEN_HEADER]: token } : {}
}

/**
 * Why an admin request is refused, or null to serve it: a role started with LAB_TOKEN wants
 * the same token in the x-lab-token header (compared in constant time).
 */
export function labTokenRefusal(header: string | string[] | undefined): string | null {
  const token = labToken()
  if (!token) return null
  const given = typeof header === 'string' ? header : ''
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  if (given && timingSafeEqual(digest(given), digest(token))) return null
  return given
    ? `the ${LAB_TOKEN_HEADER} header does not match this process's ${LAB_TOKEN_ENV}: set the same ${LAB_TOKEN_ENV} for every role`
    : `this process was started with ${LAB_TOKEN_ENV}: the /__lab/* endpoints need the same token (set ${LAB_TOKEN_ENV} where the lab runs)`
}

/**
 * The scenario's fields each role acts on: a remote role must run the harness's values of
 * these (the page size and the traffic are the harness's own: it sends them in every query).
 */
export const ROLE_SCENARIO_FIELDS: Record<RoleName, readonly string[]> = {
  upstreams: ['seed', 'catalogSize', 'services'],
  api: [
    'cacheTtlSeconds',
    'cacheGraceSeconds',
    'cacheCommandTimeoutMs',
    'cacheMaxPendingCommands',
    'upstreamTimeoutMs',
    'requestDeadlineMs',
    'upstreamConnections',
  ],
}

/** The top-level fields of two scenarios that differ (only `fields`, if given), their names excepted (presets name the same world differently). */
export function scenarioDifferences(a: object, b: object, fields?: readonly string[]): string[] {
  const { name: _a, ...left } = a as Record<string, unknown>
  const { name: _b, ...right } = b as Record<string, unknown>
  const keys = fields ?? [...new Set([...Object.keys(left), ...Object.keys(right)])]
  return keys.filter((key) => JSON.stringify(left[key]) !== JSON.stringify(right[key]))
}

/** An address as a URL's host: an IPv6 one in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/** True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
