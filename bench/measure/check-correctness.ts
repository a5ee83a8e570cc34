/**
 * Correctness before speed: every variant must answer the measured request, and a few of the
 * traffic mix's (another page, size or category), with the same bytes. A run whose variants
 * disagree stops here, and nothing is charted.
 */
import type { HttpClient } from './http-client.ts'

export class CorrectnessError extends Error {
  override name = 'CorrectnessError'
}

export interface CorrectnessCheck {
  /** The body every variant answered: the reference for every later response. */
  reference: string
  /** How long each variant's answer to `path` took, and its Server-Timing: the first estimates of a run. */
  answers: Record<string, { ms: number; serverTiming: string | null }>
  /** Each path checked → the body all variants answered. */
  references: Map<string, string>
}

/** Fetches `path`, then each of `otherPaths`, from every variant in turn, and checks that the bodies are identical. */
export async function checkCorrectness(client: HttpClient, variants: string[], path: string, otherPaths: string[] = []): Promise<CorrectnessCheck> {
  const references = new Map<string, string>()
  let answers: CorrectnessCheck['answers'] = {}
  for (const checked of [path, ...otherPaths.filter((other) => other !== path)]) {
    const check = await checkPath(client, variants, checked)
    references.set(checked, check.reference)
    if (checked === path) answers = check.answers
  }
  return { reference: references.get(path)!, answers, references }
}

async function checkPath(client: HttpClient, variants: string[], path: string): Promise<Omit<CorrectnessCheck, 'references'>> {
  let reference: { variant: string; body: string } | undefined
  const answers: CorrectnessCheck['answers'] = {}
  for (const variant of variants) {
    const started = performance.now()
    const answer = await client.get(`/${variant}${path}`)
    answers[variant] = { ms: performance.now() - started, serverTiming: answer.serverTiming }
    if (answer.status !== 200) {
      throw new CorrectnessError(`Variant "${variant}" answered ${answer.status} to ${path}: ${answer.body.slice(0, 300)}`)
    }
    if (!reference) {
      reference = { variant, body: answer.body }
      continue
    }
    if (answer.body !== reference.body) {
      const difference = describeDifference(reference.body, answer.body)
      throw new CorrectnessError(
        `Variants "${reference.variant}" and "${variant}" answer ${path} differently: ${difference}. ` +
          'An optimisation must change the time, never the answer; fix the variant and run again.',
      )
    }
  }
  if (!reference) throw new CorrectnessError('No variant to check.')
  return { reference: reference.body, answers }
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
