/**
 * A calibration as a scenario file the lab already accepts (`--scenario FILE`): each service
 * seen in the traces with its fitted base latency, per-item cost, jitter (empirical: its
 * quantiles; or the fitted lognormal) and error share (as injected errors); the services not
 * seen keep the lab's defaults; the page size when the traces told it. A figure past the scenario's
 * limits (a call of over a minute) is held at the limit. Checked by the scenario's own validation
 * before it is written, with the same errors as any scenario file.
 */
import type { Calibration } from './calibrate-traces.ts'
import { resolveScenario } from '../../scenario/resolve-scenario.ts'
import { LIMITS, SERVICE_NAMES, type Jitter, type Scenario, type ServiceName } from '../../scenario/types.ts'

export const JITTER_FITS = ['empirical', 'lognormal'] as const
export type JitterFit = (typeof JITTER_FITS)[number]

export interface CalibratedScenario {
  /** The file's content: only what the traces told, over the defaults. */
  input: Record<string, unknown>
  /** The same, resolved as the lab will run it. */
  scenario: Scenario
}

export function calibratedScenario(calibration: Calibration, sources: string[], jitterFit: JitterFit): CalibratedScenario {
  const services: Partial<Record<ServiceName, Record<string, unknown>>> = {}
  for (const service of SERVICE_NAMES) {
    const fit = calibration.services[service]
    if (!fit) continue
    const jitter: Jitter =
      jitterFit === 'lognormal' && fit.lognormal
        ? { kind: 'lognormal', medianMs: fit.lognormal.medianMs, sigma: fit.lognormal.sigma }
        : fit.jitterQuantilesMs.every((q) => q === 0)
          ? { kind: 'none' }
          : { kind: 'empirical', quantilesMs: fit.jitterQuantilesMs.map((q) => Math.min(q, LIMITS.jitterMs.max)) }
    services[service] = {
      latencyMs: Math.min(fit.baseMs, LIMITS.latencyMs.max),
      perItemMs: Math.min(fit.perItemMs, LIMITS.perItemMs.max),
      jitter,
      ...(fit.errorPercent > 0 ? { faults: { errorRate: Math.min(1, fit.errorPercent / 100) } } : {}),
    }
  }
  const seen = SERVICE_NAMES.filter((s) => calibration.services[s])
  const input = {
    name: 'calibrated',
    description: `Calibrated from ${calibration.calls} upstream calls in ${calibration.traces} traces (${sources.join(', ')}): ${seen.join(', ')}${seen.length < SERVICE_NAMES.length ? `; ${SERVICE_NAMES.filter((s) => !seen.includes(s)).join(', ')} at the lab's defaults` : ''}.`,
    ...(calibration.productsPerPage !== undefined ? { productsPerPage: calibration.productsPerPage } : {}),
    services,
  }
  return { input, scenario: resolveScenario(input) }
}
