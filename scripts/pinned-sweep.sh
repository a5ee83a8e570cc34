#!/usr/bin/env bash
# The `parallel` sweep with the roles pinned to cores (README, "Roles on separate hosts"):
# the load generator on core 0, the API (with its redis-server) and the mocks on core 1,
# each started by its own command as on separate hosts. Stops what it started when it ends,
# on Ctrl-C and on SIGTERM.
#   scripts/pinned-sweep.sh [OUT_DIR] [extra bench flags]
#   SCENARIO="--latency 20" scripts/pinned-sweep.sh …   scenario flags, given to every role
#   PIN=0 scripts/pinned-sweep.sh …                     the same roles, not pinned (for the comparison)
#   MOCKS_CORE=0 scripts/pinned-sweep.sh …              the mocks on the generator's core, the API alone on core 1
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/pinned-sweep}
shift || true
pin=${PIN:-1}
read -r -a scenario <<<"${SCENARIO:-}"
generator_cores=0
role_cores=1
mocks_cores=${MOCKS_CORE:-$role_cores}
if [ "$pin" = 1 ] && [ "$(nproc)" -lt 2 ]; then echo "Pinning needs at least 2 cores; this machine has $(nproc)." >&2; exit 2; fi
mocks_on=()
api_on=()
generator_on=()
if [ "$pin" = 1 ]; then mocks_on=(taskset -c "$mocks_cores"); api_on=(taskset -c "$role_cores"); generator_on=(taskset -c "$generator_cores"); fi

logs=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$logs"
}
trap stop EXIT
# The bench runs in the background and the script waits for it, so a signal during the
# sweep is handled at once (bash runs a trap only between commands); the bench is stopped
# first. While a role starts, a signal waits until it has printed its URL (at most 60 s);
# Ctrl-C reaches every process of the group at once.
trap 'kill -TERM "${bench:-}" 2>/dev/null || true; exit 130' INT
trap 'kill -TERM "${bench:-}" 2>/dev/null || true; exit 143' TERM

# `exec` so the pid is the role's own process (tsx), which stops its children on SIGTERM.
(exec "${mocks_on[@]}" node --import tsx bench/upstreams.ts --port 0 "${scenario[@]}" >"$logs/upstreams" 2>&1) &
pids+=($!)
wait_for() {
  for _ in $(seq 1 120); do grep -oE "$2" "$1" 2>/dev/null | head -1 && return 0; sleep 0.5; done
  echo "No '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
upstreams=$(wait_for "$logs/upstreams" '^Upstreams: http://[0-9.:]+' | cut -d' ' -f2)
(exec "${api_on[@]}" node --expose-gc --import tsx bench/serve.ts --port 0 --upstreams "$upstreams" "${scenario[@]}" >"$logs/api" 2>&1) &
pids+=($!)
api=$(wait_for "$logs/api" '^API: http://[0-9.:]+' | cut -d' ' -f2)
echo "upstreams $upstreams, API $api; pinned: $([ "$pin" = 1 ] && echo "generator on core $generator_cores, the API and its Redis on core $role_cores, the mocks on core $mocks_cores" || echo no)"
"${generator_on[@]}" node --import tsx bench/bench.ts --sweep --variants parallel --api "$api" --upstreams "$upstreams" --out "$out" "${scenario[@]}" "$@" &
bench=$!
wait "$bench"
