/**
 * The traffic mix: the same scenario gives the same sequence; the catalogue is the listings ×
 * pages × sizes, ranked as documented; the draws follow the Zipf shares; the distinct
 * requests in a sequence are counted as a count made by hand counts them.
 */
import { describe, expect, it } from 'vitest'
import { createTrafficMix, listingPath } from '../bench/measure/traffic-mix.ts'
import { topLevelCategoryIds } from '../mock-upstreams/data.ts'
import { createDataset } from '../mock-upstreams/data.ts'
import { DEFAULT_SCENARIO } from '../scenario/defaults.ts'
import { resolveScenario } from '../scenario/resolve-scenario.ts'

const small = (seed = 1) => resolveScenario({ seed, traffic: { pages: 2, categories: 1, limits: [10, 5], zipfExponent: 1 } })

describe('the traffic mix', () => {
  it('the same seed gives the same sequence; another seed another; a shorter sequence is a prefix of a longer one', () => {
    const a = createTrafficMix(small(1))
      .sequence(500)
      .map((r) => r.path)
    expect(
      createTrafficMix(small(1))
        .sequence(500)
        .map((r) => r.path),
    ).toEqual(a)
    expect(
      createTrafficMix(small(2))
        .sequence(500)
        .map((r) => r.path),
    ).not.toEqual(a)
    expect(
      createTrafficMix(small(1))
        .sequence(37)
        .map((r) => r.path),
    ).toEqual(a.slice(0, 37))
    // Streams are independent sequences of the same mix.
    expect(
      createTrafficMix(small(1))
        .sequence(500, 'other')
        .map((r) => r.path),
    ).not.toEqual(a)
  })

  it('ranks page first, then size, then listing (the whole catalogue first), with shares 1/r^s over their sum', () => {
    const [category] = topLevelCategoryIds(1)
    const mix = createTrafficMix(small())
    expect(mix.catalogue.map((r) => r.path)).toEqual([
      listingPath(1, 10),
      listingPath(1, 10, category),
      listingPath(1, 5),
      listingPath(1, 5, category),
      listingPath(2, 10),
      listingPath(2, 10, category),
      listingPath(2, 5),
      listingPath(2, 5, category),
    ])
    // s = 1 over 8 ranks: H(8) = 761/280.
    const shares = mix.catalogue.map((r) => r.share)
    shares.forEach((share, i) => expect(share).toBeCloseTo(1 / (i + 1) / (761 / 280), 12))
  })

  it('draws each request about as often as its share (within 4.5 standard errors over 40,000 draws)', () => {
    const mix = createTrafficMix(small())
    const n = 40_000
    const counts = new Map<number, number>()
    for (const r of mix.sequence(n)) counts.set(r.rank, (counts.get(r.rank) ?? 0) + 1)
    for (const r of mix.catalogue) {
      const sd = Math.sqrt(n * r.share * (1 - r.share))
      // A rank never drawn was drawn 0 times (and fails the bound below unless its share is tiny).
      const drawn = counts.get(r.rank) ?? 0
      expect(Math.abs(drawn - n * r.share)).toBeLessThan(4.5 * sd)
    }
  })

  it('counts the distinct requests of a sequence as a count by hand does', () => {
    const mix = createTrafficMix(small())
    for (const n of [1, 2, 5, 12, 40]) {
      const sequence = mix.sequence(n)
      // By hand: walk the sequence, and note each path the first time it comes.
      const seen: string[] = []
      for (const request of sequence) if (!seen.includes(request.path)) seen.push(request.path)
      expect(mix.distinct(n).map((r) => r.path)).toEqual(seen)
    }
    // Twelve draws of seed 1 over eight requests, pinned: the top ranks come back, three distinct, the top one among them.
    expect(mix.sequence(12).map((r) => r.rank)).toEqual([2, 2, 1, 2, 1, 1, 1, 3, 1, 1, 1, 1])
    expect(mix.distinct(12).map((r) => r.rank)).toEqual([2, 1, 3])
    expect(mix.distinct(1000).length).toBe(8)
  })

  it('the defaults put about 81 % of requests on pages 1–3, as the defaults say', () => {
    const mix = createTrafficMix(DEFAULT_SCENARIO)
    expect(mix.catalogue).toHaveLength(100)
    const firstThree = mix.catalogue.filter((r) => r.page <= 3).reduce((sum, r) => sum + r.share, 0)
    expect(firstThree).toBeGreaterThan(0.8)
    expect(firstThree).toBeLessThan(0.82)
  })

  it("single is the story's one request, every time", () => {
    const mix = createTrafficMix(resolveScenario({ traffic: { kind: 'single' }, productsPerPage: 30 }))
    expect(mix.catalogue.map((r) => r.path)).toEqual(['/products?page=1&limit=30'])
    expect(new Set(mix.sequence(50).map((r) => r.path))).toEqual(new Set(['/products?page=1&limit=30']))
  })

  it("the category ids are the data set's top-level categories", () => {
    const dataset = createDataset(1, 100)
    const roots = [...dataset.categories.values()].filter((c) => c.parentId === null).map((c) => c.id)
    expect(topLevelCategoryIds(8)).toEqual(roots)
    expect(topLevelCategoryIds(20)).toEqual(roots)
  })
})
