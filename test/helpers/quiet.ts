/**
 * What the .alone tests that set two timings side by side need of the machine: a quiet one.
 * Quiet means that, over a measured level, processes other than the lab's used less than this
 * share of one core (bench/measure/self-check.ts, othersCpuPercent). A test that finds the
 * machine busier tries again, a bounded number of times, and if it never finds it quiet it
 * fails saying so: the machine was too busy to judge, not the code wrong.
 */
export const QUIET_OTHERS_PERCENT = 25
/** Attempts an .alone test makes before it fails on a busy machine. */
export const QUIET_ATTEMPTS = 3
