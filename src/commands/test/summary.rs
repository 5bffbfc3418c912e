//! The summary `frenzy test` prints: what ran, what was recorded and why operations failed, each
//! check's verdict with its first anomalies (each with when it happened and which faults were
//! active), and where the report is.

use super::args::Plan;
use checker::history::{History, Outcome};
use checker::verdict::{counted, AnomalyResult, Results, Verdict, When};
use std::collections::HashMap;
use std::path::Path;
use workloads::RunReport;

/// How many anomalies of each check are printed; the report has them all.
const SHOWN: usize = 5;
/// How many distinct failure reasons are printed.
const REASONS: usize = 3;

/// Prints the summary to stdout.
pub fn print(plan: &Plan, run: &RunReport, history: &History, results: &Results, dir: &Path) {
    let p = &plan.phases;
    outln!(
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
    outln!(
        "  operations: {} invoked: {} ok, {} fail, {} info, {} pending; {} nemesis events",
        c.invoke,
        c.ok,
        c.fail,
        c.info,
        c.pending,
        c.nemesis
    );
    if let Some(reasons) = failure_reasons(history) {
        outln!("  failed because: {reasons}");
    }
    if let Some(lin) = &results.linearizability {
        let (one, many) = lin.part_nouns();
        let bad = lin.partitions.iter().filter(|p| p.valid != Verdict::Valid);
        outln!(
            "  linearizability ({} model): {}, {} {}",
            lin.model,
            verdict_word(lin.valid),
            lin.partitions.len(),
            if lin.partitions.len() == 1 { one } else { many },
        );
        for part in bad {
            let (when, why) = match (&part.evidence, &part.reason) {
                (Some(e), _) => (When::clause(e.when.as_ref()), e.explanation.as_str()),
                (None, Some(reason)) => (String::new(), reason.as_str()),
                (None, None) => (String::new(), ""),
            };
            outln!(
                "    - {one} {}: {}{when}: {why}",
                part.key,
                verdict_word(part.valid)
            );
        }
    }
    anomalies("sessions", results.sessions.as_ref());
    anomalies("ledger", results.ledger.as_ref());
    outln!("verdict: {}", verdict_word(results.valid));
    outln!(
        "run: {} (report.html, history.jsonl, results.json)",
        dir.display()
    );
}

/// The most common reasons operations failed, with their counts: `1687 connection refused, 40
/// sold_out`; `None` when nothing failed.
fn failure_reasons(history: &History) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for op in history
        .operations
        .iter()
        .filter(|op| op.outcome == Outcome::Fail)
    {
        let reason = op
            .output
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("no reason given");
        *counts.entry(short_reason(reason)).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<String> = counts
        .iter()
        .take(REASONS)
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    let rest: usize = counts.iter().skip(REASONS).map(|(_, n)| n).sum();
    match (shown.is_empty(), rest) {
        (true, _) => None,
        (false, 0) => Some(shown.join(", ")),
        (false, rest) => Some(format!("{}, {rest} other", shown.join(", "))),
    }
}

/// A failure reason without the address or detail that makes every one of them different:
/// `connection refused` for `error sending request ...: Connection refused (os error 111)`.
fn short_reason(reason: &str) -> String {
    let lower = reason.to_lowercase();
    for known in ["connection refused", "connection reset", "timed out"] {
        if lower.contains(known) {
            return known.to_string();
        }
    }
    reason.chars().take(60).collect()
}

fn anomalies(name: &str, result: Option<&AnomalyResult>) {
    let Some(result) = result else { return };
    outln!(
        "  {name}: {} ({})",
        verdict_word(result.valid),
        counted(result.anomalies.len(), "anomaly", "anomalies")
    );
    if result.valid == Verdict::Unknown && result.anomalies.is_empty() {
        outln!(
            "    - an event's log was never read at the end, so there is no final state to judge"
        );
    }
    for a in result.anomalies.iter().take(SHOWN) {
        outln!(
            "    - {}{}: {}",
            a.kind,
            When::clause(a.when.as_ref()),
            a.explanation
        );
    }
    if result.anomalies.len() > SHOWN {
        outln!(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_are_grouped_without_their_addresses() {
        assert_eq!(
            short_reason("error sending request for url (http://10.0.0.2:8080/holds): Connection refused (os error 111)"),
            "connection refused"
        );
        assert_eq!(short_reason("sold_out"), "sold_out");
    }
}
