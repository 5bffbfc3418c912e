//! The top of the report: the verdict, the checks, operation counts, faults applied, and every
//! anomaly as a sentence with links to its operations.

use crate::duration::format_ns;
use crate::escape::escape;
use crate::faults::FaultWindow;
use crate::lanes::Lanes;
use crate::timeline_data::invalid_partitions;
use checker::history::{History, Outcome};
use checker::verdict::{counted, AnomalyResult, Results, Verdict, When};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// The verdict as a word and a CSS class.
pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Invalid => "invalid",
        Verdict::Unknown => "unknown",
    }
}

/// The summary section's HTML.
pub fn summary_html(
    history: &History,
    results: &Results,
    faults: &[FaultWindow],
    lanes: &Lanes,
) -> String {
    let mut h = String::from("<section id=\"summary\">\n");
    let v = verdict_word(results.valid);
    let _ = writeln!(
        h,
        "<p><span class=\"verdict {v}\" id=\"verdict\">{}</span> checked in {}</p>",
        v.to_uppercase(),
        format_ns(results.check_ms * 1e6)
    );
    h.push_str(&checks_table(results));
    h.push_str(&counts_tables(history, results));
    h.push_str(&faults_summary(faults));
    h.push_str(&anomaly_list(history, results, lanes));
    h.push_str("</section>\n");
    h
}

/// One row per check: what ran and what it found.
fn checks_table(results: &Results) -> String {
    let mut h = String::from(
        "<table class=\"checks\"><tr><th>check</th><th>verdict</th><th>details</th></tr>\n",
    );
    if let Some(lin) = &results.linearizability {
        let count = |v| lin.partitions.iter().filter(|p| p.valid == v).count();
        let (one, many) = lin.part_nouns();
        let _ = writeln!(
            h,
            "<tr><td>linearizability, model <b id=\"model\">{}</b></td><td>{}</td><td>{} {}: {} valid, {} invalid, {} unknown; search {}</td></tr>",
            escape(&lin.model),
            verdict_word(lin.valid),
            lin.partitions.len(),
            if lin.partitions.len() == 1 { one } else { many },
            count(Verdict::Valid),
            count(Verdict::Invalid),
            count(Verdict::Unknown),
            format_ns(lin.check_ms * 1e6)
        );
        for p in lin.partitions.iter().filter(|p| p.reason.is_some()) {
            let _ = writeln!(
                h,
                "<tr><td>&nbsp;&nbsp;{one} {}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.key),
                verdict_word(p.valid),
                escape(p.reason.as_deref().unwrap_or_default())
            );
        }
    }
    for (name, r) in [("sessions", &results.sessions), ("ledger", &results.ledger)] {
        if let Some(r) = r {
            let why = r
                .reason
                .as_deref()
                .map(|reason| format!("; {}", escape(reason)))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr><td>{name}</td><td>{}</td><td>{}{why}</td></tr>",
                verdict_word(r.valid),
                counted(r.anomalies.len(), "anomaly", "anomalies")
            );
        }
    }
    h.push_str("</table>\n");
    h
}

/// Event counts by type, and operations by function and outcome.
fn counts_tables(history: &History, results: &Results) -> String {
    let c = &results.op_counts;
    let mut h = String::from("<h3>Operations</h3>\n<table class=\"counts\"><tr><th>invoked</th><th>ok</th><th>fail</th><th>info</th><th>pending</th><th>nemesis events</th></tr>\n");
    let _ = writeln!(
        h,
        "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></table>",
        c.invoke, c.ok, c.fail, c.info, c.pending, c.nemesis
    );
    let mut by_f: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for op in &history.operations {
        let slot = match op.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Info => 2,
            Outcome::Pending => 3,
        };
        by_f.entry(op.f.as_str()).or_default()[slot] += 1;
    }
    h.push_str("<table class=\"by-f\"><tr><th>function</th><th>ok</th><th>fail</th><th>info</th><th>pending</th></tr>\n");
    for (f, n) in by_f {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(f),
            n[0],
            n[1],
            n[2],
            n[3]
        );
    }
    h.push_str("</table>\n");
    h
}

/// Faults applied, by kind: how many windows and how long in total.
fn faults_summary(faults: &[FaultWindow]) -> String {
    let mut h = String::from("<h3>Faults applied</h3>\n");
    if faults.is_empty() {
        h.push_str("<p>None: no nemesis events in this history.</p>\n");
        return h;
    }
    let mut by_kind: BTreeMap<&str, (usize, u64, bool)> = BTreeMap::new();
    for w in faults {
        let e = by_kind.entry(w.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += w.end.unwrap_or(w.start).saturating_sub(w.start);
        e.2 |= w.end.is_none();
    }
    h.push_str("<ul class=\"faults-summary\">\n");
    for (kind, (n, total, open)) in by_kind {
        let _ = writeln!(
            h,
            "<li><b>{}</b>: {n} window{}, {} in total{}</li>",
            escape(kind),
            if n == 1 { "" } else { "s" },
            format_ns(total as f64),
            if open {
                ", one still in force when the history ended"
            } else {
                ""
            }
        );
    }
    h.push_str("</ul>\n<p class=\"hint\">Each window is listed under the timeline.</p>\n");
    h
}

/// Every anomaly as one sentence, with links to its evidence and its operations.
fn anomaly_list(history: &History, results: &Results, lanes: &Lanes) -> String {
    let mut items = String::new();
    for (i, (key, e)) in invalid_partitions(results).enumerate() {
        let _ = writeln!(
            items,
            "<li class=\"anomaly\"><span class=\"check\">linearizability{}</span>{}<span class=\"sentence\">{}</span> <a href=\"#partition-{i}\">evidence</a> · <a class=\"jump\" href=\"#anomaly-{i}\">jump to the anomaly on the timeline</a></li>",
            if key.is_empty() { String::new() } else { format!(" · {}", escape(key)) },
            when_html(e.when.as_ref()),
            escape(&e.explanation)
        );
    }
    let links = OpLinks::new(history, lanes);
    for (name, r) in [("sessions", &results.sessions), ("ledger", &results.ledger)] {
        if let Some(r) = r {
            items.push_str(&anomaly_items(name, r, &links));
        }
    }
    if items.is_empty() {
        return "<h3>Anomalies</h3>\n<p>None found.</p>\n".to_string();
    }
    format!("<h3>Anomalies</h3>\n<ul class=\"anomaly-list\">\n{items}</ul>\n")
}

/// The items of one anomaly-listing check.
fn anomaly_items(check: &str, result: &AnomalyResult, links: &OpLinks) -> String {
    let mut h = String::new();
    for a in &result.anomalies {
        let _ = writeln!(
            h,
            "<li class=\"anomaly\"><span class=\"check\">{check} · {}</span>{}<span class=\"sentence\">{}</span> {}</li>",
            escape(&a.kind),
            when_html(a.when.as_ref()),
            escape(&a.explanation),
            links.links(&a.events)
        );
    }
    h
}

/// When an anomaly happened and under which faults, as a badge before its sentence: `at 0.31 s ·
/// no fault was active` or `at 4.10 s · during europe / north-america cut (halves)`.
pub fn when_html(when: Option<&When>) -> String {
    let Some(when) = when else {
        return String::new();
    };
    let (class, faults) = if when.faults_active.is_empty() {
        ("when quiet", "no fault was active".to_string())
    } else {
        (
            "when faulty",
            format!("during {}", when.faults_active.join(" and ")),
        )
    };
    format!(
        "<span class=\"{class}\" data-at=\"{}\">{} · {}</span> ",
        when.at,
        when.moment(),
        escape(&faults)
    )
}

/// Turns event indices into links to their operations on the timeline.
pub struct OpLinks<'h> {
    by_event: HashMap<u64, &'h checker::history::Operation>,
    who: HashMap<u64, String>,
}

impl<'h> OpLinks<'h> {
    /// Indexes the operations of a history by their invocation and completion events, and names
    /// their processes as the lanes do.
    pub fn new(history: &'h History, lanes: &Lanes) -> Self {
        let mut by_event = HashMap::new();
        for op in &history.operations {
            by_event.insert(op.id, op);
            if let Some(c) = op.completion {
                by_event.insert(c, op);
            }
        }
        let who = by_event
            .values()
            .map(|op| (op.process, lanes.name(op.process)))
            .collect();
        OpLinks { by_event, who }
    }

    /// `<a href="#op-N">f #N (alice @ europe)</a>` for each event; events that are not an
    /// operation's show as plain numbers.
    pub fn links(&self, events: &[u64]) -> String {
        let mut seen = Vec::new();
        let mut h = String::new();
        for e in events {
            match self.by_event.get(e) {
                Some(op) if seen.contains(&op.id) => {}
                Some(op) => {
                    seen.push(op.id);
                    let who = self.who.get(&op.process).map_or("", String::as_str);
                    let _ = write!(
                        h,
                        "<a class=\"op-link\" href=\"#op-{}\">{} #{} ({})</a> ",
                        op.id,
                        escape(&op.f),
                        op.id,
                        escape(who)
                    );
                }
                None => {
                    let _ = write!(h, "<span class=\"op-link\">event {e}</span> ");
                }
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_ledger_says_why_in_the_checks_table() {
        let results =
            crate::test_results::unknown_ledger("event e1 has holds but no successful read_log");
        let table = checks_table(&results);
        assert!(
            table.contains("0 anomalies; event e1 has holds but no successful read_log"),
            "{table}"
        );
    }
}
