/** Each variant's file against its parent's: the optimisation, shown beside what it bought. */
import { readFile } from 'node:fs/promises'
import { createTwoFilesPatch } from 'diff'
import { VARIANTS_DIR, variantFile } from '../../variants/shared/variant-files.ts'

export async function diffAgainstParent(variant: string, parent: string | null, dir = VARIANTS_DIR): Promise<string | null> {
  if (parent === null) return null
  const [before, after] = await Promise.all([readFile(variantFile(parent, dir), 'utf8'), readFile(variantFile(variant, dir), 'utf8')])
  // Labelled with the files' paths from the project's root, as a reader finds them.
  return createTwoFilesPatch(variantFile(parent, 'variants'), variantFile(variant, 'variants'), before, after, '', '', { context: 3 })
}

/** The first sentence of the comment at the top of a variant file: what the variant changes. */
export async function summarizeVariant(variant: string, dir = VARIANTS_DIR): Promise<string> {
  const source = await readFile(variantFile(variant, dir), 'utf8')
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(source.trimStart())?.[1] ?? ''
  const text = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .trim()
  const sentence = /^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text
  return sentence || variant
}
