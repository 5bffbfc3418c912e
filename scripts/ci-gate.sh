#!/usr/bin/env bash
# Frenzy as a CI gate, at small scale: the steps docs/ci.md gives a pipeline, run for real.
# Starts a 3-node etcd cluster with ticketd in front of each member (network namespaces, root),
# runs `frenzy test` against it under partitions, and checks that the gate passes (exit 0) and left
# report.html and junit.xml to keep as artifacts. Then it shows the gate failing (exit 1) on the
# broken eventual design. Used by scripts/test.sh after the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${FRENZY_BIN_DIR:-target/debug}
frenzy="$bin/frenzy"
[ -x "$frenzy" ] && [ -x "$bin/ticketd" ] || { echo "ci-gate: build first (cargo build --workspace)" >&2; exit 1; }

prefix=fzgate
root=/run/frenzy-gate
store=$(mktemp -d)
cleanup() {
  "$frenzy" cluster down --prefix "$prefix" --dir "$root" >/dev/null || true
  rm -rf "$store"
}
trap cleanup EXIT
# A run killed half-way (a CI timeout, say) may have left its namespaces: clear them first.
"$frenzy" cluster down --prefix "$prefix" --dir "$root" >/dev/null 2>&1 || true

"$frenzy" cluster up --system ticketd --nodes 3 --prefix "$prefix" --dir "$root" --subnet 10.215.0.0/24

# The gate: exit 0 lets the pipeline go on; 1 (invalid) or 2 (unknown) stops it.
status=0
"$frenzy" test --workload tickets --cluster "$root/$prefix" --nemesis partition --nemesis-interval 2 \
  --time-limit 6 --concurrency 6 --rate 100 --seed 11 --store "$store" --test-name gate || status=$?
run="$store/gate/latest"
for artifact in report.html junit.xml results.json history.jsonl; do
  [ -s "$run/$artifact" ] || { echo "ci-gate: $artifact missing from $run" >&2; exit 1; }
done
[ "$status" -eq 0 ] || { echo "ci-gate: the etcd-backed service should pass the gate, got exit $status" >&2; exit 1; }
grep -q '<testsuite' "$run/junit.xml"

# The same gate stops a pipeline on the broken design: the eventual demo exits 1.
status=0
"$frenzy" demo --time-limit 4 --seed 11 --store "$store" >/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "ci-gate: the eventual design should fail the gate (exit 1), got $status" >&2; exit 1; }
grep -q 'failures="[1-9]' "$store/demo-eventual/latest/junit.xml"

echo "ci-gate: the gate passed the etcd-backed service and stopped the eventual one"
