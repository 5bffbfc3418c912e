//! `frenzy check --memory-limit` covers reading the history: a large history and a small limit
//! stop with verdict unknown (exit 2) and the reason, within the limit, instead of a blow-up.
//! Its own test binary, so the peak resident set of its children is this test's frenzy alone.

use std::io::{BufWriter, Write};
use std::process::Command;

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

/// The largest resident set any finished child of this process reached, in bytes.
fn children_peak_rss() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn reading_a_history_stops_at_the_memory_limit_with_unknown() {
    let dir = std::env::temp_dir().join(format!("frenzy-check-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let history = dir.join("history.jsonl");
    write_history(&history, 400_000);
    let size = std::fs::metadata(&history).expect("history written").len();
    assert!(size > 60 << 20, "the history is {size} bytes");

    let limit: u64 = 48 << 20;
    let out = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["check", "--model", "register", "--memory-limit", "48MiB"])
        .arg(&history)
        .output()
        .expect("running frenzy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("verdict unknown") && stderr.contains("memory limit of 48 MiB"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("while reading the history"), "{stderr}");
    // Reading is checked before every read: past the limit by at most what one 4 MiB chunk of
    // lines becomes once parsed (loading it all would take about ten times the file's size).
    let peak = children_peak_rss();
    assert!(
        peak < limit + (48 << 20),
        "peak resident set {} MiB with a limit of 48 MiB",
        peak >> 20
    );
    std::fs::remove_dir_all(&dir).expect("removing the scratch dir");
}
