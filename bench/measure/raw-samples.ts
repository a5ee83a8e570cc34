/**
 * The raw latencies of one run, as the phases measure them: the latency phase's warm case and
 * each load level's good answers, per variant. run-samples.ts joins them to the run's figures.
 */
/** The raw latencies of one run, as the phases measured them. */
export interface RawSamples {
  /** Per variant: the warm (or only) latency case's good answers, in ms. */
  latency: Map<string, number[]>
  /** Per variant and load level (connections): every good answer's time, in ms. */
  levels: Map<string, Map<number, number[]>>
}

/** Keeps a load level's good answers' times for the run's own figures; nothing without a RawSamples. */
export function keepLevel(raw: RawSamples | undefined, variant: string, connections: number, latenciesMs: number[]): void {
  if (!raw) return
  const levels = raw.levels.get(variant) ?? new Map<number, number[]>()
  levels.set(connections, latenciesMs)
  raw.levels.set(variant, levels)
}

export function createRawSamples(): RawSamples {
  return { latency: new Map(), levels: new Map() }
}
