/**
 * The CPU the API spends on requests: from the first request of a busy period to the end of
 * its last response, every thread's (process.cpuUsage) and the event loop thread's alone.
 *
 * The event loop thread's own CPU time is read from Linux's /proc (schedstat, in
 * nanoseconds): Node 20 has no API for one thread's CPU time, and process.cpuUsage()
 * counts every thread, the runtime's helpers (JIT compilation, concurrent GC) too.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ADMIN_PREFIX } from '../roles/protocol.ts'

/** When a variant's work starts: returns the function to call when it settles (called after `maxHoldMs` at the latest). */
export type Hold = (request: FastifyRequest) => () => void

/**
 * A request to one of these routes (or to another /__lab/ path). The router decodes the path
 * and accepts an absolute-form target, so `/%5F_lab/counters` and `http://h/__lab/counters`
 * reach `/__lab/counters` too: for such a target, the route it matched decides. A plain path
 * (no `%`), the variants' every request, is read as sent, without the route's options (whose
 * getter builds an object, on the measured requests' path).
 */
export function isAdminRequest(request: FastifyRequest): boolean {
  const url = request.url
  if (url.startsWith(ADMIN_PREFIX)) return true
  if (url.startsWith('/') && !url.includes('%')) return false
  return (request.routeOptions.url ?? '').startsWith(ADMIN_PREFIX)
}

/** CPU time so far, in microseconds: every thread's, and the event loop thread's alone (null where the OS does not tell). */
function cpuNow(): { all: number; mainThread: number | null } {
  const { user, system } = process.cpuUsage()
  return { all: user + system, mainThread: mainThreadMicros() }
}

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`
let schedstatReadable = true

/** The event loop thread's CPU time: the first field of its schedstat, in nanoseconds. */
function mainThreadMicros(): number | null {
  if (!schedstatReadable) return null
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1000
  } catch {
    schedstatReadable = false
    return null
  }
}

/**
 * CPU time spent while at least one request other than the admin routes is in flight:
 * from the first request of a busy period to the end of its last response (the socket's
 * `close`, which also comes for a request whose caller went away). Returns a reading, and the requests in flight now.
 */
export function trackBusyCpu(
  app: FastifyInstance,
  maxHoldMs: number,
): { read(): { all: number; mainThread: number | null }; inFlight(): number; handled(): number; hold: Hold } {
  // A request is in flight from its first byte until both its connection has closed and its
  // variant's work has settled: a client that goes away (autocannon at a level's end) closes the
  // one while the other runs on, its calls and lookups still to come.
  let inFlight = 0
  // When the current busy period began; null until its opening read is taken.
  let since: ReturnType<typeof cpuNow> | null = null
  const spent = { all: 0, mainThread: 0 as number | null }
  const elapsed = (from: ReturnType<typeof cpuNow>, to: ReturnType<typeof cpuNow>) => ({
    all: to.all - from.all,
    mainThread: from.mainThread === null || to.mainThread === null ? null : to.mainThread - from.mainThread,
  })
  const plus = (a: typeof spent, b: typeof spent) => ({
    all: a.all + b.all,
    mainThread: a.mainThread === null || b.mainThread === null ? null : a.mainThread + b.mainThread,
  })
  /** What still holds each request in flight: its open connection, its running work. */
  const holds = new WeakMap<object, { count: number }>()
  const release = (held: { count: number }): void => {
    if (--held.count === 0 && --inFlight === 0) {
      if (since) Object.assign(spent, plus(spent, elapsed(since, cpuNow())))
      since = null
    }
  }
  let handled = 0
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminRequest(request)) return
    handled++
    // The busy period's opening read is taken once this request's handler has sent its first
    // calls, not before it: read cold, after the API sat idle, it costs ~0.1 ms on this
    // project's machines, which a request one at a time would pay on its critical path. The
    // CPU missed is the first request's setup, once per busy period (rare under load).
    if (inFlight++ === 0) {
      setImmediate(() => {
        if (inFlight > 0 && since === null) since = cpuNow()
      })
    }
    const held = { count: 1 }
    holds.set(request.raw, held)
    reply.raw.once('close', () => release(held))
  })
  const hold: Hold = (request) => {
    const held = holds.get(request.raw)
    if (!held) return () => {}
    held.count++
    let done = false
    const end = (): void => {
      if (done) return
      done = true
      clearTimeout(letGo)
      release(held)
    }
    const letGo = setTimeout(end, maxHoldMs)
    letGo.unref()
    return end
  }
  return {
    read: () => (inFlight > 0 && since ? plus(spent, elapsed(since, cpuNow())) : { ...spent }),
    inFlight: () => inFlight,
    handled: () => handled,
    hold,
  }
}
