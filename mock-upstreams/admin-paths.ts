/**
 * The admin endpoints every mocked service's server also answers, for whoever measures
 * the API over HTTP (see serve-upstreams.ts): read and reset the counters, switch the
 * injected faults, and a bare echo that measures what the machine's loopback costs.
 */

/** `GET`: every service's counters (a StatsSnapshot). */
export const STATS_PATH = '/__lab/stats'
/** `POST`: the counters back to zero (calls in flight stay counted as in flight). */
export const RESET_PATH = '/__lab/reset'
/** `GET /__lab/echo?ms=40`: a bare answer after `ms`, with no msw and no data: what a bare loopback call costs (calibration). */
export const ECHO_PATH = '/__lab/echo'
/** `POST /__lab/faults?enabled=false`: no injected faults until `?enabled=true`, which resumes their sequences. */
export const FAULTS_PATH = '/__lab/faults'
