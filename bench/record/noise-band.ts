/**
 * The machine's noise from run to run, in percent: a change smaller than this is no change,
 * whatever a test within one run says. The floor of a comparison's T (compare/compare-stats.ts),
 * and the band inside which the report colours no change (report/noise.ts): one figure for both.
 */
export const NOISE_PERCENT = 5
