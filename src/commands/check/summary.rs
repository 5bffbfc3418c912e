//! The human summary `frenzy check` prints when `--json` is not given.

use super::output_dir::Written;
use checker::verdict::{counted, AnomalyResult, PartitionResult, Results, Verdict, When};
use std::fmt::Write;

/// How many invalid or unknown keys (events) the summary details.
const SHOWN: usize = 10;

/// The summary of one history: verdict, model, op counts, and for each invalid or unknown key
/// (event, for tickets) its verdict with the evidence's explanation, when it happened, or the
/// reason.
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
    let (one, many) = results
        .linearizability
        .as_ref()
        .map_or(("key", "keys"), |l| l.part_nouns());
    let valid = partitions
        .iter()
        .filter(|p| p.valid == Verdict::Valid)
        .count();
    let not_valid = partitions.len() - valid;
    let shown = partitions
        .iter()
        .filter(|p| p.valid != Verdict::Valid)
        .take(SHOWN);
    for p in shown {
        let part = if p.key.is_empty() {
            "the whole history".to_string()
        } else {
            format!("{one} {:?}", p.key)
        };
        let _ = writeln!(
            out,
            "  {part}: {} ({} operations, {:.1} ms)",
            verdict_word(p.valid),
            p.ops,
            p.check_ms
        );
        if let Some(reason) = &p.reason {
            let _ = writeln!(out, "    {reason}");
        }
        if let Some(evidence) = &p.evidence {
            if let Some(when) = &evidence.when {
                let _ = writeln!(out, "    {}:", capitalized(&when.sentence()));
            }
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
    if not_valid > SHOWN {
        let _ = writeln!(
            out,
            "  ... and {} more invalid or unknown {many} (--json lists them all)",
            not_valid - SHOWN
        );
    }
    if valid > 0 && valid < partitions.len() {
        let _ = writeln!(
            out,
            "  {} valid",
            counted(valid, &format!("other {one}"), &format!("other {many}"))
        );
    }
    anomalies(&mut out, "sessions", results.sessions.as_ref());
    anomalies(&mut out, "ledger", results.ledger.as_ref());
    if let Some(w) = written {
        let _ = writeln!(out, "  results written to {}", w.results.display());
        if let Some(report) = &w.report {
            let _ = writeln!(out, "  report written to {}", report.display());
        }
    }
    out
}

/// The verdict of a session or ledger check and its first anomalies.
fn anomalies(out: &mut String, name: &str, result: Option<&AnomalyResult>) {
    let Some(result) = result else { return };
    let _ = writeln!(
        out,
        "  {name}: {} ({})",
        verdict_word(result.valid),
        counted(result.anomalies.len(), "anomaly", "anomalies")
    );
    if let Some(reason) = &result.reason {
        let _ = writeln!(out, "    {reason}");
    }
    for a in result.anomalies.iter().take(SHOWN) {
        let when = When::clause(a.when.as_ref());
        let _ = writeln!(out, "    - {}{when}: {}", a.kind, a.explanation);
    }
    if result.anomalies.len() > SHOWN {
        let _ = writeln!(
            out,
            "    ... and {} more (--json lists them all)",
            result.anomalies.len() - SHOWN
        );
    }
}

/// The verdict as the summary spells it.
fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "VALID",
        Verdict::Invalid => "INVALID",
        Verdict::Unknown => "UNKNOWN",
    }
}

/// `At 0.41 s` for `at 0.41 s`.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// Operation ids as `index 3, 7, 12`.
fn list(ids: &[u64]) -> String {
    let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
    format!("index {}", ids.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::verdict::{Evidence, LinearizabilityResult, OpCounts};

    /// A partition named `key` with `valid`, invalid ones with an explanation.
    fn partition(key: &str, valid: Verdict) -> PartitionResult {
        PartitionResult {
            key: key.into(),
            valid,
            ops: 4,
            check_ms: 0.5,
            search: None,
            reason: (valid == Verdict::Unknown).then(|| "the time limit was reached".into()),
            evidence: (valid == Verdict::Invalid).then(|| Evidence {
                prefix: vec![0, 2],
                stuck: vec![4],
                state: "6 seats left".into(),
                explanation: format!("alice and bob both hold the last seat of {key}"),
                witness: vec![0, 4],
                when: None,
            }),
        }
    }

    fn results(partitions: Vec<PartitionResult>) -> Results {
        let valid = partitions
            .iter()
            .fold(Verdict::Valid, |v, p| v.worst(p.valid));
        Results {
            valid,
            file: Some("h.jsonl".into()),
            op_counts: OpCounts {
                invoke: 8,
                ok: 8,
                ..OpCounts::default()
            },
            linearizability: Some(LinearizabilityResult {
                valid,
                model: "tickets".into(),
                partitions,
                check_ms: 1.0,
            }),
            sessions: None,
            ledger: None,
            check_ms: 1.0,
        }
    }

    #[test]
    fn details_invalid_and_unknown_partitions_and_counts_the_valid_ones() {
        let text = render(
            &results(vec![
                partition("e1", Verdict::Valid),
                partition("e2", Verdict::Invalid),
                partition("e3", Verdict::Unknown),
            ]),
            None,
        );
        assert!(
            text.starts_with("h.jsonl: INVALID (tickets model), 8 operations: 8 ok"),
            "{text}"
        );
        assert!(
            text.contains("event \"e2\": INVALID (4 operations"),
            "{text}"
        );
        assert!(
            text.contains("alice and bob both hold the last seat of e2"),
            "{text}"
        );
        assert!(text.contains("cannot place next: index 4"), "{text}");
        assert!(text.contains("event \"e3\": UNKNOWN"), "{text}");
        assert!(text.contains("the time limit was reached"), "{text}");
        assert!(!text.contains("\"e1\""), "{text}");
        assert!(text.contains("1 other event valid"), "{text}");
        assert!(!text.contains("partition"), "{text}");
    }

    #[test]
    fn counts_one_anomaly_in_the_singular() {
        let mut r = results(vec![partition("e1", Verdict::Valid)]);
        r.ledger = Some(AnomalyResult {
            valid: Verdict::Invalid,
            anomalies: vec![checker::verdict::Anomaly {
                kind: "seats-not-conserved".into(),
                explanation: "7 seats vanished.".into(),
                events: vec![1],
                when: None,
            }],
            reason: None,
        });
        let text = render(&r, None);
        assert!(text.contains("  ledger: INVALID (1 anomaly)\n"), "{text}");
    }

    #[test]
    fn says_why_the_ledger_is_unknown() {
        let mut r = results(vec![partition("e1", Verdict::Valid)]);
        r.ledger = Some(AnomalyResult {
            valid: Verdict::Unknown,
            anomalies: Vec::new(),
            reason: Some("2 of the 2 events (e1, e2) have holds but no read_log".into()),
        });
        let text = render(&r, None);
        assert!(
            text.contains("  ledger: UNKNOWN (0 anomalies)\n    2 of the 2 events (e1, e2)"),
            "{text}"
        );
    }

    #[test]
    fn caps_the_partitions_it_details() {
        let many = (0..15)
            .map(|i| partition(&format!("e{i}"), Verdict::Invalid))
            .collect();
        let text = render(&results(many), None);
        assert_eq!(text.matches(": INVALID (4 operations").count(), SHOWN);
        assert!(
            text.contains("... and 5 more invalid or unknown events"),
            "{text}"
        );
    }
}
