//! The summary `frenzy test` prints: what ran, what was recorded, each check's verdict with its
//! first anomalies, and where the report is.

use super::args::Plan;
use checker::verdict::{AnomalyResult, Results, Verdict};
use std::path::Path;
use workloads::RunReport;

/// How many anomalies of each check are printed; the report has them all.
const SHOWN: usize = 5;

/// Prints the summary to stdout.
pub fn print(plan: &Plan, run: &RunReport, results: &Results, dir: &Path) {
    let p = &plan.phases;
    println!(
        "frenzy test: {} on {} node(s), concurrency {}, {:.1} s, seed {}{}",
        plan.workload.name(),
        plan.nodes.len(),
        p.concurrency,
        (p.warmup + p.main).as_secs_f64(),
        p.seed,
        if run.interrupted {
            " (interrupted: no final reads)"
        } else {
            ""
        }
    );
    let c = &results.op_counts;
    println!(
        "  operations: {} invoked: {} ok, {} fail, {} info, {} pending; {} nemesis events",
        c.invoke, c.ok, c.fail, c.info, c.pending, c.nemesis
    );
    if let Some(lin) = &results.linearizability {
        println!(
            "  linearizability ({}): {}",
            lin.model,
            verdict_word(lin.valid)
        );
        for part in lin.partitions.iter().filter(|p| p.valid != Verdict::Valid) {
            let why = part
                .evidence
                .as_ref()
                .map(|e| e.explanation.as_str())
                .or(part.reason.as_deref())
                .unwrap_or("");
            println!("    - {}: {} {why}", part.key, verdict_word(part.valid));
        }
    }
    anomalies("sessions", results.sessions.as_ref());
    anomalies("ledger", results.ledger.as_ref());
    println!("verdict: {}", verdict_word(results.valid));
    println!(
        "run: {} (report.html, history.jsonl, results.json)",
        dir.display()
    );
}

fn anomalies(name: &str, result: Option<&AnomalyResult>) {
    let Some(result) = result else { return };
    println!(
        "  {name}: {} ({} anomalies)",
        verdict_word(result.valid),
        result.anomalies.len()
    );
    if result.valid == Verdict::Unknown && result.anomalies.is_empty() {
        println!(
            "    - an event's log was never read at the end, so there is no final state to judge"
        );
    }
    for a in result.anomalies.iter().take(SHOWN) {
        println!("    - {}: {}", a.kind, a.explanation);
    }
    if result.anomalies.len() > SHOWN {
        println!(
            "    ... and {} more in the report",
            result.anomalies.len() - SHOWN
        );
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Invalid => "INVALID",
        Verdict::Unknown => "unknown",
    }
}
