/** summary.md: the lesson first (for a pull request's comment), then every table in Markdown under its heading; its lesson is also the README's. */
import {
  cacheOutageText,
  describeChange,
  describeFixChange,
  describeFaults,
  faultRows,
  formatLoadShares,
  overviewNote,
  formatNon2xx,
  formatHeld,
  formatRise,
  formatOverheadWithVerdict,
  headline,
  headlineText,
  formatApiCpu,
  formatColdP50,
  formatHitRatio,
  formatWithModel,
  formatSelfCheck,
  loadFailures,
  mixNote,
  mixRows,
  publishedNote,
  stepRows,
  targetLines,
  validityText,
} from './report-rows.ts'
import { formatMs, formatPercent, formatShare, formatTail } from '../record/format.ts'
import type { Results } from '../record/results.ts'
import { comparisonMarkdown, thresholdLines } from './render-comparison.ts'
import { lesson, peakRows, trustLine, unrankedReason, type FixRow } from './lesson.ts'
import { attributionMarkdown } from './render-attribution.ts'

export function renderSummaryMarkdown(results: Results): string {
  const rows = stepRows(results)
  const outage = cacheOutageText(results)
  const underLoad = loadFailures(results)
  const lines = [
    `# api-speedup-lab: scenario "${escapeMarkdown(results.scenario.name)}"`,
    '',
    // The lesson first, as in the report and the terminal: fit for a pull request's comment.
    ...lessonMarkdown(results),
    results.valid
      ? escapeMarkdown(`${validityText(results)}${underLoad && !underLoad.failed ? ` ${underLoad.text}` : ''}`)
      : `> **This run is invalid**: ${results.problems.map(escapeMarkdown).join('; ')}.`,
    '',
    ...(underLoad && underLoad.failed > 0 ? [`> ${escapeMarkdown(underLoad.text)}`, ''] : []),
    ...(outage ? [`> ${escapeMarkdown(outage)}`, ''] : []),
    ...(results.comparison ? comparisonMarkdown(results.comparison, escapeMarkdown, results.run) : []),
    ...(results.thresholds.length ? [...thresholdLines(results.thresholds).map((line) => `- ${escapeMarkdown(line)}`), ''] : []),
    // The details fold (GitHub renders <details>): a pull request's comment shows the lesson, the rest one click away.
    '<details><summary>Every figure: step by step, how far to trust it, under load, the mix, faults, peak hours</summary>',
    '',
    '## Every figure, step by step',
    '',
    stepTableMarkdown(results),
    '',
    `n: samples, one request at a time. p99: from 100 samples up; below, the max, called that. Floor: what the variant's own code takes in virtual time (the configured upstream latency on its critical path, and its own timers). Lab overhead: p50 minus floor (✓ within max(3 %, 5 ms)). vs parent: "within noise" when the two medians' 95 % intervals overlap. ${rows.some((r) => r.coldP50Ms !== null) ? 'Cold: p50 with the cache flushed before each request.' : ''}` +
      ` Saturates at: the model's prediction (Little's law). Published: ${publishedNote(results.scenario)}.`,
    '',
    '## Can I trust these numbers?',
    '',
    ...targetLines(results).map((line) => `- ${escapeMarkdown(line)}`),
    '',
    ...mixMarkdown(results),
    '## Under load, in full',
    '',
    '| variant | connections | answers | answers/s | good/s | p50 | p90 | p99 | max | mean / of hits | hit ratio | pricing calls/s | errors | timeouts | non-2xx | mismatches | API CPU ms per request (event loop / all threads) | lab CPU % of a core (machine: of all) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(results.variants).flatMap(([name, v]) =>
      v.load.map(
        (l) =>
          `| ${name} | ${l.connections} | ${l.requests} | ${l.requestsPerSec.toFixed(1)} | ${formatWithModel(l.goodPerSec, l.model?.goodPerSec, l)} | ${formatMs(l.p50Ms)} | ${formatMs(l.p90Ms)} | ${formatMs(l.p99Ms)} | ${formatMs(l.maxMs)} | ${formatMs(l.meanMs)} / ${formatMs(l.meanHitMs)} | ${formatHitRatio(l.hitRatio, l.model?.hitRatio ?? null, l.priceCache?.stale)} | ${formatWithModel(l.pricingCallsPerSec, l.model?.pricingCallsPerSec, l)} | ${l.errors} | ${l.timeouts} | ${formatNon2xx(l)} | ${l.mismatches} | ${formatApiCpu(l)} | ${formatSelfCheck(l.selfCheck)} |`,
      ),
    ),
    '',
    'Good: 2xx answers with the reference body. A level lasts from its first request to its last answer. p90 and p99 are given from 20 and 100 responses up; below, "—" (the max stands for the tail). API CPU: while requests were in flight, after a garbage collection; the event loop’s thread alone (the requests’ own work), then all the process’s threads (with the runtime’s JIT compiler and GC helpers). Lab CPU: the load generator’s (harness) and the mocks’ CPU in percent of one core, the machine’s in percent of all its cores; lab-bound when a lab process or the machine passed 90 %, the mocks held answers later than max(5 ms, 3 % of their configured latency) at p99, or the harness’s event loop was over 20 ms late at p99.',
    '',
    ...faultsMarkdown(results),
    ...peakLoadMarkdown(results),
    `Scenario: ${results.scenario.productsPerPage} products per page, seed ${results.scenario.seed}. ` +
      `Machine: ${results.environment.cpuCount} × ${escapeMarkdown(results.environment.cpuModel)}, Node ${results.environment.node}, ` +
      `cache: ${results.environment.cacheBackend}. Commit ${results.environment.gitCommit ?? 'unknown'}, ${results.finishedAt}.`,
    '',
    '</details>',
    '',
  ]
  return lines.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n')
}

/**
 * The lesson in Markdown, as every rendering leads with it: the verdict, the headline, what
 * each fix buys, every variant at the top load level, and how far to trust it. Also the
 * README's reference block.
 */
export function lessonMarkdown(results: Results): string[] {
  const h = headline(results)
  const l = lesson(results)
  const peak = peakRows(results)
  const fix = (r: FixRow, rank: string) =>
    `| ${rank} | \`${r.variant}\` ${l && r === l.start ? 'start' : escapeMarkdown(r.fix)} | ${r.savedMs === null ? (l && r === l.start ? '—' : escapeMarkdown(unrankedReason(r))) : `**${formatMs(r.savedMs)}** (${formatShare(r.savedPercentOfStart)})`} | ${formatMs(r.p50Ms)}${r.parentP50Ms === null ? '' : ` (${describeFixChange(r).text})`} | ${formatMs(r.coldP50Ms)}${r.coldSamples === null ? '' : ` (n = ${r.coldSamples})`} | ${r.top ? `${r.top.goodPerSec.toFixed(1)}${r.top.labBound ? ' ✕' : ''}` : '—'} | ${r.top ? formatShare(r.top.failedPercent) : '—'} |`
  const at = results.run.connections.length ? ` at ${Math.max(...results.run.connections)} conn.` : ''
  return [
    ...(l ? [`**${escapeMarkdown(l.verdict)}**`, ''] : []),
    ...(h
      ? [
          `${escapeMarkdown(headlineText(h))}: p50, one request at a time, price cache warm${l ? `; ${l.verdictInAnyOrder ? `the table below: ${l.counted}` : l.counted}` : ''}.`,
          '',
        ]
      : []),
    ...(l
      ? [
          '### What each fix buys',
          '',
          `| rank | fix | time saved | p50 (vs parent) | cold p50 | good/s${at} | failed${at} |`,
          '|---:|---|---:|---:|---:|---:|---:|',
          fix(l.start, '—'),
          ...l.ranked.map((r, i) => fix(r, `#${i + 1}`)),
          ...l.unranked.map((r) => fix(r, '—')),
          '',
        ]
      : []),
    ...attributionMarkdown(results.attribution, escapeMarkdown),
    ...(peak.length
      ? [
          `### At peak: ${peak[0]!.connections} connections`,
          '',
          '| variant | good/s | p50 | p99 | failed | hit ratio |',
          '|---|---:|---:|---:|---:|---:|',
          ...peak.map(
            (r) =>
              `| \`${r.variant}\` | ${r.goodPerSec.toFixed(1)}${r.labBound.length ? ' ✕' : ''} | ${formatMs(r.p50Ms)} | ${r.p50Ms === null ? '—' : r.p99Ms === null ? `max ${formatMs(r.maxMs)} (n = ${r.answered})` : formatMs(r.p99Ms)} | ${formatShare(r.failedPercent)} | ${r.hitRatio === null ? '—' : formatShare(r.hitRatio * 100)} |`,
          ),
          '',
        ]
      : []),
    `**How far to trust it:** ${escapeMarkdown(trustLine(results))}`,
    '',
  ]
}

/** The traffic mix's table and its note, under a heading; nothing with traffic single. */
export function mixMarkdown(results: Results): string[] {
  const rows = mixRows(results)
  if (!rows.length) return []
  return [
    '## The traffic mix',
    '',
    '| variant | requests | p50 | p99 | mean | mean of hits | hit ratio | pricing calls per request | saturates at (the mix, warm) | under load | hit ratio | mean | mean of hits | pricing calls/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.requests} | ${formatMs(r.p50Ms)} | ${r.tail} | ${formatMs(r.meanMs)} | ${formatMs(r.meanHitMs)} | ${r.hitRatio} | ${r.pricingCallsPerRequest ?? '—'} | ${r.saturation} | ${r.load ? `${r.load.connections} connections` : '—'} | ${r.load?.hitRatio ?? '—'} | ${r.load?.mean ?? '—'} | ${formatMs(r.load?.meanHitMs ?? null)} | ${r.load?.pricingCallsPerSec ?? '—'} |`,
    ),
    '',
    escapeMarkdown(mixNote(results)),
    '',
  ]
}

function faultsMarkdown(results: Results): string[] {
  const faults = describeFaults(results.scenario)
  if (!faults) return []
  return [
    '## Under injected faults',
    '',
    `Injected into the upstreams' calls: ${escapeMarkdown(faults)}. Expected: the share of requests the variant's own code fails with the same faults in virtual time (1000 requests of page one warm, 200 cold, faults drawn per call from the seed; retries and breakers count), and the calls it makes.`,
    '',
    '| variant | calls/request: model · measured | saturates at, with the faults (model) | expected to fail | failed, one at a time | statuses | median time to fail | failed under load |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    ...faultRows(results).map(
      (r) =>
        `| ${r.variant}${r.cold ? ', cold cache' : ''} | ${r.calls} · ${r.measuredCalls} | ${r.saturation ?? '—'} | ${formatShare(r.expectedPercent)} | ${formatShare(r.measuredPercent)} (${r.failed} of ${r.requests}) | ${r.statuses} | ${formatMs(r.failedP50Ms)} | ${formatLoadShares(r.load)} |`,
    ),
    '',
  ]
}

function peakLoadMarkdown(results: Results): string[] {
  const swept = Object.entries(results.variants).filter(([, v]) => v.peakLoad !== null)
  if (!swept.length) return []
  return [
    '## Peak hours (fixed request rates)',
    '',
    '| variant | bottleneck | predicted req/s | measured req/s | measured vs predicted | knee req/s |',
    '|---|---|---:|---:|---:|---:|',
    ...swept.map(([name, v]) => {
      const p = v.peakLoad!
      return `| ${name} | ${p.bottleneck} | ${p.predictedPerSec.toFixed(1)} | ${p.measuredPerSec.toFixed(1)} | ${formatPercent(p.errorPercent)} | ${p.kneePerSec === null ? 'none' : p.kneePerSec.toFixed(1)} |`
    }),
    '',
    ...swept.map(([, v]) => `- ${escapeMarkdown(v.peakLoad!.verdict)}`),
    ...swept.flatMap(([, v]) => v.peakLoad!.warnings.map((w) => `- **Warning:** ${escapeMarkdown(w)}`)),
    '',
    '| variant | offered req/s | goodput req/s | delivered req/s | n | p50 | p99 | errors / timeouts | non-2xx | rise: latency ms / queue | bottleneck ms per call: held / configured | 503s | sent late % | lab CPU % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...swept.flatMap(([name, v]) =>
      v.peakLoad!.levels.map((l) => {
        const b = l.upstreams[v.peakLoad!.bottleneck]
        return `| ${name} | ${l.offeredPerSec.toFixed(1)} | ${l.goodputPerSec.toFixed(1)} | ${l.throughputPerSec.toFixed(1)} | ${l.answered} | ${formatMs(l.p50Ms)} | ${formatTail(l.p99Ms, l.maxMs)} | ${l.errors} / ${l.timeouts} | ${formatNon2xx(l)} | ${formatRise(l)} | ${formatHeld(b)} | ${b.rejected} | ${l.latePercent} | ${formatSelfCheck(l.selfCheck)} |`
      }),
    ),
    '',
  ]
}

/** The step table alone, in Markdown: summary.md's "Every figure, step by step". */
export function stepTableMarkdown(results: Results): string {
  const rows = stepRows(results)
  const table = (group: typeof rows, head: string) => [
    `| ${head} | variant | p50 | p99 | n | cold p50 | floor | lab overhead | vs parent | saturates at (predicted) | published |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...group.map(
      (r) =>
        `| ${escapeMarkdown(r.summary)} | \`${r.variant}\` | ${formatMs(r.p50Ms)} | ${r.tail} | ${r.samples ?? '—'} | ${formatColdP50(r)} | ${formatMs(r.floorMs)} | ${formatOverheadWithVerdict(r)} | ${describeChange(r).text} | ${r.saturation} | ${r.published ?? '—'} |`,
    ),
  ]
  const story = rows.filter((r) => r.group === 'story')
  const beyond = rows.filter((r) => r.group === 'beyond')
  return [
    ...(story.length ? table(story, 'step') : []),
    ...(beyond.length
      ? [
          ...(story.length ? ['', '**Beyond the story**', ''] : []),
          ...table(beyond, 'beyond the story'),
          '',
          ...beyond.map(
            (r) =>
              `- \`${r.variant}\`: ${escapeMarkdown(r.lesson ?? r.summary)}${r.preset === null ? '' : ` Shown best with \`--scenario ${r.preset}\`.`}`,
          ),
          ...(overviewNote(results) ? ['', escapeMarkdown(overviewNote(results)!)] : []),
        ]
      : []),
  ].join('\n')
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (char) => `\\${char}`).replace(/\n/g, ' ')
}
