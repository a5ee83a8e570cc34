import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import type { UpstreamStats } from './protocol.ts'

/**
 * A service's capacity: at most `workers` calls served at once; further calls wait in a
 * FIFO queue of at most `queueLimit`, and one more is refused (the service answers 503).
 * The queue wait is part of the call's latency.
 */

export interface Ticket {
  /** True when the call had to wait for a worker. */
  queued: boolean
  /** Resolves with the function that frees the worker, once the call has one. Rejects if `signal` aborts first. */
  ready: Promise<() => void>
}

export interface Capacity {
  /** A place in line, or undefined when the queue is full. */
  acquire(signal?: AbortSignal): Ticket | undefined
  readonly busy: number
  readonly waiting: number
}

export function createCapacity(workers: number, queueLimit: number): Capacity {
  let busy = 0
  const queue: Array<{ grant: () => void }> = []

  const release = (): void => {
    const next = queue.shift()
    if (next) next.grant()
    else busy--
  }
  const once = (): (() => void) => {
    let done = false
    return () => {
      if (done) return
      done = true
      release()
    }
  }

  return {
    acquire(signal) {
      if (busy < workers) {
        busy++
        return { queued: false, ready: Promise.resolve(once()) }
      }
      if (queue.length >= queueLimit) return undefined
      const ready = new Promise<() => void>((resolve, reject) => {
        const entry = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve(once())
          },
        }
        const onAbort = (): void => {
          const index = queue.indexOf(entry)
          if (index >= 0) queue.splice(index, 1)
          reject(signal?.reason ?? new Error('aborted'))
        }
        if (signal?.aborted) return reject(signal.reason)
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.push(entry)
      })
      return { queued: true, ready }
    },
    get busy() {
      return busy
    },
    get waiting() {
      return queue.length
    },
  }
}

export function createCapacities(scenario: Scenario): Record<ServiceName, Capacity> {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, createCapacity(scenario.services[name].workers, scenario.services[name].queueLimit)]),
  ) as Record<ServiceName, Capacity>
}

export interface Worker {
  /** When the call got its worker: its latency runs from here. */
  startedAt: number
  release(): void
}

/**
 * Takes a worker of `service` for a call that arrived at `receivedAt`, recording in
 * `stats` how busy the service is and how long the call waited. Undefined, with a 503
 * recorded, when the queue is full. Rejects if `signal` aborts while the call waits.
 */
export async function takeWorker(
  capacity: Capacity,
  stats: UpstreamStats,
  service: ServiceName,
  receivedAt: number,
  signal?: AbortSignal,
): Promise<Worker | undefined> {
  const ticket = capacity.acquire(signal)
  if (!ticket) {
    stats.rejected(service)
    return undefined
  }
  const release = await ticket.ready
  const startedAt = performance.now()
  stats.working(service, capacity.busy)
  if (ticket.queued) stats.queued(service, startedAt - receivedAt)
  return { startedAt, release }
}
