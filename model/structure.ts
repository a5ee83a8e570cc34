/**
 * A virtual run as a structure of calls, to be worked out again at other latencies without
 * running the code (the report's what-if sliders, in the page): each call's service, its ids,
 * the time it took beyond its service's base latency and per-item cost (its jitter: the mean,
 * or the seed's draw), and the answers it was made after. Worked out again, each call is made
 * once every answer it was made after has come, waits for a worker of its service in the order
 * calls reach it (as the mocks and the virtual world hold them), and takes its service's latency
 * at the new values; the request answers once the answers it waited for have come.
 *
 * That is exact for code whose calls depend on answers only: the same calls in the same order at
 * any latency. Code whose control flow depends on time (a timeout, a hedge, a batching window)
 * can make other calls at other values; `checkStructure` compares the structure with the model's
 * own runs, and a variant it does not match is marked in the page.
 *
 * Written by hand: it is the model's own queueing, replayed; no library holds it.
 */
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import type { VirtualRun } from './types.ts'

export interface CallStructure {
  /** Each call in the order made: its service's index in SERVICE_NAMES, its ids, and how many answers had come when it was made. */
  calls: Array<[service: number, items: number, answersBefore: number]>
  /** Each call's time beyond its service's base latency and per-item cost at the run's scenario, in ms; null when none has any (no jitter). */
  offsetsMs: number[] | null
  /** The calls' indices in the order their answers came (answered calls only). */
  answerOrder: number[]
  /** How many answers had come when the request answered: it waited for those. */
  answered: number
}

/** What the structure is worked out at: each service's base latency, per-item cost and workers. */
export interface StructureValues {
  latencyMs: Record<ServiceName, number>
  perItemMs: Record<ServiceName, number>
  workers: Record<ServiceName, number>
}

export function valuesOf(scenario: Scenario): StructureValues {
  const by = <T>(read: (service: Scenario['services'][ServiceName]) => T) =>
    Object.fromEntries(SERVICE_NAMES.map((name) => [name, read(scenario.services[name])])) as Record<ServiceName, T>
  return { latencyMs: by((s) => s.latencyMs), perItemMs: by((s) => s.perItemMs), workers: by((s) => s.workers) }
}

/** The structure of a virtual run made at `scenario`. */
export function structureOf(scenario: Scenario, run: VirtualRun): CallStructure {
  const answered = run.calls.map((call, i) => ({ call, i })).filter(({ call }) => call.endSeq >= 0)
  const answerOrder = answered.sort((a, b) => a.call.endSeq - b.call.endSeq).map(({ i }) => i)
  const endSeqs = answerOrder.map((i) => run.calls[i]!.endSeq)
  const answersBefore = (seq: number): number => endSeqs.filter((end) => end < seq).length
  const offsetsMs = run.calls.map((call) => {
    const service = scenario.services[call.service]
    return round6(call.configuredMs - service.latencyMs - service.perItemMs * call.items)
  })
  return {
    calls: run.calls.map((call) => [SERVICE_NAMES.indexOf(call.service), call.items, answersBefore(call.startSeq)]),
    offsetsMs: offsetsMs.some((ms) => ms !== 0) ? offsetsMs : null,
    answerOrder,
    answered: answersBefore(run.answeredSeq),
  }
}

const round6 = (ms: number): number => Math.round(ms * 1e6) / 1e6

/**
 * The floor at `values`: when the request answers, in ms. An event at a time, the calls that end first first; a
 * call is made once the answers it was made after have all come, and takes a free worker of its
 * service, or waits behind the calls that reached it before.
 */
export function workOut(structure: CallStructure, values: StructureValues): number {
  const { calls, offsetsMs, answerOrder } = structure
  const n = calls.length
  const duration = calls.map(([s, items], i) => {
    const service = SERVICE_NAMES[s]!
    return Math.max(0, values.latencyMs[service] + values.perItemMs[service] * items + (offsetsMs?.[i] ?? 0))
  })
  const end = new Array<number>(n).fill(Number.NaN)
  const made = new Array<boolean>(n).fill(false)
  const running: number[] = []
  const queues = SERVICE_NAMES.map(() => [] as number[])
  const busy = SERVICE_NAMES.map(() => 0)
  let now = 0
  const startFree = (): void => {
    for (const [s, queue] of queues.entries()) {
      while (queue.length && busy[s]! < Math.max(1, values.workers[SERVICE_NAMES[s]!])) {
        const i = queue.shift()!
        busy[s]!++
        end[i] = now + duration[i]!
        running.push(i)
      }
    }
  }
  const make = (): void => {
    // The calls whose answers-before have all come, in the order the code made them.
    for (let i = 0; i < n; i++)
      if (!made[i] && answerOrder.slice(0, calls[i]![2]).every((j) => end[j]! <= now)) {
        made[i] = true
        queues[calls[i]![0]]!.push(i)
      }
    startFree()
  }
  make()
  while (running.length) {
    running.sort((a, b) => end[a]! - end[b]! || a - b)
    const i = running.shift()!
    now = end[i]!
    busy[calls[i]![0]]!--
    startFree()
    make()
  }
  const waited = answerOrder.slice(0, structure.answered).map((i) => end[i]!)
  return waited.length ? Math.max(...waited) : 0
}
