/**
 * The story the default scenario reproduces (README): its steps in order, each a variant
 * of variants/, with the figure the original write-up published for it. The only place
 * the story's variant names are written down; the model, the judge and every rendering
 * read them from here.
 */
export const STORY = [
  { variant: 'naive', published: '4–8 s', fix: 'the starting point' },
  { variant: 'bulk', published: '1.2 s', fix: 'the N+1 fix' },
  { variant: 'cached', published: '0.6 s', fix: 'the price cache' },
  { variant: 'parallel', published: '0.35 s', fix: 'concurrency' },
] as const

export type StoryVariant = (typeof STORY)[number]['variant']

/** The story's variants, first to last: naive, bulk, cached, parallel. */
export const STORY_VARIANTS: readonly StoryVariant[] = STORY.map((step) => step.variant)

/** The published figure for a story variant; undefined for any other variant. */
export function publishedFigure(variant: string): string | undefined {
  return STORY.find((step) => step.variant === variant)?.published
}

/** The fix a story variant applies to its parent, as a reader names it ("the N+1 fix"); undefined for any other variant. */
export function storyFix(variant: string): string | undefined {
  return STORY.find((step) => step.variant === variant)?.fix
}

/**
 * Beyond the story: the fixes a TypeScript team would reach for, each a variant of variants/
 * with the lesson it teaches in a sentence and the scenario preset that shows it best (null:
 * the default scenario). Any other variant (a user's own) is beyond the story too, with its
 * file's summary and no lesson.
 */
export const BEYOND_THE_STORY = [
  {
    variant: 'dataloader',
    lesson:
      "DataLoader batches only the loads that run together: the same loader awaited in naive's for … await loop still makes one call per product.",
    preset: null,
  },
  {
    variant: 'item-cache',
    lesson:
      'Pages, categories and page sizes share products: a price cached per product is a hit on every page that lists it, where a key per page misses.',
    preset: 'scenario/presets/long-tail.json',
  },
  {
    variant: 'swr',
    lesson:
      'Cache-aside stampedes: when a hot price list expires, every request that misses it calls pricing at once. One refresh per process, and the stale list served meanwhile, keep the tail flat across expiry.',
    preset: 'scenario/presets/flash-sale.json',
  },
  {
    variant: 'resilient',
    lesson:
      'Retries turn most failed calls of a flaky upstream into answers, but each is one more call: fewer requests fail, the upstreams get more calls and saturate sooner, and a dead upstream is cut off by its breaker with a fast 503 instead of a wait for the deadline.',
    preset: 'scenario/presets/flaky.json',
  },
] as const

/** Whether the variant is one of the story's steps. */
export function isStoryVariant(variant: string): boolean {
  return (STORY_VARIANTS as readonly string[]).includes(variant)
}

/** The lesson and preset of one of the lab's variants beyond the story; undefined for the story's and a user's own. */
export function beyondTheStory(variant: string): { lesson: string; preset: string | null } | undefined {
  return BEYOND_THE_STORY.find((step) => step.variant === variant)
}

/** The story's three fixes, in the story's order, as a reader names them. */
export const FIXES = ['the N+1 fix', 'the price cache', 'concurrency'] as const satisfies ReadonlyArray<(typeof STORY)[number]['fix']>

export type Fix = (typeof FIXES)[number]

/**
 * The story's fixes in every combination, each a variant of variants/: none (naive), each
 * alone, each pair and all three (parallel). What a fix is worth whatever order it comes in
 * (its Shapley share, model/shapley.ts) is read from these eight. The four that
 * are not steps of the story are modelled in every run, and measured only when asked
 * (--ablation, or by name with --variants).
 */
export const COMBINATIONS: ReadonlyArray<{ variant: string; fixes: readonly Fix[] }> = [
  { variant: 'naive', fixes: [] },
  { variant: 'bulk', fixes: ['the N+1 fix'] },
  { variant: 'naive-cached', fixes: ['the price cache'] },
  { variant: 'naive-parallel', fixes: ['concurrency'] },
  { variant: 'cached', fixes: ['the N+1 fix', 'the price cache'] },
  { variant: 'bulk-parallel', fixes: ['the N+1 fix', 'concurrency'] },
  { variant: 'naive-cached-parallel', fixes: ['the price cache', 'concurrency'] },
  { variant: 'parallel', fixes: ['the N+1 fix', 'the price cache', 'concurrency'] },
]

/** The combinations' variants, in the table's order. */
export const COMBINATION_VARIANTS: readonly string[] = COMBINATIONS.map((c) => c.variant)

/** One of the eight combinations of the story's fixes (its four steps among them). */
export function isCombination(variant: string): boolean {
  return COMBINATION_VARIANTS.includes(variant)
}

/** A combination of the story's fixes that is not a step of the story: measured only when asked. */
export function isCombinationOnly(variant: string): boolean {
  return COMBINATION_VARIANTS.includes(variant) && !isStoryVariant(variant)
}
