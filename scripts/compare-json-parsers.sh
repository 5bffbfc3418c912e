#!/usr/bin/env bash
# Times the JSON readers a history could be parsed with, one thread each, on one JSONL history:
# Frenzy's own event reader (checker/src/event_line.rs, with serde_json behind it), serde_json,
# sonic-rs and simd-json, each into Frenzy's `Event` (through its serde impls), and sonic-rs and
# simd-json into their own value types (tokenizing only: Frenzy would still have to build its
# values). The candidates are built in a scratch crate in a temporary folder, so they never
# become dependencies of Frenzy. docs/checker.md gives the result and why no parser was added.
#
#   scripts/compare-json-parsers.sh HISTORY.jsonl
#
# A history to try: FRENZY_CHECK_SCALE_KEEP=/tmp/scale cargo bench --bench check_scale, then
# /tmp/scale/tickets-1000000.jsonl.
set -euo pipefail
history=$(realpath "${1:?usage: scripts/compare-json-parsers.sh HISTORY.jsonl}")
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/src"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "compare-json-parsers"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
checker = { path = "$repo/checker" }
serde_json = "1"
sonic-rs = "0.5"
simd-json = "0.15"
TOML
cat > "$scratch/src/main.rs" <<'RUST'
use checker::history::Event;
use std::time::Instant;

/// Runs `parse` on every line and prints how many it read and how long that took.
fn time(name: &str, lines: &[&str], mut parse: impl FnMut(&str) -> bool) {
    let started = Instant::now();
    let read = lines.iter().filter(|line| parse(line)).count();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    println!("| {name} | {read} | {ms:.0} |");
}

/// `line`'s bytes, in `buffer`.
fn copied<'b>(buffer: &'b mut Vec<u8>, line: &str) -> &'b mut [u8] {
    buffer.clear();
    buffer.extend_from_slice(line.as_bytes());
    buffer
}

fn main() {
    let path = std::env::args().nth(1).expect("a history file");
    let text = std::fs::read_to_string(&path).expect("a readable UTF-8 file");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // simd-json parses in place: each line is copied into this buffer first.
    let mut buffer: Vec<u8> = Vec::new();
    println!("| reader (one thread) | events read | ms |\n|---|---|---|");
    for _ in 0..2 {
        let started = Instant::now();
        let read = checker::jsonl::JsonlReader::new(text.as_bytes())
            .filter(Result::is_ok)
            .count();
        let ms = started.elapsed().as_secs_f64() * 1e3;
        println!("| Frenzy's event reader, to Event | {read} | {ms:.0} |");
        time("serde_json, to Event", &lines, |l| {
            serde_json::from_str::<Event>(l).is_ok()
        });
        time("sonic-rs, to Event", &lines, |l| {
            sonic_rs::from_str::<Event>(l).is_ok()
        });
        time("simd-json, to Event", &lines, |l| {
            simd_json::serde::from_slice::<Event>(copied(&mut buffer, l)).is_ok()
        });
        time("sonic-rs, to its own Value", &lines, |l| {
            sonic_rs::from_str::<sonic_rs::Value>(l).is_ok()
        });
        time("simd-json, to its own BorrowedValue", &lines, |l| {
            simd_json::to_borrowed_value(copied(&mut buffer, l)).is_ok()
        });
    }
}
RUST
CARGO_TARGET_DIR="$scratch/target" cargo run --quiet --release --manifest-path "$scratch/Cargo.toml" -- "$history"
