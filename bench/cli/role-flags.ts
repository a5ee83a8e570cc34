/**
 * The flags that place a role elsewhere (docs/roles-on-hosts.md): `--api URL` and
 * `--upstreams URL` for the bench, `--upstreams URL` and `--host H` for `npm run serve` and
 * `npm run upstreams`. Only their form is checked here; whether a role answers there is the
 * stack's to find out (bench/stack/remote-roles.ts).
 */
import { UsageError, type FlagSpec, type FlagValues } from './flags.ts'
import { isLoopback } from '../../roles/protocol.ts'

export const ROLE_URL_FLAGS = {
  api: {
    type: 'string',
    value: 'URL',
    help: 'measure the API already running there (started with `npm run serve`; its URL, e.g. http://10.0.0.2:3000): nothing starts here but the load generator',
  },
  upstreams: {
    type: 'string',
    value: 'URL',
    help: 'use the mocked upstreams running there (started with `npm run upstreams`; the URL it printed)',
  },
} as const satisfies Record<string, FlagSpec>

/** The origin of a role's URL flag: plain http, a host, no path, query or credentials. */
export function readRoleUrl(values: FlagValues, flag: string): string | undefined {
  const raw = values[flag]
  if (raw === undefined) return undefined
  const expected = `expected the role's base URL, e.g. --${flag} http://10.0.0.2:${flag === 'api' ? 3000 : 4000}`
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`Flag --${flag}: ${expected}.`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`Flag --${flag}: got "${raw}", which is not a URL; ${expected}.`)
  }
  if (url.protocol !== 'http:') throw new UsageError(`Flag --${flag}: got "${raw}"; the lab's roles speak plain http (${expected}).`)
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new UsageError(
      `Flag --${flag}: got "${raw}"; give the base URL alone, without a path, query or credentials (${expected}). A token goes in LAB_TOKEN.`,
    )
  }
  return url.origin
}

export const HOST_FLAG = {
  host: {
    type: 'string',
    value: 'HOST',
    help: 'the address to listen on (default 127.0.0.1). Any other makes the /__lab/* admin endpoints reachable from that network: set LAB_TOKEN',
  },
} as const satisfies Record<string, FlagSpec>

/** --host: an address to listen on, and a warning when it reaches beyond this machine. */
export function readHost(values: FlagValues): { host: string; warning: string | null } {
  const raw = values.host
  if (raw === undefined) return { host: '127.0.0.1', warning: null }
  if (typeof raw !== 'string' || !/^[A-Za-z0-9.:-]+$/.test(raw))
    throw new UsageError(`Flag --host: got "${String(raw)}"; expected an address to listen on, e.g. 127.0.0.1, 10.0.0.2 or 0.0.0.0.`)
  const warning = isLoopback(raw)
    ? null
    : `WARNING: listening on ${raw}, beyond this machine: the /__lab/* admin endpoints (counters, cache flush, injected faults) can be reached from that network.${process.env.LAB_TOKEN ? ' They need LAB_TOKEN.' : ' Set LAB_TOKEN (the same on every role) so they need a token.'}`
  return { host: raw, warning }
}
