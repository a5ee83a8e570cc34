/**
 * Correctness before speed: every variant must answer the measured request, and a few of the
 * traffic mix's (another page, size or category), with the same bytes. A run whose variants
 * disagree stops here, and nothing is charted.
 */
import type { Answer, HttpClient } from './http-client.ts'

export class CorrectnessError extends Error {
  override name = 'CorrectnessError'
}

export interface CorrectnessCheck {
  /** The body every variant answered: the reference for every later response. */
  reference: string
  /** How long each variant's answer to `path` took (all variants at once), and its Server-Timing: the first estimates of a run. */
  answers: Record<string, { ms: number; serverTiming: string | null }>
  /** Each path checked → the body all variants answered. */
  references: Map<string, string>
}

/**
 * Fetches `path` and each of `otherPaths` from every variant, all at once (the check takes the
 * slowest answer's time, not their sum; give a client with a connection for each), and checks
 * that each path's bodies are identical, in variant order.
 */
export async function checkCorrectness(
  client: HttpClient,
  variants: string[],
  path: string,
  otherPaths: string[] = [],
): Promise<CorrectnessCheck> {
  if (variants.length === 0) throw new CorrectnessError('No variant to check.')
  const paths = [path, ...otherPaths.filter((other) => other !== path)]
  const fetched = await Promise.all(
    paths.map((checked) => Promise.all(variants.map((variant) => timedGet(client, `/${variant}${checked}`)))),
  )
  const references = new Map<string, string>()
  let answers: CorrectnessCheck['answers'] = {}
  paths.forEach((checked, i) => {
    const check = checkPath(variants, checked, fetched[i]!)
    references.set(checked, check.reference)
    if (checked === path) answers = check.answers
  })
  return { reference: references.get(path)!, answers, references }
}

async function timedGet(client: HttpClient, path: string): Promise<Answer & { ms: number }> {
  const started = performance.now()
  const answer = await client.get(path)
  return { ...answer, ms: performance.now() - started }
}

function checkPath(variants: string[], path: string, fetched: Array<Answer & { ms: number }>): Omit<CorrectnessCheck, 'references'> {
  const answers: CorrectnessCheck['answers'] = {}
  variants.forEach((variant, i) => {
    const answer = fetched[i]!
    answers[variant] = { ms: answer.ms, serverTiming: answer.serverTiming }
    if (answer.status !== 200)
      throw new CorrectnessError(`Variant "${variant}" answered ${answer.status} to ${path}: ${answer.body.slice(0, 300)}`)
  })
  const [first] = variants
  const reference = fetched[0]!.body
  variants.forEach((variant, i) => {
    if (fetched[i]!.body === reference) return
    const difference = describeDifference(reference, fetched[i]!.body)
    throw new CorrectnessError(
      `Variants "${first}" and "${variant}" answer ${path} differently: ${difference}. ` +
        'An optimisation must change the time, never the answer; fix the variant and run again.',
    )
  })
  return { reference, answers }
}

/** Where two JSON bodies first differ, e.g. `items[3].price.amountCents: 1299 vs 1300`. */
export function describeDifference(a: string, b: string): string {
  let left: unknown
  let right: unknown
  try {
    left = JSON.parse(a)
    right = JSON.parse(b)
  } catch {
    const at = [...a].findIndex((char, i) => char !== b[i])
    return `the bodies differ at byte ${at === -1 ? Math.min(a.length, b.length) : at}`
  }
  const found = firstDifference(left, right, '')
  if (!found) return 'same JSON values, different bytes (field order or formatting)'
  return `${found.path || '(the whole body)'}: ${show(found.left)} vs ${show(found.right)}`
}

export function firstDifference(left: unknown, right: unknown, path: string): { path: string; left: unknown; right: unknown } | undefined {
  if (Object.is(left, right)) return undefined
  if (Array.isArray(left) && Array.isArray(right)) {
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const found = firstDifference(left[i], right[i], `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  }
  if (isObject(left) && isObject(right) && !Array.isArray(left) && !Array.isArray(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])]
    for (const key of keys) {
      const found = firstDifference(left[key], right[key], path ? `${path}.${key}` : key)
      if (found) return found
    }
    // Same keys and values in a different order.
    const leftKeys = Object.keys(left).join(',')
    const rightKeys = Object.keys(right).join(',')
    return leftKeys === rightKeys ? undefined : { path: `${path || '(object)'} field order`, left: leftKeys, right: rightKeys }
  }
  return { path, left, right }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
