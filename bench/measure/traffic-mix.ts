/**
 * The traffic mix (scenario field `traffic`): the catalogue of distinct listing requests,
 * ranked, and the seeded sequence drawn from it with Zipf popularity over the ranks. The
 * same scenario gives the same catalogue and the same sequence, so a run can be replayed.
 *
 * Written here rather than taken from a package: a Zipf draw is a cumulative table and a
 * binary search over it (a few lines), and it must use the lab's own seeded generator so
 * the sequence depends on the scenario's seed and nothing else.
 */
import { createRandom, deriveSeed } from '../../scenario/random.ts'
import { topLevelCategoryIds } from '../../mock-upstreams/data.ts'
import type { Scenario } from '../../scenario/types.ts'
import type { MixRequest, TrafficMix } from './mix-types.ts'
import type { ProductQuery } from '../../scenario/wire-types.ts'

export type { LoadTraffic, MixRequest, TrafficMix } from './mix-types.ts'

/** The API's query for a request of the mix. */
export function mixQuery(request: MixRequest): ProductQuery {
  return { page: request.page, limit: request.limit, ...(request.category === null ? {} : { category: request.category }) }
}

/** The path of a listing page, as the API takes it. */
export function listingPath(page: number, limit: number, category: number | null = null): string {
  return `/products?page=${page}&limit=${limit}${category === null ? '' : `&category=${category}`}`
}

export function createTrafficMix(scenario: Scenario): TrafficMix {
  const { traffic } = scenario
  const listings: Array<number | null> = traffic.kind === 'single' ? [null] : [null, ...topLevelCategoryIds(traffic.categories)]
  const pages = traffic.kind === 'single' ? 1 : traffic.pages
  const limits = traffic.kind === 'single' ? [scenario.productsPerPage] : traffic.limits
  const ranked: Array<Omit<MixRequest, 'share'>> = []
  for (let page = 1; page <= pages; page++)
    for (const limit of limits)
      for (const category of listings)
        ranked.push({ rank: ranked.length + 1, path: listingPath(page, limit, category), page, limit, category })
  const weights = ranked.map(({ rank }) => 1 / rank ** traffic.zipfExponent)
  const total = weights.reduce((sum, w) => sum + w, 0)
  const catalogue = ranked.map((request, i) => ({ ...request, share: weights[i]! / total }))
  // cumulative[i]: the share of ranks 1..i+1; the last is 1 by construction.
  const cumulative: number[] = []
  let sum = 0
  for (const request of catalogue) cumulative.push((sum += request.share))
  cumulative[cumulative.length - 1] = 1

  const draw = (u: number): MixRequest => {
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if (u < cumulative[middle]!) high = middle
      else low = middle + 1
    }
    return catalogue[low]!
  }
  const open = (stream: string): (() => MixRequest) => {
    const random = createRandom(deriveSeed(scenario.seed, `traffic:${stream}`))
    return () => draw(random())
  }
  const sequence = (count: number, stream = 'requests'): MixRequest[] => Array.from({ length: count }, open(stream))
  return {
    kind: traffic.kind,
    catalogue,
    sequence,
    stream: open,
    distinct(count, stream) {
      return [...new Map(sequence(count, stream).map((request) => [request.rank, request])).values()]
    },
  }
}

export { cacheOutcome, matchesReference, serverTimingOf } from './answers.ts'
