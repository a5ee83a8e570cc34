/**
 * The model of each variant, from a child process that runs them in virtual time
 * (model-main.ts). A variant that never gives its event loop back (a loop with no await)
 * cannot be stopped from inside: the process is given MODEL_WALL_MS of real time, and if
 * it runs over, each variant is modelled again in a process of its own, so only the one
 * that hangs is "not modelled".
 */
import { fileURLToPath } from 'node:url'
import { forkLabProcess } from './lab-process.ts'
import type { ModelOutcome } from '../../model/types.ts'
import type { Scenario } from '../../scenario/types.ts'

const ENTRY = fileURLToPath(new URL('./model-main.ts', import.meta.url))

/** Real time a model process may take: starting (tsx) and every variant's virtual runs, which take milliseconds each. */
export const MODEL_WALL_MS = 15_000

export async function modelVariants(scenario: Scenario, variants: string[], dir?: string): Promise<Record<string, ModelOutcome>> {
  const outcomes: Record<string, ModelOutcome> = {}
  // A process stops after a variant that never answered (its real work could leak into the next run): the rest go to a fresh one.
  for (let left = variants; left.length > 0; left = left.filter((name) => !(name in outcomes))) {
    try {
      const answered = await modelIn(scenario, left, dir)
      if (Object.keys(answered).length === 0) {
        for (const name of left) outcomes[name] = noFile(name)
      }
      Object.assign(outcomes, answered)
    } catch {
      // The process failed or ran over its time: each variant again on its own, to find which.
      for (const name of left) {
        try {
          Object.assign(outcomes, await modelIn(scenario, [name], dir))
          outcomes[name] ??= noFile(name)
        } catch (error) {
          const message = (error as Error).message
          outcomes[name] = {
            notModelled: /did not start within/.test(message)
              ? `its virtual run did not finish within ${MODEL_WALL_MS / 1000} s of real time (a loop that never gives its event loop back?)`
              : `its virtual run stopped the model process: ${message}`,
          }
        }
      }
    }
  }
  return outcomes
}

/** The reason for a variant name with no file the model process could run. */
function noFile(name: string): ModelOutcome {
  return { notModelled: `no variant file variants/${name}.ts was found to run` }
}

async function modelIn(scenario: Scenario, variants: string[], dir: string | undefined): Promise<Record<string, ModelOutcome>> {
  const lab = await forkLabProcess<Record<string, ModelOutcome>>(ENTRY, { scenario, variants, dir }, 'model', [], MODEL_WALL_MS)
  await lab.stop()
  return lab.ready
}
