//! `cargo bench -p checker --bench hard`: histories with many unknown outcomes. Prints a table of
//! time and peak resident memory against k, the number of unknown outcomes: ser-02, generated
//! cas-registers under partitions (k = 10 ... 1000, valid and invalid by construction) and a
//! tickets event with hundreds of unknown placements. Each case runs in its own child process,
//! so its peak RSS is its own. With FRENZY_BENCH_WRITE_HARD=DIR every generated history is also
//! written there as JSONL, to time `frenzy check` on it end to end.
//!
//! `cargo bench -p checker --bench hard -- --case NAME K VALID [ENGINE]` runs one case.

#[path = "generate/register.rs"]
mod register_gen;
#[path = "common/rss.rs"]
mod rss;
#[path = "generate/tickets.rs"]
mod tickets_gen;
#[path = "generate/tickets_history.rs"]
mod tickets_history;

use checker::check::{check, CheckOptions};
use checker::history::History;
use checker::models::ModelOptions;
use checker::search::Engine;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Unknown outcomes per generated register history.
const REGISTER_KS: [usize; 5] = [10, 30, 100, 300, 1000];
/// The time limit of each case.
const LIMIT: Duration = Duration::from_secs(30);

/// The history and model of a case.
fn case(name: &str, k: usize, valid: bool) -> (History, &'static str, ModelOptions) {
    match name {
        "ser-02" => {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/anchors/hard/ser-02.jsonl");
            let history = checker::formats::load(&path, None)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (history, "cas-register", ModelOptions::default())
        }
        "register" => (
            register_gen::generate(k, valid, 7 + k as u64),
            "cas-register",
            ModelOptions::default(),
        ),
        _ => {
            let history = tickets_history::generate(k * 40, 1, 20, 1_000_000, k, 11);
            let options = ModelOptions {
                init: Some(serde_json::json!(1_000_000)),
                ..ModelOptions::default()
            };
            (history, "tickets", options)
        }
    }
}

/// Runs one case in this process and prints one line: verdict, engine, ms, peak MiB.
fn run_case(name: &str, k: usize, valid: bool, engine: Option<Engine>) {
    let (history, model, model_options) = case(name, k, valid);
    if let Some(dir) = std::env::var_os("FRENZY_BENCH_WRITE_HARD") {
        let tag = if valid { "valid" } else { "invalid" };
        let path = PathBuf::from(dir).join(format!("{name}-{k}-{tag}.jsonl"));
        let events = if model == "tickets" {
            tickets_history::events(&history)
        } else {
            register_gen::events(&history)
        };
        let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        checker::jsonl::write_events(&events, file).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    }
    let options = CheckOptions {
        time_limit: Some(LIMIT),
        engine,
        ..CheckOptions::default()
    };
    let started = Instant::now();
    let result = check(&history, model, &model_options, &options)
        .unwrap_or_else(|e| panic!("{name} {k}: {e}"));
    let took = started.elapsed();
    let engines: Vec<String> = result
        .partitions
        .iter()
        .filter_map(|p| p.search.map(|e| format!("{e:?}").to_lowercase()))
        .collect();
    println!(
        "{:?}\t{}\t{}\t{:.1}\t{:.1}",
        result.valid,
        engines.first().map_or("-", String::as_str),
        history.operations.len(),
        took.as_secs_f64() * 1e3,
        rss::peak_rss_mib()
    );
}

/// Runs a case in a child process and returns its line.
fn child(name: &str, k: usize, valid: bool, engine: &str) -> String {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("this bench's path: {e}"));
    let output = Command::new(exe)
        .args(["--case", name, &k.to_string(), &valid.to_string(), engine])
        .output()
        .unwrap_or_else(|e| panic!("running a case: {e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .last()
        .map_or_else(|| "failed".to_owned(), str::to_owned)
}

fn table(smoke: bool) {
    println!(
        "case\tk\tbuilt\tengine asked\tverdict\tengine\tops\tms (check + witness)\tpeak RSS MiB"
    );
    let ks: &[usize] = if smoke { &[10] } else { &REGISTER_KS };
    let mut cases: Vec<(&str, usize, bool)> = vec![("ser-02", 71, false)];
    for &k in ks {
        cases.push(("register", k, true));
        cases.push(("register", k, false));
    }
    for k in if smoke { &[20][..] } else { &[100, 300][..] } {
        cases.push(("tickets", *k, true));
    }
    for (name, k, valid) in cases {
        let built = if valid { "valid" } else { "invalid" };
        for engine in ["auto", "backtracking"] {
            if engine == "backtracking" && (smoke || k > 100) {
                continue;
            }
            println!(
                "{name}\t{k}\t{built}\t{engine}\t{}",
                child(name, k, valid, engine)
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--case") {
        let arg = |i: usize| args.get(at + i).map_or("", String::as_str);
        let engine = match arg(4) {
            "backtracking" => Some(Engine::Backtracking),
            "frontier" => Some(Engine::Frontier),
            _ => None,
        };
        let k = arg(2).parse().unwrap_or(10);
        run_case(arg(1), k, arg(3) != "false", engine);
        return;
    }
    table(!args.iter().any(|a| a == "--bench"));
}
