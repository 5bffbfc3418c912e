//! `cargo bench --bench check_scale`: `frenzy check --model tickets` end to end (reading the
//! file, every check, the report) on generated tickets histories of 1,000,000 and 10,000,000
//! operations, each written to a temporary file first and deleted after. Prints a table of wall
//! time and the checking process's peak RSS. `cargo test --all-targets` runs it at a small scale.
//!
//! To profile a check directly, set `FRENZY_CHECK_SCALE_KEEP` to a folder: each history is then
//! written there as `tickets-<ops>.jsonl`, kept after the run, and reused (not generated again)
//! by the next run, e.g. `FRENZY_CHECK_SCALE_KEEP=/tmp/scale cargo bench --bench check_scale`,
//! then `perf record -g target/release/frenzy check /tmp/scale/tickets-1000000.jsonl --model tickets`.

#[path = "support/peak_rss.rs"]
mod peak_rss;
#[path = "../checker/benches/generate/tickets_file.rs"]
mod tickets_file;
#[path = "../checker/benches/generate/tickets.rs"]
mod tickets_gen;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tickets_gen::Shape;

/// One measured check.
struct Row {
    ops: usize,
    file_mb: f64,
    generate: Duration,
    wall: Duration,
    peak_rss_mib: f64,
    exit_code: i32,
    /// The verdict line `frenzy check` printed.
    verdict: String,
}

/// The shape of a history of `ops` operations: 1,000 events per million operations, 50
/// clients, 200 seats per event, about 1% of placements timing out (as the porcupine bench).
fn shape(ops: usize) -> Shape {
    Shape {
        ops,
        events: (ops / 1000).max(20),
        clients: 50,
        capacity: 200,
        unknown: ops / 250,
    }
}

/// Runs `frenzy check FILE --model tickets` and waits for it with `wait4`, for its own peak RSS.
fn check(file: &Path) -> (Duration, f64, i32, String) {
    let report = file.with_extension("out");
    let stdout = std::fs::File::create(&report).unwrap_or_else(|e| panic!("{report:?}: {e}"));
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .arg("check")
        .arg(file)
        .args(["--model", "tickets"])
        .stdout(Stdio::from(stdout))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start frenzy: {e}"));
    let (code, peak) = peak_rss::wait_with_peak_rss(child);
    let wall = started.elapsed();
    let printed = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    let verdict = printed.lines().next().unwrap_or_default();
    // The line names the file: keep what follows it.
    let verdict = verdict.split_once(": ").map_or(verdict, |(_, v)| v);
    (
        wall,
        peak as f64 / (1 << 20) as f64,
        code.unwrap_or(-1),
        verdict.to_owned(),
    )
}

/// Generates a history of `ops` operations into `dir` and checks it; deletes it unless `keep`,
/// and reuses a kept one.
fn measure(ops: usize, dir: &Path, keep: bool) -> Row {
    let file: PathBuf = if keep {
        dir.join(format!("tickets-{ops}.jsonl"))
    } else {
        dir.join(format!(
            "frenzy-check-scale-{}-{ops}.jsonl",
            std::process::id()
        ))
    };
    let started = Instant::now();
    let written = if keep && file.is_file() {
        Ok(())
    } else {
        let output = std::fs::File::create(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        tickets_file::write_history(&shape(ops), 7, output)
    };
    let generate = started.elapsed();
    let file_mb = std::fs::metadata(&file).map_or(0.0, |m| m.len() as f64 / 1e6);
    let (wall, peak_rss_mib, exit_code, verdict) = match written {
        Ok(()) => check(&file),
        Err(_) => (Duration::ZERO, 0.0, -1, String::new()),
    };
    if !keep || written.is_err() {
        let _ = std::fs::remove_file(&file);
    }
    if let Err(e) = written {
        panic!("cannot write {file:?}: {e}");
    }
    Row {
        ops,
        file_mb,
        generate,
        wall,
        peak_rss_mib,
        exit_code,
        verdict,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if full {
        &[1_000_000, 10_000_000]
    } else {
        &[20_000]
    };
    let kept = std::env::var_os("FRENZY_CHECK_SCALE_KEEP").map(PathBuf::from);
    if let Some(dir) = &kept {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    }
    let dir = kept.clone().unwrap_or_else(std::env::temp_dir);
    println!("| ops | file (MB) | generate (s) | check wall (s) | check peak RSS (MiB) | exit | verdict |");
    println!("|---|---|---|---|---|---|---|");
    for &ops in sizes {
        let row = measure(ops, &dir, kept.is_some());
        // The ledger is unknown without a final read_log (exit 2); anything else is a failure.
        assert!(
            matches!(row.exit_code, 0 | 2),
            "frenzy check exited {} on {ops} ops",
            row.exit_code
        );
        println!(
            "| {} | {:.0} | {:.1} | {:.2} | {:.0} | {} | {} |",
            row.ops,
            row.file_mb,
            row.generate.as_secs_f64(),
            row.wall.as_secs_f64(),
            row.peak_rss_mib,
            row.exit_code,
            row.verdict
        );
    }
}
