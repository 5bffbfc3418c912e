//! `cargo bench -p checker`: times the checker on every file of Porcupine's test data (a per-file
//! table), on kv/c50-bad.txt with every key to its own verdict, and on a generated 1,000,000-op
//! tickets history. Times are of the search alone (loading excluded), best of several runs for
//! the small files. With FRENZY_BENCH_WRITE_TICKETS=PATH the tickets history is also written
//! there as history.jsonl, to time `frenzy check` on it end to end.

#[path = "common/rss.rs"]
mod rss;
#[path = "generate/tickets.rs"]
mod tickets_gen;
#[path = "generate/tickets_history.rs"]
mod tickets_history;

use checker::check::{check_without_witness, CheckOptions};
use checker::formats::load;
use checker::history::History;
use checker::models::ModelOptions;
use checker::verdict::LinearizabilityResult;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Runs per small file; the best is reported.
const RUNS: usize = 5;

/// The size of a run: `cargo bench` measures at full scale; `cargo test --all-targets` (no
/// `--bench` argument) only smoke-tests the benchmark quickly at a small scale.
#[derive(Clone, Copy)]
struct Scale {
    runs: usize,
    tickets_ops: usize,
    tickets_events: usize,
}

const FULL: Scale = Scale {
    runs: RUNS,
    tickets_ops: 1_000_000,
    tickets_events: 1_000,
};
const SMOKE: Scale = Scale {
    runs: 1,
    tickets_ops: 20_000,
    tickets_events: 20,
};

fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/anchors/porcupine/test_data")
}

fn run(
    history: &History,
    model: &str,
    options: &CheckOptions,
) -> (LinearizabilityResult, Duration) {
    let started = Instant::now();
    let result = check_without_witness(history, model, &ModelOptions::default(), options)
        .unwrap_or_else(|e| panic!("check failed: {e}"));
    (result, started.elapsed())
}

fn best_of(history: &History, model: &str, runs: usize) -> (LinearizabilityResult, Duration) {
    let options = CheckOptions::default();
    let (result, mut best) = run(history, model, &options);
    for _ in 1..runs {
        best = best.min(run(history, model, &options).1);
    }
    (result, best)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The engines the check chose, e.g. `frontier` or `backtracking 9, frontier 1`.
fn engines(result: &LinearizabilityResult) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for p in &result.partitions {
        let name = p
            .search
            .map_or("none".to_owned(), |e| format!("{e:?}").to_lowercase());
        *counts.entry(name).or_default() += 1;
    }
    if counts.len() == 1 && result.partitions.len() == 1 {
        return counts.into_keys().collect();
    }
    let parts: Vec<String> = counts.iter().map(|(e, n)| format!("{e} {n}")).collect();
    parts.join(", ")
}

fn porcupine_table(scale: Scale) {
    println!(
        "{:<24} {:>6} {:>10} {:>10}  search",
        "file", "ops", "verdict", "ms"
    );
    let mut totals = Vec::new();
    for (dir, model) in [("jepsen", "cas-register"), ("kv", "kv")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(test_data().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            .collect();
        files.sort();
        let mut total = Duration::ZERO;
        for path in &files {
            let history = load(path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (result, took) = best_of(&history, model, scale.runs);
            total += took;
            let name = format!(
                "{dir}/{}",
                path.file_name()
                    .map_or(String::new(), |f| f.to_string_lossy().into_owned())
            );
            println!(
                "{name:<24} {:>6} {:>10} {:>10.3}  {}",
                history.operations.len(),
                format!("{:?}", result.valid),
                ms(took),
                engines(&result)
            );
        }
        println!(
            "{:<24} {:>6} {:>10} {:>10.3}",
            format!("TOTAL {dir} ({} files)", files.len()),
            "",
            "",
            ms(total)
        );
        totals.push(total);
    }
    println!("TOTAL porcupine data: {:.3} ms\n", ms(totals.iter().sum()));
}

fn c50_bad_all_keys() {
    let history =
        load(&test_data().join("kv/c50-bad.txt"), None).unwrap_or_else(|e| panic!("c50-bad: {e}"));
    let options = CheckOptions {
        all_partitions: true,
        time_limit: Some(Duration::from_secs(60)),
        ..CheckOptions::default()
    };
    let (result, took) = run(&history, "kv", &options);
    println!(
        "kv/c50-bad.txt, every key to its own verdict: {:.1} ms",
        ms(took)
    );
    for p in &result.partitions {
        let reason = p.reason.as_deref().unwrap_or("");
        println!(
            "  key {:<3} {:>4} ops {:>10} {:>10.1} ms {reason}",
            p.key,
            p.ops,
            format!("{:?}", p.valid),
            p.check_ms
        );
    }
    println!();
}

fn tickets_at_scale(scale: Scale) {
    let started = Instant::now();
    let history = tickets_history::generate(
        scale.tickets_ops,
        scale.tickets_events,
        50,
        200,
        scale.tickets_ops / 250,
        7,
    );
    println!(
        "generated tickets history: {} ops, {} events, 50 clients in {:.0} ms (peak RSS so far {:.0} MiB)",
        history.operations.len(),
        scale.tickets_events,
        ms(started.elapsed()),
        rss::peak_rss_mib()
    );
    if let Some(path) = std::env::var_os("FRENZY_BENCH_WRITE_TICKETS") {
        let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let events = tickets_history::events(&history);
        checker::jsonl::write_events(&events, std::io::BufWriter::new(file))
            .unwrap_or_else(|e| panic!("{path:?}: {e}"));
        println!("wrote the tickets history to {path:?} (for `frenzy check --model tickets`)");
    }
    let (result, took) = run(&history, "tickets", &CheckOptions::default());
    println!(
        "tickets {} ops: {:?} in {:.0} ms, peak RSS {:.0} MiB",
        history.operations.len(),
        result.valid,
        ms(took),
        rss::peak_rss_mib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scale = if args.iter().any(|a| a == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    if wanted("porcupine") {
        porcupine_table(scale);
    }
    if wanted("c50") {
        c50_bad_all_keys();
    }
    if wanted("tickets") {
        tickets_at_scale(scale);
    }
}
