/**
 * The direction of imports is enforced by lint (eslint.config.js, LAYERS): an import that
 * crosses the layering fails `npm test`. Each case lints a one-line file, as if it stood at
 * that path, through the project's own ESLint configuration.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/run-cli.ts'

const eslint = new ESLint({ cwd: ROOT })

async function layeringErrors(path: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${from}'\nexport const y = x\n`, { filePath: path })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('imports follow the layering', () => {
  it.each([
    ['scenario/types.ts', '../bench/bench.ts', 'scenario/ is the lab’s world'],
    ['scenario/types.ts', '../variants/shared/app.ts', 'scenario/ is the lab’s world'],
    ['scenario/presets/shop.ts', '../../mock-upstreams/data.ts', 'scenario/ is the lab’s world'],
    ['mock-upstreams/handlers.ts', '../bench/stack/lab-process.ts', 'mock-upstreams/ imports only scenario/'],
    ['mock-upstreams/handlers.ts', '../variants/shared/upstream-clients.ts', 'mock-upstreams/ imports only scenario/'],
    ['variants/naive.ts', '../bench/measure/run-bench.ts', 'variants/ imports only scenario/'],
    ['variants/shared/upstream-clients.ts', '../../mock-upstreams/data.ts', 'variants/ imports only scenario/'],
    ['variants/shared/app.ts', '../../lab-api/plugin.ts', 'the lab’s plugin (lab-api/)'],
    ['lab-api/plugin.ts', '../bench/measure/calibrate.ts', 'lab-api/ (the lab’s plugin in the API process)'],
    ['bench/measure/run-bench.ts', '../report/report-rows.ts', 'measuring never imports rendering'],
    ['bench/measure/run-bench.ts', '../../bench/report/render-report.ts', 'measuring never imports rendering'],
    ['bench/record/results.ts', '../measure/stats.ts', 'bench/record/'],
    ['bench/stack/api-process.ts', '../measure/plan.ts', 'bench/stack/'],
    ['bench/cli/progress.ts', '../report/html.ts', 'bench/cli/'],
    ['bench/report/report-rows.ts', '../measure/run-bench.ts', 'bench/report/ renders results.json'],
    ['model/derive.ts', '../bench/measure/floors.ts', 'model/ (the virtual-time runs)'],
    ['roles/protocol.ts', '../lab-api/protocol.ts', 'roles/ (what every role speaks'],
    ['roles/precise-wait.ts', '../mock-upstreams/latency.ts', 'roles/ (what every role speaks'],
    ['scenario/types.ts', '../roles/protocol.ts', 'scenario/ is the lab’s world'],
  ])('%s may not import %s', async (path, from, why) => {
    const errors = await layeringErrors(path, from)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(why)
  })

  it.each([
    ['scenario/resolve-scenario.ts', './types.ts'],
    ['scenario/presets/shop.ts', '../types.ts'],
    ['mock-upstreams/handlers.ts', '../scenario/types.ts'],
    ['variants/naive.ts', './shared/product-page.ts'],
    ['variants/shared/app.ts', '../../scenario/types.ts'],
    ['bench/measure/run-bench.ts', '../record/results.ts'],
    ['bench/measure/run-bench.ts', '../stack/start-stack.ts'],
    ['bench/report/report-rows.ts', '../record/format.ts'],
    ['bench/cli/progress.ts', '../record/format.ts'],
    ['bench/stack/api-process.ts', '../../lab-api/protocol.ts'],
    ['lab-api/plugin.ts', '../variants/shared/app.ts'],
    ['bench/stack/api-main.ts', '../../lab-api/plugin.ts'],
    ['bench/bench.ts', './report/render-report.ts'],
    ['model/virtual-run.ts', '../mock-upstreams/data.ts'],
    ['bench/stack/model-main.ts', '../../model/model-variant.ts'],
    ['mock-upstreams/latency.ts', '../roles/precise-wait.ts'],
    ['lab-api/plugin.ts', '../roles/protocol.ts'],
    ['roles/protocol.ts', '../scenario/types.ts'],
  ])('%s may import %s', async (path, from) => {
    expect(await layeringErrors(path, from)).toEqual([])
  })

  it('holds for every file of the lab as it is', async () => {
    const results = await eslint.lintFiles(['scenario', 'roles', 'mock-upstreams', 'variants', 'lab-api', 'bench', 'scripts'])
    const crossings = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`),
    )
    expect(crossings).toEqual([])
  })

  it.each([
    ["const path = '/__lab/counters'", 'variants/shared/app.ts'],
    ['const file = `/proc/${process.pid}/stat`', 'variants/naive.ts'],
  ])('the API under test may not write %s (in %s): the lab’s plugin does', async (line, path) => {
    const [result] = await eslint.lintText(`${line}\nexport { ${line.split(' ')[1]} }\n`, { filePath: path })
    expect(result!.messages.map((m) => m.message)).toEqual([expect.stringContaining('belong to the lab’s plugin (lab-api/)')])
    const [elsewhere] = await eslint.lintText(`${line}\nexport { ${line.split(' ')[1]} }\n`, { filePath: 'lab-api/plugin.ts' })
    expect(elsewhere!.messages).toEqual([])
  })

  it('holds in variants/ as it is: no /__lab route, no /proc reading', async () => {
    const results = await eslint.lintFiles(['variants'])
    expect(
      results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${r.filePath}:${m.line}`)),
    ).toEqual([])
  })
})
