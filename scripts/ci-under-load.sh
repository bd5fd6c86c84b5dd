#!/usr/bin/env bash
# Proves the suite passes under load: RUNS times (default 3), clones this repository's HEAD to a
# new path and runs .ci/run there with HOGS CPU-bound processes (default 2) beside it. Prints one
# line per run and exits non-zero if any run failed. Logs stay in the printed folders.
set -u
runs=${1:-3}
hogs=${HOGS:-2}
repo=$(cd "$(dirname "$0")/.." && pwd)
failed=0
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d /tmp/chainsmith-ci-XXXX)
  git clone -q "$repo" "$dir/chainsmith"
  pids=()
  for _ in $(seq 1 "$hogs"); do sh -c 'while :; do :; done' & pids+=($!); done
  start=$(date +%s)
  (cd "$dir/chainsmith" && bash .ci/run > "$dir/ci.log" 2>&1)
  status=$?
  kill "${pids[@]}"
  pids=()
  echo "run $i: exit $status after $(( $(date +%s) - start )) s with $hogs CPU hogs: $(tail -1 "$dir/ci.log") ($dir/ci.log)"
  [ "$status" -eq 0 ] || failed=1
done
exit $failed
