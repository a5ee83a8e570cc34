/** How the phases read an answer: its body against its path's reference, its Server-Timing, and what that says of the price cache. */
import type { IncomingHttpHeaders } from 'node:http'
import { parseServerTiming } from '../../variants/shared/stage-timing.ts'

/** What a level sends when it sends the traffic mix: the next request of the mix's stream, under the variant's prefix. */

/**
 * Whether a 200's body is the one recorded for its path; the first body seen for a path not
 * yet recorded becomes its reference (the correctness check records a few before anything runs).
 */
export function matchesReference(references: Map<string, string>, path: string, body: string): boolean {
  const known = references.get(path)
  if (known === undefined) references.set(path, body)
  return known === undefined || known === body
}

/** The Server-Timing header among an answer's headers, whatever its case. */
export function serverTimingOf(headers: IncomingHttpHeaders | undefined): string | null {
  const key = headers && Object.keys(headers).find((name) => name.toLowerCase() === 'server-timing')
  const value = key === undefined ? undefined : headers?.[key]
  return typeof value === 'string' ? value : null
}

/** What an answer's Server-Timing says of the price cache: hit (looked up, no pricing call), miss (looked up, then pricing), or null (no lookup). */
export function cacheOutcome(serverTiming: string | null): 'hit' | 'miss' | null {
  if (serverTiming === null) return null
  const stages = parseServerTiming(serverTiming).stages.map((stage) => stage.name)
  if (!stages.includes('cache')) return null
  return stages.includes('pricing') ? 'miss' : 'hit'
}
