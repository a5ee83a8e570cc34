/**
 * What tracing costs the API (--trace, --otlp): the CPU a traced request takes beyond an
 * untraced one, measured on this run's stack. ROUNDS rounds of REQUESTS warm requests of one
 * variant, AT_ONCE at a time (CPU per request does not need them one by one, and the step stays
 * short), traced and not in turn (the order alternating from round to round, so a drift of the
 * machine falls on both); each block's API process CPU (user + system, the exporters' work
 * included: the spans are flushed before the block's CPU is read), per request. The cost is the
 * median of the rounds' differences, beside the untraced CPU.
 * The blocks' requests carry `lab.phase` "trace-cost" in the traces.
 */
import { createHttpClient, type HttpClient } from './http-client.ts'
import { median } from './stats.ts'
import { round } from '../record/format.ts'
import type { ApiProcess } from '../stack/api-process.ts'

const ROUNDS = 4
const REQUESTS = 20
const AT_ONCE = 5
export const TRACE_COST_PHASE = 'trace-cost'

export interface TraceCost {
  variant: string
  /** API CPU per request, untraced (median of the rounds), in ms. */
  untracedCpuMs: number
  /** API CPU a traced request adds (median of the rounds' differences), in ms; can be below 0 within noise. */
  addedCpuMs: number
  requests: number
}

export async function measureTraceCost(api: ApiProcess, url: string): Promise<Omit<TraceCost, 'variant'>> {
  const client = createHttpClient(api.url, undefined, AT_ONCE)
  try {
    return await measureWith(api, client, url)
  } finally {
    await client.close()
  }
}

async function measureWith(api: ApiProcess, client: HttpClient, url: string): Promise<Omit<TraceCost, 'variant'>> {
  const cpuPerRequest = async (ratio: number): Promise<number> => {
    await api.tracePhase(TRACE_COST_PHASE, ratio)
    const before = await api.usage()
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        for (let i = 0; i < REQUESTS / AT_ONCE; i++) await client.get(url)
      }),
    )
    await api.flushTraces()
    const after = await api.usage()
    return (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000 / REQUESTS
  }
  const untraced: number[] = []
  const added: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const [first, second] = r % 2 === 0 ? [1, 0] : [0, 1]
    const a = await cpuPerRequest(first)
    const b = await cpuPerRequest(second)
    const [traced, plain] = first === 1 ? [a, b] : [b, a]
    untraced.push(plain)
    added.push(traced - plain)
  }
  await api.tracePhase(TRACE_COST_PHASE, 0)
  return { untracedCpuMs: round(median(untraced), 3), addedCpuMs: round(median(added), 3), requests: ROUNDS * REQUESTS * 2 }
}
