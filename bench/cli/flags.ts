/**
 * Command-line flags of `npm run serve` and `npm run bench`: parsing against a table of
 * flags, numbers from flag values, the help text, and usage errors (exit code 2).
 */
import { parseArgs } from 'node:util'
import { suggest } from '../../scenario/suggest.ts'

/** A bad flag, flag value or scenario file: the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export interface FlagSpec {
  /** string flags take a value; boolean flags do not. */
  type: 'string' | 'boolean'
  value?: string
  help: string
  /** A string flag that may be given more than once: its values are kept in order (listFlag). */
  multiple?: boolean
}

export type FlagValues = Record<string, string | boolean | undefined>

/** Parses argv against `specs`; unknown flags and stray arguments are usage errors. */
export function parseFlags(argv: string[], specs: Record<string, FlagSpec>): FlagValues {
  const options = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }]))
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true })
  const values: FlagValues = {}
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`Unexpected argument "${token.value}". Flags start with --; see --help.`)
    if (token.kind !== 'option') continue
    const spec = specs[token.name]
    if (!spec) {
      const close = suggest(token.name, Object.keys(specs))
      throw new UsageError(`Unknown flag ${token.rawName}.${close ? ` Did you mean --${close}?` : ''} See --help.`)
    }
    if (spec.type === 'string' && (token.value === undefined || token.value.startsWith('--'))) {
      throw new UsageError(`Flag --${token.name} needs a value: --${token.name} ${spec.value ?? 'VALUE'}.`)
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`Flag --${token.name} takes no value; got "${token.value}".`)
    }
    if (spec.multiple && token.value !== undefined) {
      values[token.name] = values[token.name] === undefined ? token.value : `${String(values[token.name])}${LIST_SEPARATOR}${token.value}`
      continue
    }
    if (values[token.name] !== undefined) throw new UsageError(`Flag --${token.name} is given twice.`)
    values[token.name] = token.value ?? true
  }
  return values
}

/** Between the values of a flag given more than once (a value cannot hold a newline from a shell's word). */
const LIST_SEPARATOR = '\n'

/** Every value of a `multiple` flag, in the order given; empty when not given. */
export function listFlag(values: FlagValues, name: string): string[] {
  const raw = values[name]
  return typeof raw === 'string' ? raw.split(LIST_SEPARATOR) : []
}

/** A number from a flag value, or a usage error naming the flag. */
export function readNumberFlag(values: FlagValues, name: string, integer = false): number | undefined {
  const raw = values[name]
  if (raw === undefined || typeof raw === 'boolean') return undefined
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`Flag --${name}: got "${raw}"; expected ${integer ? 'an integer' : 'a number'}.`)
  }
  return value
}

export function renderHelp(usage: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([name, spec]) => [`--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.help] as const)
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2
  return [usage, '', 'Flags:', ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`)].join('\n')
}
