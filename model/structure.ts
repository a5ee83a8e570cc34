/**
 * A variant's virtual runs as a structure of calls, to be worked out again at other latencies
 * without running the code (the report's what-if sliders, in the page): each call's service, its
 * ids, the time it took beyond its service's base latency and per-item cost (its jitter: the
 * mean, or the seed's draw), and the calls whose answers it waited for. Worked out again, each
 * call is made once those answers have come, waits for a worker of its service in the order calls
 * reach it (as the mocks and the virtual world hold them), and takes its service's latency at the
 * new values; the request answers once the answers it waited for have come.
 *
 * What a call waited for is learned, not assumed: one run only says which answers had come when
 * it was made, and at the default values many come at the same moment (inventory, reviews and
 * categories all take 40 ms). So the same code is run at other values too, each service made
 * slower on its own (`STRUCTURE_SETTINGS`), and a call waited for the answers that had
 * come before it in every one of them. Then the structure is checked against each of those runs:
 * code whose control flow depends on time (a timeout that fires, a hedge, a batching window)
 * makes other calls, or the same ones later, and is marked (`exact` says why).
 *
 * Written by hand: it is the model's own queueing, replayed; no library holds it.
 */
import { SERVICE_NAMES, type Scenario, type ServiceName } from '../scenario/types.ts'
import type { CallStructure, VirtualCall, VirtualRun } from './types.ts'

export type { CallStructure } from './types.ts'

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

/**
 * The values, beside the run's own, at which the code is run again to learn what each call waited
 * for and to check the structure: each service alone 4× slower (its answers come later, so a call
 * made before them did not wait for them: every tie between services is broken), no per-item
 * cost, and every latency halved or tripled with the per-item cost tripled or halved.
 */
export const STRUCTURE_SETTINGS: ReadonlyArray<{ latency: Partial<Record<ServiceName | 'all', number>>; perItem: number }> = [
  ...SERVICE_NAMES.map((name) => ({ latency: { [name]: 4 }, perItem: 1 })),
  { latency: {}, perItem: 0 },
  { latency: { all: 0.5 }, perItem: 3 },
  { latency: { all: 3 }, perItem: 0.5 },
]

/** The scenario at one of STRUCTURE_SETTINGS. */
export function scenarioAt(scenario: Scenario, setting: (typeof STRUCTURE_SETTINGS)[number]): Scenario {
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const s = scenario.services[name]
      const k = setting.latency[name] ?? setting.latency.all ?? 1
      return [name, { ...s, latencyMs: s.latencyMs * k, perItemMs: s.perItemMs * setting.perItem }]
    }),
  ) as Scenario['services']
  return { ...scenario, services }
}

/** A call's identity across runs: its service, its ids and how many such calls came before it. */
function keysOf(calls: readonly VirtualCall[]): string[] {
  const seen = new Map<string, number>()
  return calls.map((call) => {
    const key = `${call.service}:${call.items}`
    const n = seen.get(key) ?? 0
    seen.set(key, n + 1)
    return `${key}#${n}`
  })
}

/** A set of call indices as bits: the structures of a page of a hundred products intersect and close sets of hundreds of calls. */
type Bits = Uint32Array
const bitsFor = (n: number): Bits => new Uint32Array(Math.ceil(n / 32))
const has = (bits: Bits, i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0
const add = (bits: Bits, i: number): void => {
  bits[i >>> 5]! |= 1 << (i & 31)
}
const members = (bits: Bits, n: number): number[] => Array.from({ length: n }, (_, i) => i).filter((i) => has(bits, i))

/**
 * For each call of `run` (in base order, through `perm`), the calls that had answered when it was
 * made; and those that had answered when the request answered (the last entry).
 */
function answeredBefore(run: VirtualRun, perm: readonly number[]): Bits[] {
  const n = perm.length
  const answered = perm.map((_, j) => j).filter((j) => run.calls[perm[j]!]!.endSeq >= 0)
  answered.sort((a, b) => run.calls[perm[a]!]!.endSeq - run.calls[perm[b]!]!.endSeq)
  const before = (seq: number): Bits => {
    const bits = bitsFor(n)
    for (const j of answered) {
      if (run.calls[perm[j]!]!.endSeq >= seq) break
      add(bits, j)
    }
    return bits
  }
  return [...perm.map((at) => before(run.calls[at]!.startSeq)), before(run.answeredSeq)]
}

/**
 * The structure of `runs` (the same request of the same code at the run's values first, then at
 * others): what each call waited for is what had answered before it was made in every run. Null
 * when the runs did not make the same calls (the code's control flow depends on time).
 */
export function structureOf(scenario: Scenario, runs: readonly VirtualRun[]): CallStructure | null {
  const [base] = runs
  if (!base) return null
  const keys = keysOf(base.calls)
  const n = keys.length
  // deps[i] for each call, then the answer's (deps[n]): intersected run by run.
  let deps: Bits[] | null = null
  for (const run of runs) {
    const index = new Map(keysOf(run.calls).map((key, i) => [key, i]))
    if (run.calls.length !== n || !keys.every((key) => index.has(key))) return null
    const before = answeredBefore(
      run,
      keys.map((key) => index.get(key)!),
    )
    if (deps) for (const [i, bits] of deps.entries()) bits.forEach((word, w) => (bits[w] = word & before[i]![w]!))
    else deps = before
  }
  // Everything each call waited for, directly or through another (calls are made after what they wait for, so
  // in order); of its own list, what it did not already wait for through another: a chain is one each.
  const closure: Bits[] = []
  const direct = deps!.map((bits, i) => {
    const through = bitsFor(n)
    for (const d of members(bits, n)) closure[d]!.forEach((word, w) => (through[w]! |= word))
    if (i < n) closure[i] = bits.map((word, w) => word | through[w]!)
    return members(
      bits.map((word, w) => word & ~through[w]!),
      n,
    )
  })
  const offsetsMs = base.calls.map((call) => {
    const service = scenario.services[call.service]
    return round6(call.configuredMs - service.latencyMs - service.perItemMs * call.items)
  })
  return {
    calls: base.calls.map((call) => [SERVICE_NAMES.indexOf(call.service), call.items]),
    after: direct.slice(0, n),
    answerAfter: direct[n]!,
    offsetsMs: offsetsMs.some((ms) => ms !== 0) ? offsetsMs : null,
  }
}

const round6 = (ms: number): number => Math.round(ms * 1e6) / 1e6

/**
 * The floor at `values`: when the request answers, in ms. An event at a time, the calls that
 * end first first; a call is made once the answers it waited for have all come, and takes a free
 * worker of its service, or waits behind the calls that reached it before.
 */
export function workOut(structure: CallStructure, values: StructureValues): number {
  return replay(structure, values).answerMs
}

/** The same, call by call: when each call took a worker and when it answered, and when the request answered, in ms. */
export function replay(structure: CallStructure, values: StructureValues): { startMs: number[]; endMs: number[]; answerMs: number } {
  const { calls, after, offsetsMs } = structure
  const n = calls.length
  const duration = calls.map(([s, items], i) => {
    const service = SERVICE_NAMES[s]!
    return Math.max(0, values.latencyMs[service] + values.perItemMs[service] * items + (offsetsMs?.[i] ?? 0))
  })
  const end = new Array<number>(n).fill(Number.NaN)
  const start = new Array<number>(n).fill(Number.NaN)
  const made = new Array<boolean>(n).fill(false)
  const running: number[] = []
  const queues = SERVICE_NAMES.map(() => [] as number[])
  const busy = SERVICE_NAMES.map(() => 0)
  let now = 0
  const answered = (j: number): boolean => end[j]! <= now && !running.includes(j)
  const startFree = (): void => {
    for (const [s, queue] of queues.entries()) {
      while (queue.length && busy[s]! < Math.max(1, values.workers[SERVICE_NAMES[s]!])) {
        const i = queue.shift()!
        busy[s]!++
        start[i] = now
        end[i] = now + duration[i]!
        running.push(i)
      }
    }
  }
  const make = (): void => {
    // The calls whose answers-waited-for have all come, in the order the code made them.
    for (let i = 0; i < n; i++)
      if (!made[i] && after[i]!.every(answered)) {
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
  const waited = structure.answerAfter.map((i) => end[i]!)
  return { startMs: start, endMs: end, answerMs: waited.length ? Math.max(...waited) : 0 }
}
