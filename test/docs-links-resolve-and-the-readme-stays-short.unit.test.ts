/**
 * The README is a front page that links to a guide per topic (docs/): every relative link in
 * them resolves, to a file that exists and, with an anchor, to a heading that file has; the
 * README stays short; and the report's "Try your own fix" box gives the README's commands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OWN_FIX_COMMANDS } from '../bench/report/report-rows.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PAGES = [
  'README.md',
  'results/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-')
}

/** The headings of a Markdown file, outside code fences, as anchors. */
function anchors(file: string): Set<string> {
  let fenced = false
  const found = new Set<string>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line)
    if (heading) found.add(slug(heading[1]!))
  }
  return found
}

/** Every Markdown link of a file outside code fences: [text](target). */
function links(file: string): string[] {
  let fenced = false
  const found: string[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    if (fenced) continue
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) found.push(match[1]!)
  }
  return found
}

describe('the README and the guides', () => {
  it('has guides to link to, and the README links to every one of them', () => {
    const guides = PAGES.filter((p) => p.startsWith('docs/'))
    expect(guides.length).toBeGreaterThanOrEqual(8)
    const linked = links(join(ROOT, 'README.md'))
    for (const guide of guides) expect(linked, guide).toContain(guide)
  })

  it.each(PAGES)('%s: every relative link resolves, to a file and to a heading in it', (page) => {
    const file = join(ROOT, page)
    const relativeLinks = links(file).filter((target) => !/^[a-z]+:/i.test(target))
    for (const target of relativeLinks) {
      const [path, anchor] = target.split('#') as [string, string | undefined]
      const resolved = path ? join(dirname(file), decodeURIComponent(path)) : file
      expect(existsSync(resolved), `${page} → ${target}: no ${relative(ROOT, resolved)}`).toBe(true)
      // An anchor names a heading of the Markdown file it points into (an anchor into any other file is not checked).
      const headings = anchor && resolved.endsWith('.md') ? [...anchors(resolved)] : []
      expect(
        anchor === undefined || !resolved.endsWith('.md') || headings.includes(anchor),
        `${page} → ${target}: no heading "${anchor}"`,
      ).toBe(true)
    }
  })

  it('keeps the README a front page: at most about 300 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length
    expect(lines).toBeLessThanOrEqual(300)
  })

  it('gives the report\'s three commands of "Try your own fix" in the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    for (const { command } of OWN_FIX_COMMANDS) expect(readme).toContain(command)
  })
})
