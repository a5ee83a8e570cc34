/**
 * One percentile definition for every p50, p75, p90 and p99 the lab computes (bench/measure/stats.ts):
 * linear interpolation between the closest ranks, the definition tinybench uses too.
 */
import { Bench } from 'tinybench'
import { describe, expect, it } from 'vitest'
import { median, percentile, percentiles } from '../bench/measure/stats.ts'

describe('percentile', () => {
  it('interpolates between the two closest ranks: h = (n − 1) × p / 100', () => {
    const values = [40, 10, 30, 20] // sorted: 10 20 30 40
    expect(percentile(values, 0)).toBe(10)
    expect(percentile(values, 100)).toBe(40)
    expect(percentile(values, 50)).toBe(25) // h = 1.5: halfway between 20 and 30
    expect(percentile(values, 90)).toBeCloseTo(37) // h = 2.7: 30 + 0.7 × 10
    expect(percentile([5], 99)).toBe(5)
  })

  it('its p50 is the median: the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('has no value for no samples, and leaves its input unsorted', () => {
    expect(percentile([], 50)).toBeNaN()
    const values = [3, 1, 2]
    percentile(values, 50)
    expect(values).toEqual([3, 1, 2])
  })

  it('answers several at once in the order asked', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i)
    expect(percentiles(values, [50, 90, 99, 100])).toEqual([50, 90, 99, 100])
  })

  it('agrees with tinybench on the samples of an async task, which it keeps as the latency phase asks', async () => {
    const timed: number[] = []
    let i = 0
    const bench = new Bench({ iterations: 37, time: 0, warmup: false, retainSamples: true })
    bench.add('task', async () => {
      // Durations with ties and a long tail, as a latency case has.
      const ms = 40 + ((i * 7919) % 13) + (i % 11 === 0 ? 25 : 0)
      i++
      timed.push(ms)
      return { overriddenDuration: ms }
    })
    const [task] = await bench.run()
    const latency = task!.result && 'latency' in task!.result ? task!.result.latency : undefined
    // The samples kept are exactly the durations the task reported, one per call.
    expect(latency?.samples).toEqual([...timed].sort((a, b) => a - b))
    const [p50, p75, p99] = percentiles(latency!.samples!, [50, 75, 99])
    expect(p50).toBeCloseTo(latency!.p50, 9)
    expect(p75).toBeCloseTo(latency!.p75, 9)
    expect(p99).toBeCloseTo(latency!.p99, 9)
  })
})
