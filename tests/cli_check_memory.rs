//! `frenzy check --memory-limit` covers reading the history and searching it: a large history,
//! or a hard one, and a small limit stop with verdict unknown (exit 2) and the reason, within
//! the limit, instead of a blow-up.

#[path = "../benches/support/peak_rss.rs"]
mod peak_rss;
#[path = "../checker/benches/generate/tickets_file.rs"]
mod tickets_file;
#[path = "../checker/benches/generate/tickets.rs"]
mod tickets_gen;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes a valid register history of `ops` sequential writes and reads to `path` (~120 bytes a
/// line).
fn write_history(path: &std::path::Path, ops: u64) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("scratch file"));
    for op in 0..ops {
        let (f, value) = if op % 2 == 0 {
            ("write", op.to_string())
        } else {
            ("read", (op - 1).to_string())
        };
        for (k, kind) in ["invoke", "ok"].iter().enumerate() {
            let index = 2 * op + k as u64;
            let shown = if *kind == "invoke" && f == "read" {
                "null"
            } else {
                &value
            };
            writeln!(
                out,
                r#"{{"index":{index},"time":{},"process":0,"type":"{kind}","f":"{f}","value":{shown}}}"#,
                index * 1000
            )
            .expect("writing the history");
        }
    }
    out.flush().expect("writing the history");
}

/// Runs `frenzy check HISTORY ARGS…` and gives its exit code, what it printed (stdout, then
/// stderr), and its own peak resident set in bytes (waited for with `wait4`, so other tests'
/// children do not count).
fn check_measured(history: &Path, args: &[&str]) -> (Option<i32>, String, u64) {
    let (stdout_path, stderr_path) = (history.with_extension("out"), history.with_extension("err"));
    let stdout = std::fs::File::create(&stdout_path).expect("scratch file");
    let stderr = std::fs::File::create(&stderr_path).expect("scratch file");
    let child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .arg("check")
        .arg(history)
        .args(args)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("running frenzy");
    let (code, peak) = peak_rss::wait_with_peak_rss(child);
    let text = [stdout_path, stderr_path]
        .map(|path| std::fs::read_to_string(path).unwrap_or_default())
        .concat();
    (code, text, peak)
}

/// A scratch folder for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("frenzy-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn reading_a_history_stops_at_the_memory_limit_with_unknown() {
    let dir = scratch("check-memory");
    let history = dir.join("history.jsonl");
    write_history(&history, 400_000);
    let size = std::fs::metadata(&history).expect("history written").len();
    assert!(size > 60 << 20, "the history is {size} bytes");

    let limit: u64 = 48 << 20;
    let (code, printed, peak) = check_measured(
        &history,
        &["--model", "register", "--memory-limit", "48MiB"],
    );
    assert_eq!(code, Some(2), "{printed}");
    assert!(
        printed.contains("verdict unknown") && printed.contains("memory limit of 48 MiB"),
        "{printed}"
    );
    assert!(printed.contains("while reading the history"), "{printed}");
    // Reading is checked before every read: past the limit by at most what one 4 MiB chunk of
    // lines becomes once parsed (loading it all would take about ten times the file's size).
    assert!(
        peak < limit + (48 << 20),
        "peak resident set {} MiB with a limit of 48 MiB",
        peak >> 20
    );
    std::fs::remove_dir_all(&dir).expect("removing the scratch dir");
}

#[test]
fn a_search_that_outgrows_the_memory_limit_stops_within_it() {
    // One event, 20 clients placing holds, reading the inventory and listing their holds; 20
    // placements time out. Checking it takes about 90 MiB.
    let dir = scratch("search-memory");
    let history = dir.join("tickets.jsonl");
    let shape = tickets_gen::Shape {
        ops: 800,
        events: 1,
        clients: 20,
        capacity: 1_000_000,
        unknown: 20,
    };
    let file = std::fs::File::create(&history).expect("scratch file");
    tickets_file::write_history(&shape, 11, file).expect("writing the history");

    let limit: u64 = 40 << 20;
    let args = [
        "--model",
        "tickets",
        "--init",
        "1000000",
        "--memory-limit",
        "40MiB",
    ];
    let (code, printed, peak) = check_measured(&history, &args);
    assert_eq!(code, Some(2), "{printed}");
    assert!(
        printed.contains("memory limit of 40 MiB was reached before a verdict"),
        "{printed}"
    );
    // Within the limit, and not far below it: a search that stopped at half its limit would
    // give up histories it could decide (the next doubling of its hash table may be a fifth of
    // the limit, so it stops a little before).
    assert!(
        (limit * 3 / 5..=limit + limit / 10).contains(&peak),
        "peak resident set {} MiB with a limit of 40 MiB",
        peak >> 20
    );
    std::fs::remove_dir_all(&dir).expect("removing the scratch dir");
}
