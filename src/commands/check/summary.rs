//! The human summary `frenzy check` prints when `--json` is not given.

use super::output_dir::Written;
use checker::verdict::{PartitionResult, Results, Verdict};
use std::fmt::Write;

/// The summary of one history: verdict, model, op counts, and for each invalid or unknown
/// partition its verdict with the evidence's explanation or the reason.
pub fn render(results: &Results, written: Option<&Written>) -> String {
    let mut out = String::new();
    let file = results.file.as_deref().unwrap_or("history");
    let c = &results.op_counts;
    let model = results
        .linearizability
        .as_ref()
        .map_or("?", |l| l.model.as_str());
    let _ = writeln!(
        out,
        "{file}: {} ({model} model), {} operations: {} ok, {} fail, {} info, {} pending; {} nemesis events; checked in {:.1} ms",
        verdict_word(results.valid),
        c.invoke,
        c.ok,
        c.fail,
        c.info,
        c.pending,
        c.nemesis,
        results.check_ms
    );
    let partitions: &[PartitionResult] = results
        .linearizability
        .as_ref()
        .map_or(&[], |l| &l.partitions);
    let valid = partitions
        .iter()
        .filter(|p| p.valid == Verdict::Valid)
        .count();
    for p in partitions.iter().filter(|p| p.valid != Verdict::Valid) {
        let key = if p.key.is_empty() {
            "(whole history)".to_string()
        } else {
            format!("{:?}", p.key)
        };
        let _ = writeln!(
            out,
            "  partition {key}: {} ({} operations, {:.1} ms)",
            verdict_word(p.valid),
            p.ops,
            p.check_ms
        );
        if let Some(reason) = &p.reason {
            let _ = writeln!(out, "    {reason}");
        }
        if let Some(evidence) = &p.evidence {
            let _ = writeln!(out, "    {}", evidence.explanation);
            let _ = writeln!(out, "    model state there: {}", evidence.state);
            let _ = writeln!(
                out,
                "    linearizable prefix: {} operations; cannot place next: {}",
                evidence.prefix.len(),
                list(&evidence.stuck)
            );
            if !evidence.witness.is_empty() {
                let _ = writeln!(
                    out,
                    "    smallest failing sub-history: operations {}",
                    list(&evidence.witness)
                );
            }
        }
        let witness_file = written.and_then(|w| w.witnesses.iter().find(|(k, _)| *k == p.key));
        if let Some((_, file)) = witness_file {
            let _ = writeln!(out, "    witness written to {}", file.display());
        }
    }
    if valid > 0 && valid < partitions.len() {
        let _ = writeln!(out, "  {valid} other partitions valid");
    }
    if let Some(w) = written {
        let _ = writeln!(out, "  results written to {}", w.results.display());
    }
    out
}

/// The verdict as the summary spells it.
fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "VALID",
        Verdict::Invalid => "INVALID",
        Verdict::Unknown => "UNKNOWN",
    }
}

/// Operation ids as `index 3, 7, 12`.
fn list(ids: &[u64]) -> String {
    let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
    format!("index {}", ids.join(", "))
}
