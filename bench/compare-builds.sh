#!/usr/bin/env bash
# Runs the throughput and throttle scenarios alternately against two builds of the bench (Release), so both see the
# same machine at the same time. Usage: bench/compare-builds.sh <old-checkout> <new-checkout> [rounds] [out-dir]
# e.g. git worktree add --detach /tmp/old <commit>; bench/compare-builds.sh /tmp/old . 3
set -euo pipefail
old="$1"; new="$2"; rounds="${3:-3}"; out="${4:-$(mktemp -d)}"
for side in "$old" "$new"; do dotnet build "$side/bench/Orchestrator.Bench" -c Release -v q >/dev/null; done
for round in $(seq 1 "$rounds"); do
  for side in old new; do
    dir=$([ "$side" = old ] && echo "$old" || echo "$new")
    bench="$dir/bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll"
    # A run with failures exits non-zero: keep going, so both builds get every round (the exit code is kept in the file).
    dotnet "$bench" --scenario throughput --tasks 10000 > "$out/throughput-$side-$round.txt" 2>&1 || echo "exit $?" >> "$out/throughput-$side-$round.txt"
    dotnet "$bench" --scenario throttle --qps 50 --seconds 20 > "$out/throttle-$side-$round.txt" 2>&1 || echo "exit $?" >> "$out/throttle-$side-$round.txt"
  done
done
grep -H -o '"orchestratorTasksPerSec":[0-9.]*\|"succeeded":[0-9]*\|^exit [0-9]*\|"peakRssMb":[0-9.]*\|"achievedRatio":[0-9.]*\|"limitAnswers":[0-9]*' "$out"/*.txt
