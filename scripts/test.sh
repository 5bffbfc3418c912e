#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite.
# README.md and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo build --workspace --quiet
# Frenzy as a CI gate, the steps of docs/ci.md at small scale (needs root for the namespaces).
bash scripts/ci-gate.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line over every test binary (the benches' smoke runs print after the last of them).
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
