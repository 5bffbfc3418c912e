#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite, printing each phase
# with the time it took. README.md and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs one phase: prints its name first and its time after, so a long phase is never silent.
phase() {
    local name=$1 start=$SECONDS
    shift
    echo "== $name ..."
    "$@"
    echo "== $name: done in $((SECONDS - start)) s"
}

phase "setup (packages, etcd)" bash scripts/setup.sh
phase "cargo fmt --check" cargo fmt --all -- --check
phase "cargo clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "cargo build" cargo build --workspace --quiet
# Frenzy as a CI gate, the steps of docs/ci.md at small scale (needs root for the namespaces).
phase "CI gate (docs/ci.md)" bash scripts/ci-gate.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
start=$SECONDS
echo "== cargo test ..."
cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
echo "== cargo test: done in $((SECONDS - start)) s"
# One closing line over every test binary (the benches' smoke runs print after the last of them).
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
