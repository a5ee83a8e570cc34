/**
 * The endpoint's answer, shared by every variant so that the same request always produces the
 * same bytes: the response schema (fastify serialises with it, fixing field order), declared
 * once with TypeBox so the TypeScript type comes from it. product-page.ts joins the upstreams'
 * answers into it.
 */
import { Type, type Static, type TSchema } from 'typebox'

/** An object with exactly these fields, in this order (the order of the bytes sent). */
const exactly = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false })

/** One product as the page shows it. */
const ProductViewSchema = exactly({
  id: Type.Integer(),
  name: Type.String(),
  category: exactly({ id: Type.Integer(), path: Type.Array(Type.String()) }),
  price: exactly({ currency: Type.String(), amountCents: Type.Integer(), listCents: Type.Integer(), discountPercent: Type.Number() }),
  stock: exactly({ available: Type.Integer(), inStock: Type.Boolean(), warehouse: Type.String() }),
  rating: exactly({ average: Type.Number(), count: Type.Integer() }),
})
export type ProductView = Static<typeof ProductViewSchema>

/** JSON schema of a ProductPage; fastify serialises responses with it. */
export const productPageSchema = exactly({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  items: Type.Array(ProductViewSchema),
})
export type ProductPage = Static<typeof productPageSchema>
