/**
 * Finds the variants: every `.ts` file directly in variants/ is one, named by its file
 * name. Adding a variant is adding a file; no list to edit. Returned in story order:
 * each variant after its parent.
 */
import { readdir } from 'node:fs/promises'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Variant } from './variant.ts'
import { isStoryVariant } from '../../scenario/story.ts'
import { VARIANT_NAME, VARIANTS_DIR, variantFile } from './variant-files.ts'

export async function loadVariants(dir = VARIANTS_DIR): Promise<Variant[]> {
  return orderByParent(await readVariants(dir))
}

/** Every variant file in `dir`, checked one by one, in file order: their parents may live elsewhere. */
export async function readVariants(dir = VARIANTS_DIR): Promise<Variant[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')).sort()
  const variants: Variant[] = []
  for (const file of files) {
    const name = basename(file, '.ts')
    if (!VARIANT_NAME.test(name)) {
      throw new Error(`Variant file "${file}": the name must be kebab-case (a-z, 0-9, -), up to 40 characters, as it is used in URLs.`)
    }
    // A pattern a bundler resolves to every file here at build time (the lab's processes start from a bundle); elsewhere, the path.
    const module = (
      dir === VARIANTS_DIR ? await import(`../${name}.ts`) : await import(pathToFileURL(variantFile(name, dir)).href)
    ) as Record<string, unknown>
    const { parent, getProducts } = module
    if (typeof getProducts !== 'function') {
      throw new Error(
        `Variant file "${file}" must export a function getProducts(context); it exports ${Object.keys(module).join(', ') || 'nothing'}.`,
      )
    }
    if (parent !== null && typeof parent !== 'string') {
      throw new Error(`Variant file "${file}" must export parent: the name of the variant it improves on, or null; got ${String(parent)}.`)
    }
    variants.push({ name, parent, getProducts: getProducts as Variant['getProducts'] })
  }
  return variants
}

/** Roots first, then each variant after its parent (depth first: the story's next step first, then the others by name). */
export function orderByParent(variants: Variant[]): Variant[] {
  const names = new Set(variants.map((v) => v.name))
  for (const v of variants) {
    if (v.parent !== null && !names.has(v.parent)) {
      throw new Error(`Variant "${v.name}" names parent "${v.parent}", which is not a variant (known: ${[...names].join(', ')}).`)
    }
  }
  const ordered: Variant[] = []
  const visit = (parent: string | null): void => {
    const children = variants
      .filter((candidate) => candidate.parent === parent)
      .sort((a, b) => Number(isStoryVariant(b.name)) - Number(isStoryVariant(a.name)) || a.name.localeCompare(b.name))
    for (const v of children) {
      ordered.push(v)
      visit(v.name)
    }
  }
  visit(null)
  if (ordered.length !== variants.length) {
    const cyclic = variants.filter((v) => !ordered.includes(v)).map((v) => v.name)
    throw new Error(`Variants ${cyclic.join(', ')} form a cycle of parents; one of them must have parent null or an existing variant.`)
  }
  return ordered
}
