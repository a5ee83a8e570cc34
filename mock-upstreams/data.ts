/**
 * The seeded data set behind the mocks: a category tree four levels deep and a catalog
 * of products, plus stock, prices and ratings derived per product from the seed.
 * Same seed, same data, byte for byte.
 *
 * createDataset builds the category tree and the catalogue in one seeded pass (the order of draws is the data), which is
 * why it runs past 80 lines.
 */
import type { CatalogPage, Category, CategoryPath, Price, Product, RatingSummary, StockLevel } from '../scenario/wire-types.ts'
import { createRandom, deriveSeed, hashToUnit, pick } from '../scenario/random.ts'

export interface Dataset {
  categories: ReadonlyMap<number, Category>
  products: readonly Product[]
  productById: ReadonlyMap<number, Product>
  /** Products in a category or any of its descendants, in catalog order. */
  productsInCategory(categoryId: number): readonly Product[] | undefined
  stockOf(productId: number): StockLevel
  priceOf(productId: number): Price
  ratingOf(productId: number): RatingSummary
  /** Names from the root down to the category itself. */
  ancestorPath(categoryId: number): Category[]
  /** What catalog answers for a page: `limit` products from `(page − 1) × limit`, of a category's subtree or of all. */
  catalogPage(page: number, limit: number, category?: number): CatalogPage
  /** What categories answers for one category: its path's ids and names. */
  categoryPath(categoryId: number): CategoryPath
}

const ROOTS = ['Home', 'Kitchen', 'Garden', 'Sports', 'Electronics', 'Toys', 'Books', 'Fashion']
const BRANCHING = [4, 4, 3] // children per node below the roots: 8 → 32 → 128 → 384 leaves
const SECTIONS = ['Essentials', 'Outdoor', 'Premium', 'Classic', 'Compact', 'Pro', 'Family', 'Travel', 'Smart', 'Eco']
const ADJECTIVES = ['Sturdy', 'Light', 'Quiet', 'Bright', 'Soft', 'Rapid', 'Slim', 'Warm', 'Bold', 'Handy', 'Clever', 'Tidy']
const NOUNS = [
  'Kettle',
  'Lamp',
  'Backpack',
  'Chair',
  'Speaker',
  'Blender',
  'Jacket',
  'Bottle',
  'Planter',
  'Puzzle',
  'Racket',
  'Notebook',
  'Tent',
  'Mug',
  'Drill',
]
const WAREHOUSES = ['AMS-1', 'FRA-2', 'MAD-1', 'WAW-3']

/**
 * The ids of the first `count` top-level categories, in order, without building the data set:
 * ids are given depth first, so each root's id follows the whole subtree of the one before.
 */
export function topLevelCategoryIds(count: number): number[] {
  let perLevel = 1
  let subtree = 1
  for (const fanOut of BRANCHING) subtree += perLevel *= fanOut
  return Array.from({ length: Math.min(count, ROOTS.length) }, (_, i) => 1 + i * subtree)
}

export function createDataset(seed: number, catalogSize: number): Dataset {
  const random = createRandom(deriveSeed(seed, 'dataset'))

  const categories = new Map<number, Category>()
  const children = new Map<number, number[]>()
  const leaves: number[] = []
  let nextCategoryId = 1
  const addCategory = (name: string, parentId: number | null, level: number): void => {
    const id = nextCategoryId++
    categories.set(id, { id, name, parentId })
    if (parentId !== null) children.get(parentId)?.push(id)
    children.set(id, [])
    const fanOut = BRANCHING[level]
    if (fanOut === undefined) {
      leaves.push(id)
      return
    }
    for (let i = 0; i < fanOut; i++) addCategory(`${name.split(' ')[0]} ${pick(random, SECTIONS)} ${level + 1}.${i + 1}`, id, level + 1)
  }
  for (const root of ROOTS) addCategory(root, null, 0)

  const products: Product[] = []
  for (let id = 1; id <= catalogSize; id++) {
    products.push({ id, name: `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${id}`, categoryId: pick(random, leaves) })
  }
  const productById = new Map(products.map((p) => [p.id, p]))

  const productsByCategory = new Map<number, Product[]>()
  const subtree = (categoryId: number): Set<number> => {
    const ids = new Set<number>([categoryId])
    for (const child of children.get(categoryId) ?? []) for (const id of subtree(child)) ids.add(id)
    return ids
  }

  return {
    categories,
    products,
    productById,
    productsInCategory,
    stockOf(productId) {
      const u = hashToUnit(seed, 'stock', productId)
      return {
        productId,
        available: u < 0.1 ? 0 : Math.floor(u * 250),
        warehouse: WAREHOUSES[Math.floor(hashToUnit(seed, 'warehouse', productId) * WAREHOUSES.length)] ?? 'AMS-1',
      }
    },
    priceOf(productId) {
      const listCents = 199 + Math.floor(hashToUnit(seed, 'price', productId) * 49_800)
      const discountPercent = [0, 0, 0, 5, 10, 15, 20, 30][Math.floor(hashToUnit(seed, 'discount', productId) * 8)] ?? 0
      return {
        productId,
        currency: 'EUR',
        listCents,
        discountPercent,
        amountCents: Math.round((listCents * (100 - discountPercent)) / 100),
      }
    },
    ratingOf(productId) {
      const count = Math.floor(hashToUnit(seed, 'review-count', productId) * 900)
      const average = count === 0 ? 0 : Math.round((2.5 + hashToUnit(seed, 'review-average', productId) * 2.5) * 10) / 10
      return { productId, average, count }
    },
    ancestorPath,
    catalogPage(page, limit, category) {
      const all = category === undefined ? products : (productsInCategory(category) ?? [])
      return { page, limit, total: all.length, items: all.slice((page - 1) * limit, page * limit) }
    },
    categoryPath(categoryId) {
      return { categoryId, path: ancestorPath(categoryId).map(({ id, name }) => ({ id, name })) }
    },
  }

  function productsInCategory(categoryId: number): readonly Product[] | undefined {
    if (!categories.has(categoryId)) return undefined
    let list = productsByCategory.get(categoryId)
    if (!list) {
      const ids = subtree(categoryId)
      list = products.filter((p) => ids.has(p.categoryId))
      productsByCategory.set(categoryId, list)
    }
    return list
  }

  function ancestorPath(categoryId: number): Category[] {
    const path: Category[] = []
    for (let c = categories.get(categoryId); c; c = c.parentId === null ? undefined : categories.get(c.parentId)) path.unshift(c)
    return path
  }
}
