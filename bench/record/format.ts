/**
 * How the lab writes numbers, durations and statuses, wherever they appear: in the figures
 * results.json keeps (rounded), in its verdict sentences, and in every rendering.
 */

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** round() for a figure that may not be stated (null stays null). */
export function roundStated(value: number | null): number | null {
  return value === null ? null : round(value)
}

/** "4.10 s", "151 ms", "13.1 ms"; "—" for no figure. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—'
  // At the unit's edge by what it rounds to: 999.6 ms is "1.00 s", 99.96 ms "100 ms", never "1000 ms".
  if (Math.abs(ms) >= 999.5) return `${(ms / 1000).toFixed(2)} s`
  if (Math.abs(ms) >= 99.95) return `${ms.toFixed(0)} ms`
  return `${ms.toFixed(1)} ms`
}

/** A tail as the lab may state it: the p99 when there were enough values for one, else the max, called that: "149 ms", "max 4.05 s". */
export function formatTail(p99Ms: number | null, maxMs: number): string {
  return p99Ms === null ? `max ${formatMs(maxMs)}` : formatMs(p99Ms)
}

/** The same in a sentence: "p99 149 ms", "max 4.05 s". */
export function describeTail(p99Ms: number | null, maxMs: number): string {
  return p99Ms === null ? `max ${formatMs(maxMs)}` : `p99 ${formatMs(p99Ms)}`
}

/** "−35 %", "+6 %"; "—" for no figure. */
export function formatPercent(percent: number | null): string {
  if (percent === null) return '—'
  const sign = percent < 0 ? '−' : '+'
  return `${sign}${Math.abs(percent).toFixed(0)} %`
}

/** A share in percent with the digits it needs: "42 %", "1 %", "0.1 %". */
export function formatShare(percent: number | null): string {
  if (percent === null) return '—'
  const digits = percent === 0 || percent >= 10 ? 0 : percent >= 1 ? 1 : 2
  return `${Number(percent.toFixed(digits))} %`
}

/** Statuses and counts, e.g. "502: 12, 504: 1"; "—" for none. */
export function formatStatuses(statusCodes: Record<string, number>): string {
  const entries = Object.entries(statusCodes)
  return entries.length ? entries.map(([code, n]) => `${code}: ${n}`).join(', ') : '—'
}

/** The statuses that are not 2xx, with their counts. */
export function nonOkStatuses(statusCodes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(statusCodes).filter(([code]) => !code.startsWith('2')))
}

/** "42s", "7m 54s". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`
}
