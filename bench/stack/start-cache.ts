/**
 * Chooses and starts the price cache's store, in this order:
 * 1. `--redis-url` / `REDIS_URL` when given: that Redis, and failing to reach it is an error;
 * 2. otherwise a `redis-server` the lab starts itself on a free 127.0.0.1 port, with no
 *    persistence, stopped by `stop()`;
 * 3. only when there is no redis-server on this machine: an in-process store, announced
 *    loudly, because its numbers are not those of a real network cache.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stopChild } from './lab-process.ts'
import type { RunningRedis } from './stack-roles.ts'
import {
  connectRedisStore,
  createInProcessStore,
  redactUrl,
  type CacheStore,
  type RedisStoreOptions,
} from '../../variants/shared/cache-store.ts'

export type { RunningRedis } from './stack-roles.ts'

export interface RunningCache extends Omit<RunningRedis, 'url'> {
  store: CacheStore
  /** host:port of the Redis (never its password); null for the in-process map. */
  address: string | null
}

export interface StartRedisOptions {
  /** From --redis-url or REDIS_URL. */
  redisUrl?: string | undefined
  warn?: (message: string) => void
  /** Tests set this to check the fallback; by default PATH is searched. */
  redisServerPath?: string | null
}

export interface StartCacheOptions extends StartRedisOptions, Pick<RedisStoreOptions, 'commandTimeoutMs' | 'maxPendingCommands'> {}

const IN_PROCESS_WARNING = [
  '',
  '!!! No Redis: REDIS_URL is not set and there is no redis-server on PATH.',
  '!!! The cached variants use an IN-PROCESS map instead. Their numbers leave out the',
  '!!! network round trip and serialisation a real cache costs. Install redis-server',
  '!!! (Debian: apt-get install redis-server) or set REDIS_URL for real figures.',
  '',
].join('\n')

/** Finds or starts the Redis the cached variants use (see the order at the top of this file). */
export async function startRedis(options: StartRedisOptions): Promise<RunningRedis> {
  const warn = options.warn ?? ((message: string) => console.warn(message))
  if (options.redisUrl) {
    return {
      url: options.redisUrl,
      description: `redis at ${redactUrl(options.redisUrl)}`,
      startedByLab: false,
      pid: null,
      stop: async () => {},
    }
  }
  const binary = options.redisServerPath === undefined ? await findOnPath('redis-server') : options.redisServerPath
  if (!binary) {
    warn(IN_PROCESS_WARNING)
    return { url: undefined, description: 'in-process map (no Redis found)', startedByLab: false, pid: null, stop: async () => {} }
  }
  const server = await startRedisServer(binary)
  return {
    url: server.url,
    description: `redis at ${server.url} (redis-server started by the lab)`,
    startedByLab: true,
    pid: server.pid,
    stop: server.stop,
  }
}

/** The store for a Redis found by startRedis: connected to it, or in-process when there is none. */
export async function openCacheStore(url: string | undefined, options: RedisStoreOptions): Promise<CacheStore> {
  return url === undefined ? createInProcessStore() : connectRedisStore(url, options)
}

/** host:port of a Redis URL (never its password), for a role's hello; null for none. */
export function redisAddress(url: string | undefined): string | null {
  if (url === undefined) return null
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || '6379'}`
  } catch {
    return null
  }
}

/** startRedis and openCacheStore in one, for a process that serves the API itself. */
export async function startCache(options: StartCacheOptions): Promise<RunningCache> {
  const redis = await startRedis(options)
  try {
    const { commandTimeoutMs, maxPendingCommands, warn } = options
    const store = await openCacheStore(redis.url, { commandTimeoutMs, maxPendingCommands, warn })
    const { description, startedByLab, pid } = redis
    return {
      store,
      address: redisAddress(redis.url),
      description,
      pid,
      startedByLab,
      async stop() {
        await store.close()
        await redis.stop()
      },
    }
  } catch (error) {
    await redis.stop()
    throw error
  }
}

export interface RedisServer {
  url: string
  /** redis-server's own pid (tests freeze it with SIGSTOP). */
  pid: number
  /** The watchdog shell that runs it. */
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * A watchdog between the lab and redis-server: it runs Redis, prints its pid, and stops
 * it on SIGTERM, or when its stdin closes — which happens when the lab dies, even from
 * SIGKILL, so no redis-server is left behind. SIGCONT after SIGTERM: a Redis frozen by
 * SIGSTOP (as the tests do) only acts on the SIGTERM once it runs again.
 */
const WATCHDOG = `"$@" & child=$!; echo $child; stop() { kill $child 2>/dev/null; kill -CONT $child 2>/dev/null; wait $child; }; trap 'stop; exit 0' TERM INT; read _; stop`

/**
 * Starts redis-server on a free loopback port, without persistence, and waits until it
 * answers (a PING, which a Redis with a password answers with an error: still up).
 * `extraArgs` go to redis-server as they are (tests pass `--requirepass`).
 */
export async function startRedisServer(binary = 'redis-server', port?: number, extraArgs: string[] = []): Promise<RedisServer> {
  port ??= await findFreePort()
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
    '--loglevel',
    'warning',
    ...extraArgs,
  ]
  const child = spawn('sh', ['-c', WATCHDOG, 'redis-watchdog', binary, ...args], {
    // stdin: the lifeline (never written; closed when the lab exits). Its own process
    // group: a Ctrl-C in the terminal reaches the lab, which stops Redis last.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
  const stop = (): Promise<void> => stopChild(child)
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, sleep(50).then(() => undefined)])
    if (failed) throw new Error(`Cannot start redis-server (${binary}): ${failed.message}`)
    if (child.exitCode !== null) throw new Error(`redis-server exited at start (code ${child.exitCode}): ${stderr.trim()}`)
    const pid = Number.parseInt(stdout, 10)
    if (pid > 0 && (await answersPing(port))) return { url: `redis://127.0.0.1:${port}`, pid, process: child, stop }
  }
  await stop()
  throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 5 s: ${stderr.trim()}`)
}

/** A bare RESP PING over TCP: no client library, no retries. */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    // "-NOAUTH": a Redis that wants a password is up all the same.
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH')))
  })
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function findOnPath(command: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, command)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return null
}
