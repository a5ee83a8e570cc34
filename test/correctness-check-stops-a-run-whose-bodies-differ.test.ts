/** Correctness before speed: a variant that changes the answer stops the run, naming the field. */
import { describe, expect, it } from 'vitest'
import { checkCorrectness, CorrectnessError, describeDifference } from '../bench/measure/check-correctness.ts'
import { createHttpClient } from '../bench/measure/http-client.ts'
import { loadVariants } from '../variants/shared/load-variants.ts'
import type { Variant } from '../variants/shared/variant.ts'
import { startLab } from './helpers/lab.ts'

describe('checkCorrectness', () => {
  it('passes identical variants and returns the reference body', async () => {
    const lab = await startLab()
    const client = createHttpClient(lab.baseUrl)
    try {
      const check = await checkCorrectness(client, ['naive', 'bulk', 'cached', 'parallel'], '/products?limit=5')
      expect(JSON.parse(check.reference).items).toHaveLength(5)
      expect(Object.keys(check.answers)).toEqual(['naive', 'bulk', 'cached', 'parallel'])
    } finally {
      await client.close()
      await lab.close()
    }
  })

  it('stops on a variant whose body differs, naming both variants and the first differing field', async () => {
    const story = await loadVariants()
    const bulk = story.find((v) => v.name === 'bulk')!
    // A "faster" variant that rounds prices: the kind of change the check exists for.
    const rounding: Variant = {
      name: 'rounded',
      parent: 'bulk',
      async getProducts(context) {
        const page = await bulk.getProducts(context)
        page.items[2]!.price.amountCents = Math.round(page.items[2]!.price.amountCents / 100) * 100 + 1
        return page
      },
    }
    const lab = await startLab({ variants: [bulk, rounding] })
    const client = createHttpClient(lab.baseUrl)
    try {
      const error = await checkCorrectness(client, ['bulk', 'rounded'], '/products?limit=5').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CorrectnessError)
      expect((error as Error).message).toMatch(
        /Variants "bulk" and "rounded" answer \/products\?limit=5 differently: items\[2\]\.price\.amountCents: \d+ vs \d+/,
      )
    } finally {
      await client.close()
      await lab.close()
    }
  })

  it('stops on a variant that answers an error', async () => {
    const broken: Variant = { name: 'broken', parent: null, getProducts: () => Promise.reject(new Error('boom')) }
    const lab = await startLab({ variants: [broken] })
    const client = createHttpClient(lab.baseUrl)
    try {
      await expect(checkCorrectness(client, ['broken'], '/products')).rejects.toThrow(/Variant "broken" answered 500/)
    } finally {
      await client.close()
      await lab.close()
    }
  })
})

describe('describeDifference', () => {
  it.each([
    ['{"a":1,"b":[1,2]}', '{"a":1,"b":[1,3]}', 'b[1]: 2 vs 3'],
    ['{"a":{"x":"p"}}', '{"a":{}}', 'a.x: "p" vs (missing)'],
    ['{"a":1,"b":2}', '{"b":2,"a":1}', '(object) field order: "a,b" vs "b,a"'],
    ['{"a":1}', '{"a":1} ', 'same JSON values, different bytes (field order or formatting)'],
    ['not json', 'not jsoN', 'the bodies differ at byte 7'],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(describeDifference(a, b)).toBe(expected)
  })
})
