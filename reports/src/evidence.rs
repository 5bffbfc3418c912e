//! The evidence of each invalid key (event, for tickets): the sentence with when it happened and
//! under which faults, the shrunken witness beside it (drawn by the page's script as a small
//! timeline with the fault windows), the model state, the end of the longest linearizable prefix
//! with its linearization points, and the stuck operations in full.

use crate::duration::format_ns;
use crate::escape::escape;
use crate::lanes::Lanes;
use crate::summary::when_html;
use crate::timeline_data::{detail, invalid_partitions, PartitionData};
use checker::history::{History, Operation, Outcome};
use checker::verdict::{counted, Results};
use std::collections::HashMap;
use std::fmt::Write;

/// How many operations of the end of a prefix the page lists (the timeline shows all of them).
const PREFIX_ROWS: usize = 30;
/// How long an operation's value may be in the prefix table (the stuck operations, which the
/// sentence only names the first few of, are shown in full).
const VALUE_CUT: usize = 160;

/// The evidence section's HTML (empty when no partition is invalid).
pub fn evidence_html(
    history: &History,
    results: &Results,
    partitions: &[PartitionData],
    lanes: &Lanes,
) -> String {
    let by_id: HashMap<u64, &Operation> = history.operations.iter().map(|o| (o.id, o)).collect();
    let (one, _) = results
        .linearizability
        .as_ref()
        .map_or(("key", "keys"), |l| l.part_nouns());
    let mut h = String::new();
    for (i, ((key, e), data)) in invalid_partitions(results).zip(partitions).enumerate() {
        let title = if key.is_empty() {
            "The history is not linearizable".to_string()
        } else {
            format!("The {one} {} is not linearizable", escape(key))
        };
        let _ = writeln!(
            h,
            "<article class=\"partition invalid\" id=\"partition-{i}\">\n<h3>{title}</h3>\n<div class=\"headline\"><div class=\"told\"><p>{}<span class=\"sentence\">{}</span></p>\n<p><a class=\"jump\" href=\"#anomaly-{i}\">Jump to the anomaly on the timeline</a></p></div>",
            when_html(e.when.as_ref()),
            escape(&e.explanation)
        );
        let _ = writeln!(
            h,
            "<figure class=\"witness-figure\"><div class=\"witness\" data-partition=\"{i}\"></div><figcaption>The shrunken witness: {}, with the faults in force (shaded). Red: cannot be placed.</figcaption></figure></div>",
            counted(
                e.witness.len(),
                "operation that still fails on its own",
                "operations that still fail on their own"
            )
        );
        let _ = writeln!(
            h,
            "<h4>Model state at the end of the prefix</h4>\n<pre class=\"state\">{}</pre>",
            escape(&e.state)
        );
        let skipped = e.prefix.len().saturating_sub(PREFIX_ROWS);
        let _ = writeln!(
            h,
            "<h4>Longest linearizable prefix: {}{}</h4>",
            counted(e.prefix.len(), "operation", "operations"),
            if skipped > 0 {
                format!(" (the last {PREFIX_ROWS} shown; all are marked on the timeline)")
            } else {
                String::new()
            }
        );
        h.push_str(&op_table(
            e.prefix
                .iter()
                .zip(&data.points)
                .enumerate()
                .skip(skipped)
                .map(|(k, (id, at))| (*id, format!("{}", k + 1), Some(*at))),
            &by_id,
            lanes,
            "",
            VALUE_CUT,
        ));
        let _ = writeln!(
            h,
            "<h4>Cannot be placed next: {}</h4>",
            counted(e.stuck.len(), "operation", "operations")
        );
        h.push_str(&op_table(
            e.stuck.iter().map(|id| (*id, "stuck".to_string(), None)),
            &by_id,
            lanes,
            "stuck",
            usize::MAX,
        ));
        h.push_str("</article>\n");
    }
    if h.is_empty() {
        return h;
    }
    format!("<section id=\"evidence\">\n<h2>Linearizability evidence</h2>\n{h}</section>\n")
}

/// A table of operations: position, link, process, function, outcome, value, linearization point.
fn op_table(
    rows: impl Iterator<Item = (u64, String, Option<u64>)>,
    by_id: &HashMap<u64, &Operation>,
    lanes: &Lanes,
    class: &str,
    cut: usize,
) -> String {
    let mut h = String::from("<table class=\"ops\"><tr><th>#</th><th>op</th><th>who</th><th>f</th><th>outcome</th><th>value</th><th>called – returned</th><th>linearized at</th></tr>\n");
    for (id, position, point) in rows {
        let Some(op) = by_id.get(&id) else {
            let _ = writeln!(h, "<tr class=\"{class}\"><td>{position}</td><td>#{id}</td><td colspan=\"6\">not an operation of this history</td></tr>");
            continue;
        };
        let outcome = match op.outcome {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
            Outcome::Pending => "pending",
        };
        let _ = writeln!(
            h,
            "<tr class=\"{class}\" data-op=\"{id}\"><td>{position}</td><td><a class=\"op-link\" href=\"#op-{id}\">#{id}</a></td><td>{}</td><td>{}</td><td>{outcome}</td><td><code>{}</code></td><td>{} – {}</td><td>{}</td></tr>",
            escape(&lanes.name(op.process)),
            escape(&op.f),
            escape(&detail(op, cut)),
            format_ns(op.call as f64),
            op.ret.map_or("never".to_string(), |r| format_ns(r as f64)),
            point.map_or(String::new(), |us| format_ns(us as f64 * 1e3)),
        );
    }
    h.push_str("</table>\n");
    h
}
