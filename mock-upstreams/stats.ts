/**
 * What each mocked service has seen: calls received (per endpoint too), how each ended
 * (served, refused with 503, cancelled by the caller: with the calls still in flight they
 * add up to the calls received), the most calls it had in flight at once, its queue, and
 * how long its workers were held against the latency configured. Tests read it directly;
 * over HTTP it is `GET /__lab/stats` on any service's port.
 *
 * createUpstreamStats is a closure factory over the counters: the object it returns reads best whole, which is why it
 * runs past 80 lines.
 */
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { ServiceStats, UpstreamStats } from './protocol.ts'
import { FAULT_KINDS, SERVICE_NAMES, type FaultKind, type ServiceName } from '../scenario/types.ts'

export type { CallEnd, ServiceStats, StatsSnapshot, UpstreamStats } from './protocol.ts'

/** The event-loop delay histogram's resolution, in ms. */
const LOOP_RESOLUTION_MS = 10

/** `waiting(service)`: how many calls wait for a worker of `service` now (the capacity's queue). */
export function createUpstreamStats(waiting: (service: ServiceName) => number = () => 0): UpstreamStats {
  let services = emptyServices()
  let inFlightOverall = 0
  let maxInFlightOverall = 0
  // In microseconds (a histogram records integers); a call held no longer than configured counts as 1 µs.
  const overshoot = createHistogram()
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  delay.enable()
  let loopSince = performance.eventLoopUtilization()
  // The latency configured for the calls the overshoot is of, all services: what it is set against.
  let timedConfiguredMs = 0
  let timedConfiguredCalls = 0
  return {
    begin(service) {
      const stats = services[service]
      stats.calls++
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      inFlightOverall++
      maxInFlightOverall = Math.max(maxInFlightOverall, inFlightOverall)
      let finished = false
      return (endpoint, end) => {
        if (finished) return
        finished = true
        // Look the service up again: a reset() in between carried this call over.
        const current = services[service]
        current.inFlight--
        inFlightOverall--
        if (current !== stats) return
        current.endpoints[endpoint] = (current.endpoints[endpoint] ?? 0) + 1
        if (end.outcome === 'cancelled') current.cancelled++
        if (end.outcome !== 'served') return
        current.served++
        if (!end.held) return
        current.timedCalls++
        current.heldMs += end.held.heldMs
        current.configuredMs += end.held.configuredMs
        overshoot.record(Math.max(1, Math.round((end.held.heldMs - end.held.configuredMs) * 1000)))
        timedConfiguredMs += end.held.configuredMs
        timedConfiguredCalls++
      }
    },
    working(service, busy) {
      services[service].maxBusy = Math.max(services[service].maxBusy, busy)
    },
    queued(service, waitMs) {
      services[service].queued++
      services[service].longestWaitMs = Math.max(services[service].longestWaitMs, Math.round(waitMs * 100) / 100)
    },
    rejected(service) {
      services[service].rejected++
    },
    injected(service, fault) {
      services[service].faults[fault]++
    },
    snapshot() {
      const copy = structuredClone({ services, maxInFlightOverall })
      for (const name of SERVICE_NAMES) copy.services[name].waiting = waiting(name)
      const ms = (microseconds: number) => Math.round(microseconds) / 1000
      return {
        ...copy,
        overshoot: {
          calls: overshoot.count,
          p50Ms: overshoot.count ? ms(overshoot.percentile(50)) : 0,
          p99Ms: overshoot.count ? ms(overshoot.percentile(99)) : 0,
          meanConfiguredMs: timedConfiguredCalls ? Math.round((timedConfiguredMs / timedConfiguredCalls) * 100) / 100 : 0,
        },
        eventLoop: {
          utilizationPercent: Math.round(performance.eventLoopUtilization(loopSince).utilization * 1000) / 10,
          // The histogram records the time between its checks, its resolution included: the delay is what is left.
          delayP99Ms: delay.count ? Math.max(0, Math.round((delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100) : 0,
        },
      }
    },
    reset() {
      // Calls still in flight stay counted as in flight, so the counters never go negative.
      const carried = services
      services = emptyServices()
      for (const name of SERVICE_NAMES) {
        services[name].inFlight = carried[name].inFlight
        services[name].maxInFlight = carried[name].inFlight
      }
      maxInFlightOverall = inFlightOverall
      overshoot.reset()
      timedConfiguredMs = 0
      timedConfiguredCalls = 0
      delay.reset()
      loopSince = performance.eventLoopUtilization()
    },
  }
}

function emptyServices(): Record<ServiceName, ServiceStats> {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      {
        calls: 0,
        inFlight: 0,
        maxInFlight: 0,
        endpoints: {},
        maxBusy: 0,
        queued: 0,
        longestWaitMs: 0,
        served: 0,
        rejected: 0,
        cancelled: 0,
        faults: noFaults(),
        waiting: 0,
        timedCalls: 0,
        heldMs: 0,
        configuredMs: 0,
      },
    ]),
  ) as Record<ServiceName, ServiceStats>
}

function noFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>
}
