/**
 * The stack a run measures: Redis (or the in-process stand-in), the mocked upstreams in a
 * child process and the API under test in another, each on a free 127.0.0.1 port.
 */
import type { Scenario } from '../../scenario/types.ts'
import { startApiProcess, type ApiProcess } from './api-process.ts'
import { startRedis, type RunningRedis } from './start-cache.ts'
import { startUpstreamProcess, type UpstreamProcess } from './upstream-process.ts'

export interface Stack {
  redis: RunningRedis
  upstreams: UpstreamProcess
  api: ApiProcess
  /** Stops whatever was started, last started first. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts Redis, the upstreams and the API; if any part fails, stops what had started.
 * `onStarted` receives the stop function before anything starts, so a Ctrl-C during
 * start-up stops what is already running.
 */
export async function startStack(scenario: Scenario, redisUrl: string | undefined, warn: (message: string) => void, onStarted?: (stop: () => Promise<void>) => void): Promise<Stack> {
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
  try {
    const redis = await keep(await startRedis({ redisUrl, warn }))
    const upstreams = await keep(await startUpstreamProcess(scenario))
    const api = await keep(await startApiProcess(scenario, upstreams.urls, redis.url))
    return { redis, upstreams, api, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
