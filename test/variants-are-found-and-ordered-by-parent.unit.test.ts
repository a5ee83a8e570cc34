import { describe, expect, it } from 'vitest'
import { loadVariants, orderByParent } from '../variants/shared/load-variants.ts'
import type { Variant } from '../variants/shared/variant.ts'

const variant = (name: string, parent: string | null): Variant => ({
  name,
  parent,
  getProducts: async () => ({ page: 1, limit: 1, total: 0, items: [] }),
})

describe('variants', () => {
  it("are the files of variants/, in story order, each declaring its parent; the ones beyond the story after their parents' lines", async () => {
    const variants = await loadVariants()
    expect(variants.map((v) => [v.name, v.parent])).toEqual([
      ['naive', null],
      ['bulk', 'naive'],
      ['cached', 'bulk'],
      ['parallel', 'cached'],
      ['item-cache', 'parallel'],
      ['resilient', 'parallel'],
      ['swr', 'parallel'],
      ['bulk-parallel', 'bulk'],
      ['dataloader', 'naive'],
      ['naive-cached', 'naive'],
      ['naive-cached-parallel', 'naive-cached'],
      ['naive-parallel', 'naive'],
    ])
  })

  it('put a new variant after its parent', () => {
    const ordered = orderByParent([
      variant('parallel', 'cached'),
      variant('bulk', 'naive'),
      variant('cached', 'bulk'),
      variant('naive', null),
      variant('batched', 'bulk'),
    ])
    // The story's next step first, then the others by name.
    expect(ordered.map((v) => v.name)).toEqual(['naive', 'bulk', 'cached', 'parallel', 'batched'])
  })

  it('reject a parent that does not exist, and a cycle', () => {
    expect(() => orderByParent([variant('naive', null), variant('mine', 'bulkk')])).toThrow(
      /"mine" names parent "bulkk", which is not a variant/,
    )
    expect(() => orderByParent([variant('a', 'b'), variant('b', 'a')])).toThrow(/cycle/)
  })
})
