/**
 * A habit kept by a check: every test in test/ can fail when the behaviour it names breaks.
 * It refuses the three shapes that have let tests here pass for the wrong reason:
 * - a test whose only expectations are `toBeDefined()` or `>= 0` (true of any count);
 * - a `?? 0` (or `?? ''`) inside an `expect(…)`: a missing figure then reads as zero and passes;
 * - an `if (…) expect(…)` with no `else` that asserts too: a condition a busy machine meets skips the check.
 * Written by hand: these are the project's own rules, read off its source with a balanced-bracket scan (no linter has them).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const TEST_DIR = fileURLToPath(new URL('.', import.meta.url))
const FILES = readdirSync(TEST_DIR).filter((f) => f.endsWith('.test.ts') && f !== 'tests-can-fail.unit.test.ts')

/** From an opening bracket at `start`, the index just past its matching close (strings and template literals skipped). */
function closing(source: string, start: number): number {
  const open = source[start]!
  const close = open === '(' ? ')' : open === '{' ? '}' : ']'
  let depth = 0
  for (let i = start; i < source.length; i++) {
    const c = source[i]!
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++
      continue
    }
    if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i)
      if (i < 0) return source.length
      continue
    }
    if (c === open) depth++
    else if (c === close && --depth === 0) return i + 1
  }
  return source.length
}

/** Every `expect(…)` call's argument text, with where it starts. */
function expectations(source: string): Array<{ at: number; argument: string; end: number }> {
  const found: Array<{ at: number; argument: string; end: number }> = []
  for (const match of source.matchAll(/\bexpect\(/g)) {
    const open = match.index + match[0].length - 1
    const end = closing(source, open)
    found.push({ at: match.index, argument: source.slice(open + 1, end - 1), end })
  }
  return found
}

/** The bodies of `it(…)` and `it.each(…)(…)` tests, with their names. */
function tests(source: string): Array<{ name: string; body: string }> {
  const found: Array<{ name: string; body: string }> = []
  for (const match of source.matchAll(/\bit(?:\.skipIf\([^)]*\)|\.each\()?/g)) {
    let at = match.index + match[0].length
    if (match[0].endsWith('.each(')) at = closing(source, at - 1)
    if (source[at] !== '(') continue
    const end = closing(source, at)
    const text = source.slice(at, end)
    found.push({ name: /^\(\s*(['"`])(.*?)\1/.exec(text)?.[2] ?? text.slice(0, 60), body: text })
  }
  return found
}

const line = (source: string, at: number) => source.slice(0, at).split('\n').length

describe('every test can fail', () => {
  it('finds the tests and expectations it checks', () => {
    expect(FILES.length).toBeGreaterThan(50)
    const counted = FILES.map((f) => tests(readFileSync(join(TEST_DIR, f), 'utf8')).length).reduce((a, b) => a + b, 0)
    expect(counted).toBeGreaterThan(300)
  })

  it('refuses a test whose only expectations are toBeDefined() or >= 0', () => {
    const weak = /\.(toBeDefined\(\)|toBeGreaterThanOrEqual\(0\)|not\.toBeUndefined\(\))\s*$/
    const found = FILES.flatMap((file) => {
      const source = readFileSync(join(TEST_DIR, file), 'utf8')
      return tests(source).flatMap(({ name, body }) => {
        const checks = expectations(body).map((e) =>
          body.slice(e.at, body.indexOf('\n', e.end) < 0 ? body.length : body.indexOf('\n', e.end)).trim(),
        )
        return checks.length > 0 && checks.every((c) => weak.test(c.replace(/[;)]*$/, (m) => (m.includes(')') ? ')' : ''))))
          ? [`${file}: "${name}"`]
          : []
      })
    })
    expect(found).toEqual([])
  })

  it("refuses a ?? 0 (or ?? '') inside an expect(…)", () => {
    const found = FILES.flatMap((file) => {
      const source = readFileSync(join(TEST_DIR, file), 'utf8')
      return expectations(source)
        .filter((e) => /\?\?\s*(0|''|""|``)(?![.\d])/.test(e.argument))
        .map((e) => `${file}:${line(source, e.at)}: expect(${e.argument.slice(0, 80)})`)
    })
    expect(found).toEqual([])
  })

  it('refuses an if (…) expect(…) whose else does not assert too', () => {
    const found = FILES.flatMap((file) => {
      const source = readFileSync(join(TEST_DIR, file), 'utf8')
      return [...source.matchAll(/\bif \(/g)].flatMap((match) => {
        const condition = closing(source, match.index + 3)
        const rest = source.slice(condition).trimStart()
        const branchEnd = rest.startsWith('{') ? closing(rest, 0) : rest.indexOf('\n')
        const branch = rest.slice(0, branchEnd < 0 ? rest.length : branchEnd)
        if (!/\bexpect\(/.test(branch)) return []
        const after = rest.slice(branch.length).trimStart()
        const elseAsserts =
          after.startsWith('else') &&
          /\bexpect\(/.test(
            after.slice(0, after.startsWith('else {') ? closing(after, after.indexOf('{')) : Math.max(0, after.indexOf('\n'))),
          )
        return elseAsserts ? [] : [`${file}:${line(source, match.index)}: ${source.slice(match.index, condition + 60).split('\n')[0]}`]
      })
    })
    expect(found).toEqual([])
  })
})
