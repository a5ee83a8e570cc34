/**
 * `--vary PARAM=v1,v2,…`: one scenario per value of one parameter. PARAM is a scenario flag
 * that takes a number (--latency, --products, --inventory-per-item, --cache-ttl, --workers…),
 * so each value goes through the same checks as the flag, and an error names both.
 */
import type { Vary } from './run-settings.ts'
import { UsageError, type FlagValues } from './flags.ts'
import { resolveScenarioFromFlags } from './scenario-flags.ts'
import { suggest } from '../../scenario/suggest.ts'
import { SERVICE_NAMES, type Scenario } from '../../scenario/types.ts'

/** What each parameter sets, and its unit, for the tables and the chart's axis. */
export const VARY_PARAMETERS: Record<string, { label: string; unit: string }> = {
  latency: { label: 'base latency of every service', unit: 'ms' },
  ...Object.fromEntries(
    SERVICE_NAMES.flatMap((service) => [
      [`${service}-latency`, { label: `base latency of ${service}`, unit: 'ms' }],
      [`${service}-per-item`, { label: `${service}'s latency per id`, unit: 'ms' }],
    ]),
  ),
  products: { label: 'products per page', unit: '' },
  workers: { label: 'workers of every service', unit: '' },
  'cache-ttl': { label: 'price cache TTL', unit: 's' },
  deadline: { label: "the API's deadline per request", unit: 'ms' },
  'catalog-size': { label: 'products in the catalog', unit: '' },
}

/** Values a --vary may list: each is a model run, and without --predict a measurement. */
export const MAX_VARY_VALUES = 12

export type { Vary } from './run-settings.ts'

/** The scenarios of `--vary`, from the other flags with PARAM set to each value in turn. */
export async function resolveVary(raw: string, values: FlagValues): Promise<Vary> {
  const bad = (why: string): never => {
    throw new UsageError(
      `Flag --vary: got "${raw}"; ${why}. Expected PARAM=V1,V2,… with PARAM one of ${Object.keys(VARY_PARAMETERS).join(', ')} (e.g. --vary latency=5,10,20,40,80).`,
    )
  }
  const [parameter, list, ...rest] = raw.split('=')
  if (list === undefined || rest.length > 0 || !parameter) bad('it is not PARAM=V1,V2,…')
  const described = Object.hasOwn(VARY_PARAMETERS, parameter!) ? VARY_PARAMETERS[parameter!] : undefined
  if (!described) {
    const close = suggest(parameter!, Object.keys(VARY_PARAMETERS))
    bad(`"${parameter}" is not a parameter it can vary${close ? ` (did you mean "${close}"?)` : ''}`)
  }
  if (values[parameter!] !== undefined) bad(`--${parameter} is given too; vary it or set it, not both`)
  // A service's own latency flag wins over --latency: varying "every service" would leave that one out.
  const own = parameter === 'latency' ? SERVICE_NAMES.find((service) => values[`${service}-latency`] !== undefined) : undefined
  if (own) bad(`--${own}-latency is given too, and a service's own latency wins over --latency; vary ${own}-latency, or leave it out`)
  const parts = list!.split(',').map((part) => part.trim())
  if (parts.some((part) => part === '' || !Number.isFinite(Number(part))))
    bad(`"${parts.find((part) => part === '' || !Number.isFinite(Number(part)))}" is not a number`)
  const numbers = parts.map(Number)
  if (new Set(numbers).size !== numbers.length) bad('a value is listed twice')
  if (numbers.length > MAX_VARY_VALUES) bad(`${numbers.length} values; at most ${MAX_VARY_VALUES}`)
  // In ascending order, whatever order they were given in: the charts draw a line through them.
  const order = numbers.map((_, i) => i).sort((a, b) => numbers[a]! - numbers[b]!)
  const scenarios: Scenario[] = []
  for (const i of order) {
    const value = numbers[i]!
    try {
      scenarios.push(await resolveScenarioFromFlags({ ...values, [parameter!]: parts[i] }))
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`Flag --vary ${parameter}=${value}: ${error.message}`)
      throw error
    }
  }
  return { parameter: parameter!, ...described!, values: order.map((i) => numbers[i]!), scenarios }
}
