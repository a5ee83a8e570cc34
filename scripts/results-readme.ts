/**
 * `npm run results-readme`: writes results/README.md from the results contract itself
 * (bench/record/results.ts): every field's `description`, its type as the JSON Schema says it,
 * and the version history (bench/record/results-history.ts). A test fails when the file
 * differs from what this renders, so the reference cannot drift from the schema.
 *
 * Written by hand: the JSON Schema documentation generators on npm (json-schema-for-humans is
 * Python; @adobe/jsonschema2md writes one page per schema, in a layout of its own) would
 * either add a toolchain or scatter one contract over dozens of files. This is one walk of
 * the schema and a few tables.
 *
 * An object schema with a `title` (results.ts's `named()`) is used in several places: it is
 * documented once, in its own section, and linked from each field that holds it. Untitled
 * objects are written inline, their fields under the parent's with a dotted path.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { NOISE_FILE_VERSION, NOISE_SCHEMA, RESULTS_SCHEMA, SCHEMA_VERSION, WHAT_IF_SCHEMA } from '../bench/record/results.ts'
import { SCHEMA_HISTORY } from '../bench/record/results-history.ts'

export const RESULTS_README = fileURLToPath(new URL('../results/README.md', import.meta.url))

/** A JSON Schema node as TypeBox emits it: only what is read here. */
export interface Schema {
  type?: string
  title?: string
  description?: string
  const?: unknown
  enum?: unknown[]
  anyOf?: Schema[]
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  minimum?: number
  maximum?: number
  pattern?: string
}

/** Titled schemas documented elsewhere: the link their fields get instead of a section here. */
const ELSEWHERE: Record<string, string> = { Scenario: '../docs/scenario.md' }

/** GitHub's anchor of a `### title` heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (title: string): string =>
  `#${title
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replaceAll(' ', '-')}`
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The schema without its `null` alternative, and whether it had one. */
function unwrapNull(schema: Schema): { inner: Schema; nullable: boolean } {
  const others = schema.anyOf?.filter((s) => s.type !== 'null')
  if (schema.anyOf && others && others.length === 1 && others.length < schema.anyOf.length) return { inner: others[0]!, nullable: true }
  return { inner: schema, nullable: false }
}

function isObject(schema: Schema): boolean {
  return schema.type === 'object' && schema.properties !== undefined
}

function isMap(schema: Schema): schema is Schema & { additionalProperties: Schema } {
  return schema.type === 'object' && schema.properties === undefined && typeof schema.additionalProperties === 'object'
}

/** The type as a reader needs it: a number's bounds, an enum's values, a link to a titled object. */
export function typeText(schema: Schema): string {
  const { inner, nullable } = unwrapNull(schema)
  const text = ((): string => {
    if (inner.title && (isObject(inner) || inner.title in ELSEWHERE || isMap(inner)))
      return `[${inner.title}](${ELSEWHERE[inner.title] ?? anchor(inner.title)})`
    if (inner.const !== undefined) return JSON.stringify(inner.const)
    if (inner.enum) return inner.enum.map((v) => JSON.stringify(v)).join(' \\| ')
    if (inner.anyOf) return inner.anyOf.map(typeText).join(' or ')
    if (inner.type === 'array') return `array of ${inner.items ? typeText(inner.items) : 'any'}`
    if (isMap(inner)) return `map of ${typeText(inner.additionalProperties)}`
    if (inner.type === 'object') return 'object'
    if (inner.type === 'string') return inner.pattern?.includes(String.raw`\d{4}-\d{2}-\d{2}T`) ? 'ISO 8601 time (UTC)' : 'string'
    if (inner.type === 'number' || inner.type === 'integer') {
      if (inner.minimum !== undefined && inner.maximum !== undefined) return `${inner.type} ${inner.minimum}–${inner.maximum}`
      return inner.minimum !== undefined ? `${inner.type} ≥ ${inner.minimum}` : inner.type
    }
    return inner.type ?? 'any'
  })()
  return nullable ? `${text} or null` : text
}

interface Row {
  path: string
  type: string
  description: string | undefined
}

/** The rows of an object's fields: untitled nested objects (also in arrays and maps) follow their field, dotted. */
function rowsOf(schema: Schema, prefix = ''): Row[] {
  const rows: Row[] = []
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`
    rows.push({ path, type: typeText(field), description: field.description })
    const { inner } = unwrapNull(field)
    if (inner.title) continue
    if (isObject(inner)) rows.push(...rowsOf(inner, `${path}.`))
    else if (inner.type === 'array' && inner.items && !inner.items.title && isObject(inner.items))
      rows.push(...rowsOf(inner.items, `${path}[].`))
    else if (isMap(inner) && !inner.additionalProperties.title && isObject(inner.additionalProperties))
      rows.push(...rowsOf(inner.additionalProperties, `${path}.*.`))
  }
  return rows
}

/** Every titled object reachable from `schema`, in the order first met, depth first. */
function titledIn(schema: Schema, found = new Map<string, Schema>()): Map<string, Schema> {
  const visit = (node: Schema | undefined): void => {
    if (!node || typeof node !== 'object') return
    if (node.title && (isObject(node) || isMap(node)) && !(node.title in ELSEWHERE)) {
      if (found.has(node.title)) return
      found.set(node.title, node)
    }
    for (const child of Object.values(node.properties ?? {})) visit(child)
    node.anyOf?.forEach(visit)
    visit(node.items)
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties)
  }
  for (const child of Object.values(schema.properties ?? {})) visit(child)
  return found
}

function table(rows: Row[]): string {
  return [
    '| field | type | what it is |',
    '|---|---|---|',
    ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${cell(r.description ?? '')} |`),
  ].join('\n')
}

function sections(titled: Map<string, Schema>, skip: Set<string>): string {
  const out: string[] = []
  for (const [title, schema] of titled) {
    if (skip.has(title)) continue
    // No lead from the schema's description: the first place an object is met may be a field's doc(), whose words are
    // that field's, not the object's. Each field that holds it says what it is there.
    if (isMap(schema)) out.push(`### ${title}\n\nA map: each key holds ${typeText(schema.additionalProperties)}.`)
    else out.push(`### ${title}\n\n${table(rowsOf(schema))}`)
  }
  return out.join('\n\n')
}

/** Every field of both contracts without a description, as a path: none, or the README has holes. */
export function undescribedFields(): string[] {
  const missing: string[] = []
  const check = (schema: Schema, where: string): void => {
    for (const row of rowsOf(schema)) if (!row.description) missing.push(`${where}.${row.path}`)
  }
  check(RESULTS_SCHEMA as Schema, 'results')
  check(WHAT_IF_SCHEMA as Schema, 'what-if')
  check(NOISE_SCHEMA as Schema, 'noise')
  for (const [title, schema] of titledIn(RESULTS_SCHEMA as Schema)) if (isObject(schema)) check(schema, title)
  for (const [title, schema] of titledIn(WHAT_IF_SCHEMA as Schema)) if (isObject(schema)) check(schema, title)
  return [...new Set(missing)]
}

const INTRO = `# results/

<!-- Generated by \`npm run results-readme\` from bench/record/results.ts and results-history.ts: edit those, not this file. -->

Every \`npm run bench\` writes a new directory here, \`results/<UTC timestamp>/\`, and
points \`results/latest\` at it. Nothing in this directory is committed except this file.

| file | what it is |
|---|---|
| \`results.json\` | everything measured, with the scenario and environment it came from (the contract below) |
| \`report.html\` | the report: one self-contained page, opens from disk, rendered from \`results.json\` |
| \`summary.md\` | the lesson (the verdict, what each fix buys, the top load level, how far to trust it) in Markdown, fit for a pull request's comment, every other table folded beneath it |

Files are written to a temporary name and renamed into place, \`results.json\` last: a
directory with a \`results.json\` is a finished run. An interrupted run (Ctrl-C) writes
nothing; an interrupted \`--vary\` writes the values it measured.`

const CONTRACT = `## results.json

\`schemaVersion\` ${SCHEMA_VERSION}. The contract is declared once, with TypeBox, in
\`bench/record/results.ts\`: \`RESULTS_SCHEMA\` is its JSON Schema (draft-07), which the
harness checks every file it writes against, and so do the tests; the TypeScript type the
code reads and writes comes from the same declaration, and every field's description below
is the schema's own. Times are in milliseconds unless the name says otherwise.

**Percentiles.** Every p50, p75, p90 and p99 in this file is computed by the lab with one
definition (\`bench/measure/stats.ts\`): linear interpolation between the two closest
ranks — for *n* sorted values, the *p*-th percentile lies at rank (*n* − 1) × *p* / 100
(Hyndman and Fan's type 7, numpy's default, tinybench's) — so a p50 is the usual median
and a \`maxMs\` is the largest value. No figure is taken from a tool that defines
percentiles otherwise. A p99 is \`null\` below 100 values and a p90 below 20 (the max stands
for the tail): \`samples\`, \`answered\` or \`requests\` says how many there were.`

const WHAT_IF = `## A what-if's results.json

\`npm run bench -- --predict\` (the model alone: nothing is started or measured) and
\`--vary PARAM=V1,V2,…\` (the model at each value of one parameter; without \`--predict\`,
also the latency phase at each value, on a stack of its own) write the same three files,
\`results.json\` in its own contract, \`WHAT_IF_SCHEMA\` in \`bench/record/results.ts\`. The
report is a page of its own. A what-if does not move \`results/latest\`, which stays on the
newest measured run, and \`npm run readme\` refuses one.`

const NOISE = `## An A/A's noise.json

\`npm run bench -- --aa --runs N\` measures the same code as two interleaved sets of N runs
(the odd-numbered runs set A, the even-numbered set B) and compares set A, its
\`results.json\`, against set B, kept whole in \`aa-b/results.json\`. Beside them it writes
\`noise.json\`: per variant and figure, both sets' per-run values, the A/A's change and
interval, and the T it implies. \`--noise FILE\` (bench and compare) gives each figure it
names that T. Its own contract, \`NOISE_SCHEMA\` in \`bench/record/results.ts\`, version
${NOISE_FILE_VERSION}.`

/** The whole of results/README.md. */
export function resultsReadme(results: Schema = RESULTS_SCHEMA as Schema, whatIf: Schema = WHAT_IF_SCHEMA as Schema): string {
  const runTitled = titledIn(results)
  const whatIfTitled = titledIn(whatIf)
  const history = SCHEMA_HISTORY.map((entry) => entry.change).join('\n\n')
  return `${[
    INTRO,
    CONTRACT,
    table(rowsOf(results)),
    sections(runTitled, new Set()),
    WHAT_IF,
    table(rowsOf(whatIf)),
    sections(whatIfTitled, new Set(runTitled.keys())),
    NOISE,
    table(rowsOf(NOISE_SCHEMA as Schema)),
    `## Versions\n\nA file of another version cannot be compared with this one (\`npm run compare\` and \`--baseline\` say so): measure the baseline again.\n\n${history}`,
  ].join('\n\n')}\n`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = resultsReadme()
  const before = (() => {
    try {
      return readFileSync(RESULTS_README, 'utf8')
    } catch {
      return ''
    }
  })()
  writeFileSync(RESULTS_README, text)
  const missing = undescribedFields()
  console.log(`${before === text ? 'Unchanged' : 'Wrote'} results/README.md (schema ${SCHEMA_VERSION}).`)
  if (missing.length) {
    console.error(`${missing.length} field(s) have no description in bench/record/results.ts:\n  ${missing.join('\n  ')}`)
    process.exitCode = 1
  }
}
