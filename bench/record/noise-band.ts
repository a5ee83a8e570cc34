/**
 * The machine's noise from run to run, in percent: a change smaller than this is no change,
 * whatever a test within one run says. The floor of a comparison's T (compare/compare-stats.ts),
 * and the band inside which the report colours no change (report/noise.ts): one figure for both.
 */
export const NOISE_PERCENT = 5

/** The smallest T an A/A's noise file may state, in percent or points: a T of 0 would call a change of any size. */
export const MIN_MEASURED_T = 1
