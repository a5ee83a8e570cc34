/**
 * Figures derived from results.json's fields, where the judge (bench/measure/) and the
 * renderings (bench/report/) must agree on them: defined once, here, under both. Typed by the
 * fields they read (a SweepLevel's, a LoadLevel's), not by the contract.
 */
import type { ServiceName } from '../../scenario/types.ts'

/** A level's sustained good answers per second: the lower of its goodput (by send time) and its throughput (by answer time). */
export function sustainedPerSec(level: { goodputPerSec: number; throughputPerSec: number }): number {
  return Math.min(level.goodputPerSec, level.throughputPerSec)
}

/** A mocked service held its workers longer than configured by more than this share (and 2 ms): the CPU, not the scenario. */
const OVERHELD = 0.05
const OVERHELD_MIN_MS = 2

/** How much longer than configured `service` held its workers during a level, as a share (0.08 = 8 %); null when it served no timed call, or not beyond the noise. */
export function overheldShare(
  level: { upstreams: Record<ServiceName, { heldMsPerCall: number | null; configuredMsPerCall: number | null }> },
  service: ServiceName,
): number | null {
  const { heldMsPerCall: held, configuredMsPerCall: configured } = level.upstreams[service]
  if (held === null || configured === null || configured <= 0) return null
  return held > configured * (1 + OVERHELD) && held - configured > OVERHELD_MIN_MS ? held / configured - 1 : null
}
