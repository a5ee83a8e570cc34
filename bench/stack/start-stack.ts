/**
 * The stack a run measures: Redis (or the in-process stand-in), the mocked upstreams in a
 * child process and the API under test in another, each on a free 127.0.0.1 port; or, for
 * each role given by URL (docs/roles-on-hosts.md), that role where it runs,
 * greeted and checked (remote-roles.ts), and never stopped by the lab.
 */
import { preforkApiProcess } from './api-process.ts'
import { checkedApi, connectUpstreams, greet } from './remote-roles.ts'
import { redisAddress, startRedis, type RunningRedis } from './start-cache.ts'
import { startUpstreamProcess } from './upstream-process.ts'
import type { Hello } from '../../roles/protocol.ts'
import type { PlacedRole, Stack } from './stack-roles.ts'
import type { Scenario } from '../../scenario/types.ts'
import type { ApiHello } from '../../lab-api/protocol.ts'
import type { TraceSettings } from '../../lab-api/trace-file.ts'

/** Where the roles are: a URL for each one placed elsewhere; the others are started here. */
export interface RoleUrls {
  /** From --redis-url or REDIS_URL: the Redis to use (with --api, the one the API is expected to use). */
  redisUrl?: string | undefined
  /** From --api: an API started with `npm run serve`. */
  api?: string | undefined
  /** From --upstreams: mocks started with `npm run upstreams`. */
  upstreams?: string | undefined
}

/** Where a role ran: its URL, whether it was placed by URL (not started by the lab), and its host. */
export type { PlacedRole, Stack, StackRoles } from './stack-roles.ts'

/**
 * Starts Redis, the upstreams and the API, or connects to those given by URL; if any part
 * fails, stops what had started. `onStarted` receives the stop function before anything
 * starts, so a Ctrl-C during start-up stops what is already running.
 */
export async function startStack(
  scenario: Scenario,
  where: RoleUrls,
  warn: (message: string) => void,
  onStarted?: (stop: () => Promise<void>) => void,
  trace?: TraceSettings,
): Promise<Stack> {
  const stops: Array<() => Promise<void>> = []
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stopPart of stops.reverse()) await stopPart().catch(() => {})
    })())
  onStarted?.(stop)
  /** A part that started after the stack was told to stop (Ctrl-C during start-up) is stopped at once, and the start-up ends there. */
  const keep = async <T extends { stop(): Promise<void> }>(part: T): Promise<T> => {
    if (stopping) {
      await part.stop().catch(() => {})
      throw new Error('The stack was stopped while it was starting.')
    }
    stops.push(part.stop)
    return part
  }
  const placed = (url: string, hello: Hello, byUrl: boolean): PlacedRole => ({ url, placed: byUrl, host: hello.host })
  try {
    if (where.api) {
      const hello = await greet<ApiHello>('api', where.api)
      // The API's mocks: those given, else those it says it calls.
      const upstreamsUrl = where.upstreams ?? hello.upstreams.urls.catalog
      const upstreams = await connectUpstreams(upstreamsUrl, scenario)
      const api = checkedApi(where.api, hello, scenario, upstreams)
      const given = redisAddress(where.redisUrl)
      if (given !== null && given !== hello.cacheAddress)
        warn(
          `The API at ${where.api} uses ${hello.cacheAddress === null ? 'no Redis (an in-process map)' : `the Redis at ${hello.cacheAddress}`}, not ${given}: its own is measured.`,
        )
      // A run starts with an empty cache, as on a stack of its own.
      await api.flushCache()
      const redis: RunningRedis = {
        url: undefined,
        description:
          hello.cacheBackend === 'redis'
            ? `redis at ${hello.cacheAddress} (the API's, at ${where.api})`
            : `in-process map (the API at ${where.api} has no Redis)`,
        startedByLab: false,
        pid: null,
        stop: async () => {},
      }
      const roles = {
        api: placed(where.api, hello, true),
        upstreams: placed(upstreamsUrl, upstreams.hello, true),
        redis: { address: hello.cacheAddress, placed: true },
      }
      return { redis, upstreams, api, roles, stop }
    }
    // The API loads its modules while Redis and the mocks start, side by side; it is told their addresses once they listen.
    const apiProcess = await keep(preforkApiProcess())
    const [redis, upstreams] = await bothStarted(
      startRedis({ redisUrl: where.redisUrl, warn }).then(keep),
      where.upstreams ? connectUpstreams(where.upstreams, scenario) : startUpstreamProcess(scenario).then(keep),
    )
    // A Ctrl-C while the mocks given by URL were greeted: the API is not told to start (stop() stops it, forked or not).
    if (stopping) throw new Error('The stack was stopped while it was starting.')
    // The API stops before the parts it calls (no warning that Redis went away): last in the list, which stops from the end.
    stops.push(...stops.splice(stops.indexOf(apiProcess.stop), 1))
    const api = await apiProcess.start({
      scenario,
      upstreamUrls: upstreams.urls,
      upstreamsInstance: upstreams.hello.instance,
      redisUrl: redis.url,
      // Nothing traced until the harness names the phase (steps.ts).
      ...(trace ? { trace: { ...trace, ratio: 0 } } : {}),
    })
    const apiHello = await greet<ApiHello>('api', api.url)
    const roles = {
      api: placed(api.url, apiHello, false),
      upstreams: placed(where.upstreams ?? upstreams.urls.catalog, upstreams.hello, where.upstreams !== undefined),
      redis: { address: redisAddress(redis.url), placed: !redis.startedByLab && redis.url !== undefined },
    }
    return { redis, upstreams, api, roles, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Both parts, once both have settled: a part that started is kept (stopped with the stack) even when the other failed. */
async function bothStarted<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b])
  if (first.status === 'rejected') throw first.reason
  if (second.status === 'rejected') throw second.reason
  return [first.value, second.value]
}
