/**
 * The results contract's versions, newest first: what each changed, in one place. results/README.md
 * is generated with it (scripts/results-readme.ts); a version bump adds its entry here, and says
 * whether a file of the version before can still be compared (`npm run compare`, --baseline).
 */
export const SCHEMA_HISTORY: ReadonlyArray<{ version: number; change: string }> = [
  {
    version: 17,
    change:
      "Version 17 added what a comparison could have detected: each row's `mdc` (the minimum detectable change) and why it is null when it is (`mdcWhy`), its own T (`threshold`, `thresholdFrom`: the default, --noise, or an A/A's noise file) and the comparison's `noiseFile`; each threshold check's bootstrap interval of its median (`low`, `high`); `run.auto` (--runs auto: the target, whether it was reached) and `run.aa` (--aa: set A of an A/A, its noise file). A file of version 16 cannot be compared with one of 17: measure the baseline again.",
  },
  {
    version: 16,
    change:
      "Version 16 added `run.trace`: with --trace or --otlp, the API's requests as OpenTelemetry traces (where they went, the requests traced, the spans exported, the batches refused); null without. A file of version 15 cannot be compared with one of 16: measure the baseline again.",
  },
  {
    version: 15,
    change:
      "Version 15 added `attribution`, in a run and in each what-if point: what each of the story's three fixes is worth whatever order it comes in, its Shapley share over the eight combinations of the fixes (each a variant), of the model's warm floor, cold floor and saturation, and of the measured p50s when all eight were measured (--ablation). A file of version 14 cannot be compared with one of 15: measure the baseline again.",
  },
  {
    version: 14,
    change:
      "Version 14 added each run's `labBound` per load level (`runs[].variants.*.load[].labBound`, that run's level's `selfCheck.labBound`), and the comparison's verdict `lab-bound`: a level's figure lab-bound in a run on either side is shown, not judged. A file of version 13 cannot be compared with one of 14: measure the baseline again.",
  },
  {
    version: 13,
    change:
      "Version 13 added `environment.hopCalibration.cacheReadRetries`: a Redis read's calibration that Redis did not answer in time is taken again, up to twice, before the hop is left uncalibrated. A file of version 12 cannot be compared with one of 13: measure the baseline again.",
  },
  {
    version: 12,
    change:
      "Version 12 added the overhead hop by hop: `environment.hopCalibration` (this machine's cost of each kind of hop on the paths, bare), each variant's `hops` and `cacheReadsPerRequest`, and the model's `callsAtOnceOnPath`. A file of version 11 cannot be compared with one of 12: measure the baseline again.",
  },
  {
    version: 11,
    change:
      'Version 11 added where each role ran (`roles`: roles can be placed on other hosts by URL, README "Roles on separate hosts") and each level\'s `selfCheck.hostCpuPercent`. A file of version 10 cannot be compared with one of 11: measure the baseline again.',
  },
  {
    version: 10,
    change:
      "Version 10 added repeated runs and comparisons: `runs` (each run's own figures, with raw latencies), `comparison` and `thresholds`, and `run.runs`. A file of an earlier version cannot be compared (`npm run compare` and `--baseline` say so): it kept no per-run figures.",
  },
  {
    version: 9,
    change:
      "Version 9: swr, bentocache's single-flight and stale-while-revalidate: the scenario has `cacheGraceSeconds`, every `priceCache` count has `stale` (the hits served past their TTL), and a load level's drain also waits for swr's refreshes begun in the background to store their list; every variant's `model.faults` (its own code run with the injected faults: failed, calls per request with retries, Little's law on them), from which `failures.expectedPercent` and `expectedCalls` now come; `run.overview`, the variants measured lighter in a run of every variant (half the latency budget, no sample of the mix, the top load level only).",
  },
  {
    version: 8,
    change:
      "Version 8: every load level's `model`, the same level run in virtual time by the variant's own code; and a request counts as in flight until its variant's work has settled, also after its client went away (in 7, a load level's drain ended when autocannon's connections closed, and the work it had dropped could land in the next level, or fill the price cache after the next variant's flush); the API's CPU per request is over the requests it handled (`handled` in its counters), no longer the responses the load generator received.",
  },
  {
    version: 7,
    change:
      "Version 7: the traffic mix (`scenario.traffic`): each variant's `mix` (the latency phase's sample), and every load and sweep level's price-cache lookups as the API counted them (`priceCache`, `hitRatio`), its mean beside the mean of hits, its pricing calls per second and its second-by-second `timeline`; the load and sweep levels send the mix, and `peakLoad`'s prediction is the model's saturation over the whole mix.",
  },
  {
    version: 6,
    change:
      'Version 6: `kind` (`"run"`; a what-if, below, is `"what-if"`), and each variant\'s whole model under `model` (its `idealStages` moved there as `model.stages`, with `model.coldStages` beside them); every load and sweep level\'s `selfCheck`.',
  },
  {
    version: 5,
    change:
      "Version 5: every variant's model (floor, calls, saturation) is derived from its code in virtual time, and a variant without one says why (`notModelled`).",
  },
  {
    version: 4,
    change:
      "Version 4: the latencies of load and sweep levels are of the good answers only (a failure is counted by status, never timed among them); a sweep level counts goodput by send time (never above offered) and `throughputPerSec` by answer, says whether it was still `rising` (latency and the bottleneck's queue), how late the generator sent (`latePercent`, `maxLateMs`) and how busy the API's event loop was, and each service's `served` calls and worker hold times; `peakLoad` has `warnings`, and `measuredPerSec` is the best level's lower of goodput and delivered (3 took the most goodput counted by answer time over the window, which could exceed what was offered); `calibration` is taken on the API → upstream hop, warm, in `rounds`.",
  },
  {
    version: 3,
    change:
      "Version 3: the scenario has `cacheMaxPendingCommands` (the cap on Redis commands waiting at once, which `cacheOutages` refers to), and the load levels' `p50Ms`, `p90Ms`, `p99Ms` and `maxMs` are the lab's own percentiles of autocannon's per-response times, in fractions of a millisecond, where version 2 had autocannon's histogram in whole milliseconds; and the sweep levels' `p50Ms` and `p99Ms` (hence the knee, judged on p99) interpolate between ranks where version 2 took the nearest rank. Also in 3: a p99 is `null` below 100 values and a load level's p90 below 20 (the max stands for the tail, and every rendering calls it that), each load and sweep level says how many answers its latencies are over (`answered`), and a load level's `errors` no longer include its `timeouts` (autocannon counts a timeout as both); a load level lasts from its first request sent to its last answer (autocannon's duration, used before, ran on to its next one-second tick), says its good answers per second apart (`goodPerSec`), and counts the API's CPU only while requests were in flight, for all its threads and for the event loop's alone (`apiEventLoopMsPerRequest`).",
  },
  { version: 2, change: 'Version 2 added them.' },
  { version: 1, change: 'Version 1 had no fault injection (no `failures`, and `latency` never `null`).' },
]
