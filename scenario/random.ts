/** Seeded pseudo-random numbers, so data and jitter replay exactly for the same seed. */

export type Random = () => number

/** mulberry32: a small, fast 32-bit generator; uniform in [0, 1). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed derived from the scenario seed and a label, so each stream of draws is independent. */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ seed
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A draw that depends only on (seed, label, n): per-product facts without storing a table. */
export function hashToUnit(seed: number, label: string, n: number): number {
  return createRandom(deriveSeed(seed, `${label}:${n}`))()
}

/** A standard normal draw (Box–Muller). */
export function normal(random: Random): number {
  const u = 1 - random()
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick() needs a non-empty list')
  return item
}
