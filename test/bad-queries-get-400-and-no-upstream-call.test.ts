import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './helpers/lab.ts'

let lab: Lab
beforeAll(async () => {
  lab = await startLab()
})
afterAll(() => lab.close())

describe.each(['naive', 'bulk', 'cached', 'parallel'])('%s', (variant) => {
  it.each([
    ['page=abc', 'page', 'got "abc"'],
    ['page=-1', 'page', 'got "-1"'],
    ['page=0', 'page', 'got "0"'],
    ['page=1.5', 'page', 'got "1.5"'],
    ['limit=0', 'limit', 'got "0"'],
    ['limit=100000', 'limit', 'got "100000"'],
    ['limit=', 'limit', 'got ""'],
    ['page=1&page=2', 'page', 'got "1" and "2"'],
    ['limit=5&limit=5', 'limit', 'got "5" and "5"'],
    ['category=x', 'category', 'got "x"'],
    ['sort=price', 'sort', 'no such parameter'],
  ])('?%s → 400 naming "%s", and no upstream call', async (query, parameter, detail) => {
    lab.upstreams.stats.reset()
    const response = await lab.get(`/${variant}/products?${query}`)
    expect(response.status).toBe(400)
    const body = JSON.parse(response.body)
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', parameter })
    expect(body.message).toContain(`"${parameter}"`)
    expect(body.message).toContain(detail)
    expect(body.accepted).toBeTruthy()
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/)
    const { services } = lab.upstreams.stats.snapshot()
    expect(Object.values(services).reduce((sum, s) => sum + s.calls, 0)).toBe(0)
  })
})

it('says which ranges are accepted', async () => {
  const body = JSON.parse((await lab.get('/naive/products?limit=100000')).body)
  expect(body.accepted).toBe('one integer from 1 to 500')
})

it('answers an unknown route with a JSON 404 that lists the variants', async () => {
  const response = await lab.get('/fastest/products')
  expect(response.status).toBe(404)
  expect(JSON.parse(response.body).message).toContain('/parallel/products')
})
