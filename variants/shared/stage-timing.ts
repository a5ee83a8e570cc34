/**
 * Stage timing for the Server-Timing header: each stage's start offset from the start
 * of the request and its duration, enough to draw a waterfall. A stage timed several
 * times (or whose calls overlap) is reported as one span from its first start to its
 * last end.
 *
 * Header form: `catalog;start=0.03;dur=101.52, inventory;start=101.60;dur=41.80, total;dur=230.11`
 * (`start` is an extension parameter; browsers ignore parameters they do not know).
 */

export const STAGE_NAMES = ['catalog', 'inventory', 'cache', 'pricing', 'reviews', 'categories'] as const
export type StageName = (typeof STAGE_NAMES)[number]

export interface Stage {
  name: StageName
  startMs: number
  durationMs: number
}

export interface StageTimer {
  /** Runs `work` and records it under `stage`. */
  time<T>(stage: StageName, work: () => Promise<T>): Promise<T>
  stages(): Stage[]
  /** Stages started and not yet finished: what the request is waiting for. */
  running(): StageName[]
  /** The Server-Timing header value: the stages in order of start, then the total. */
  serverTiming(): string
}

export function createStageTimer(now: () => number = () => performance.now()): StageTimer {
  const origin = now()
  const spans = new Map<StageName, { start: number; end: number }>()
  const inProgress = new Map<StageName, number>()
  const stages = (): Stage[] =>
    [...spans]
      .map(([name, { start, end }]) => ({ name, startMs: start - origin, durationMs: end - start }))
      .sort((a, b) => a.startMs - b.startMs)
  return {
    async time(stage, work) {
      const start = now()
      inProgress.set(stage, (inProgress.get(stage) ?? 0) + 1)
      try {
        return await work()
      } finally {
        inProgress.set(stage, (inProgress.get(stage) ?? 1) - 1)
        const end = now()
        const span = spans.get(stage)
        spans.set(stage, span ? { start: Math.min(span.start, start), end: Math.max(span.end, end) } : { start, end })
      }
    },
    stages,
    running() {
      return STAGE_NAMES.filter((name) => (inProgress.get(name) ?? 0) > 0)
    },
    serverTiming() {
      const entries = stages().map((s) => `${s.name};start=${s.startMs.toFixed(2)};dur=${s.durationMs.toFixed(2)}`)
      entries.push(`total;dur=${(now() - origin).toFixed(2)}`)
      return entries.join(', ')
    },
  }
}

/** Parses a Server-Timing header written by `serverTiming()`. */
export function parseServerTiming(header: string): { stages: Stage[]; totalMs: number | undefined } {
  const stages: Stage[] = []
  let totalMs: number | undefined
  for (const entry of header.split(',')) {
    const [name = '', ...params] = entry.trim().split(';')
    const values = Object.fromEntries(params.map((p) => p.split('=', 2) as [string, string]))
    const durationMs = Number(values.dur)
    if (name === 'total') totalMs = durationMs
    else if ((STAGE_NAMES as readonly string[]).includes(name)) {
      stages.push({ name: name as StageName, startMs: Number(values.start), durationMs })
    }
  }
  return { stages, totalMs }
}
