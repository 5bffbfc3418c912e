//! Fault windows: the spans between a nemesis `start-<kind>` event and the next `stop-<kind>`,
//! and what each fault was, in words a person reads ("europe / north-america cut (halves)").

use crate::history::{Event, Process};
use crate::json::{Json, Object};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One fault the nemesis applied, from its start to its stop (or to the end of the history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultWindow {
    /// The fault's kind, e.g. `partition`, `kill`, `pause` (the `f` without `start-`).
    pub kind: String,
    /// What was done, as the nemesis recorded it (the start event's value, compact JSON).
    pub detail: String,
    /// What was done, in words: `n2 killed`, `europe / north-america cut (halves)`.
    pub words: String,
    /// When the fault started, ns since the test started.
    pub start: u64,
    /// When it stopped, ns; `None` when it was still in force when the history ended.
    pub end: Option<u64>,
}

impl FaultWindow {
    /// One line for a person: the fault in words.
    pub fn label(&self) -> String {
        self.words.clone()
    }

    /// Whether the fault was in force at some moment of `[from, to]` (ns).
    pub fn overlaps(&self, from: u64, to: u64) -> bool {
        self.start <= to && self.end.is_none_or(|end| end >= from)
    }
}

/// The fault windows of a history, in the order they started. A fault that starts while another
/// of its kind is in force opens a second window; a stop closes the oldest open one of its kind.
///
/// Frenzy's nemesis writes `start-X` / `stop-X`. Jepsen's write the same for some faults
/// (`start-partition`), and for others `kill` (closed by the `start` that restarts the nodes),
/// `pause` / `resume`, or, in the classic partitioner, a bare `start` / `stop`. Jepsen records each
/// nemesis operation twice, its invocation (value nil or a target such as `all`) and then its
/// completion (what was done): the two are one fault, started at the invocation.
pub fn fault_windows(events: &[Event]) -> Vec<FaultWindow> {
    let nemesis = nemesis_ops(events);
    let classic = nemesis.iter().any(|op| op.f == "stop");
    let mut windows: Vec<FaultWindow> = Vec::new();
    for op in nemesis {
        match role(op.f, op.value, classic) {
            Role::Opens(kind) => windows.push(FaultWindow {
                kind: kind.to_string(),
                detail: op.value.to_string(),
                words: fault_words(kind, op.value),
                start: op.time,
                end: None,
            }),
            Role::Closes(kinds) => {
                if let Some(open) = windows
                    .iter_mut()
                    .find(|w| kinds.contains(&w.kind.as_str()) && w.end.is_none())
                {
                    open.end = Some(op.time);
                }
            }
            Role::Neither => {}
        }
    }
    windows
}

/// One nemesis operation: its name, when it began, and what it did.
struct NemesisOp<'e> {
    f: &'e str,
    time: u64,
    value: &'e Json,
}

/// The nemesis events as operations: an event followed at once by one of the same name that
/// [`completes`] it is an invocation, and the two are one operation with the completion's value.
fn nemesis_ops(events: &[Event]) -> Vec<NemesisOp<'_>> {
    let mut ops: Vec<NemesisOp> = Vec::new();
    let mut invoked = false;
    for event in events.iter().filter(|e| e.process == Process::Nemesis) {
        let completes = invoked
            && ops
                .last()
                .is_some_and(|last| *last.f == *event.f && completes(last.value, &event.value));
        invoked = !completes;
        match ops.last_mut() {
            Some(last) if completes => {
                if !event.value.is_null() {
                    last.value = &event.value;
                }
            }
            _ => ops.push(NemesisOp {
                f: &event.f,
                time: event.time,
                value: &event.value,
            }),
        }
    }
    ops
}

/// What a nemesis operation does to the fault windows.
enum Role<'f> {
    /// Starts a fault of this kind.
    Opens(&'f str),
    /// Ends the oldest open fault of one of these kinds.
    Closes(Vec<&'f str>),
    /// Neither (an operation that is not a fault, e.g. a Jepsen `start` of nodes not killed).
    Neither,
}

/// The role of nemesis operation `f` with `value`; `classic`: the history's nemesis is Jepsen's
/// classic partitioner (a bare `start` / `stop`), not its combined one (where `start` restarts
/// killed nodes).
fn role<'f>(f: &'f str, value: &Json, classic: bool) -> Role<'f> {
    if let Some(kind) = f.strip_prefix("start-") {
        return Role::Opens(kind);
    }
    if let Some(kind) = f.strip_prefix("stop-") {
        return Role::Closes(vec![kind]);
    }
    match f {
        "start" if classic => Role::Opens(if jepsen_grudge(value).is_some() {
            "partition"
        } else {
            "nemesis"
        }),
        "stop" => Role::Closes(vec!["partition", "nemesis"]),
        "start" => Role::Closes(vec!["kill"]),
        "kill" => Role::Opens("kill"),
        "pause" => Role::Opens("pause"),
        "resume" => Role::Closes(vec!["pause"]),
        _ => Role::Neither,
    }
}

/// Whether `completion`, the next nemesis event of the same name, is what Jepsen records when the
/// operation invoked with `invocation` completes: after nil or a bare target (`"majority"`); after
/// a list of nodes, a map of those nodes to what happened to each (`kill ("n3")`, then
/// `{"n3" ""}`); after a grudge, the same grudge `[:isolated grudge]`.
fn completes(invocation: &Json, completion: &Json) -> bool {
    match invocation {
        Json::Null | Json::String(_) => true,
        Json::Array(nodes) => completion.as_object().is_some_and(|done| {
            let mut named: Vec<&str> = nodes.iter().filter_map(Json::as_str).collect();
            named.sort_unstable();
            named.len() == nodes.len() && named.iter().copied().eq(done.iter().map(|(n, _)| &**n))
        }),
        Json::Object(_) => match (bare_grudge(invocation), jepsen_grudge(completion)) {
            (Some(asked), Some(done)) => grudge_words(asked) == grudge_words(done),
            _ => false,
        },
        _ => false,
    }
}

/// The grudge of a Jepsen partition as it completes, `[:isolated {node #{nodes it cannot reach}}]`.
fn jepsen_grudge(value: &Json) -> Option<&Object> {
    match value.as_array()? {
        [tag, grudge] if tag.as_str() == Some("isolated") => bare_grudge(grudge),
        _ => None,
    }
}

/// A grudge on its own, `{node #{nodes it cannot reach}}`, as Jepsen invokes a partition.
fn bare_grudge(value: &Json) -> Option<&Object> {
    let entries = value.as_object().filter(|e| !e.is_empty())?;
    let nodes = |cut: &Json| {
        cut.as_array()
            .is_some_and(|n| n.iter().all(|n| n.as_str().is_some()))
    };
    entries.iter().all(|(_, cut)| nodes(cut)).then_some(entries)
}

/// A Jepsen grudge in words: `n1, n4 / n2, n3, n5 cut` when it splits the nodes into groups
/// that reach nothing outside them, else who is cut from whom (`n1 cut from n2, n5; ...`).
fn grudge_words(grudge: &Object) -> String {
    let all: BTreeSet<&str> = grudge.iter().map(|(node, _)| &**node).collect();
    let mut groups: BTreeMap<BTreeSet<&str>, Vec<&str>> = BTreeMap::new();
    for (node, cut) in grudge {
        let cut = cut.as_array().unwrap_or_default().iter();
        groups
            .entry(cut.filter_map(Json::as_str).collect())
            .or_default()
            .push(node);
    }
    let clean = groups.len() > 1
        && groups.iter().all(|(cut, nodes)| {
            let rest: BTreeSet<&str> = all.iter().copied().filter(|n| !nodes.contains(n)).collect();
            *cut == rest
        });
    if clean {
        let mut sides: Vec<String> = groups.values().map(|nodes| nodes.join(", ")).collect();
        sides.sort();
        return format!("{} cut", sides.join(" / "));
    }
    let clauses: Vec<String> = grudge
        .iter()
        .filter_map(|(node, cut)| {
            let cut: BTreeSet<&str> = cut.as_array()?.iter().filter_map(Json::as_str).collect();
            let cut: Vec<&str> = cut.into_iter().collect();
            (!cut.is_empty()).then(|| format!("{node} cut from {}", cut.join(", ")))
        })
        .collect();
    clauses.join("; ")
}

/// A fault in words, from its kind and the value of its start event. Values Frenzy's nemesis does
/// not write (another tool's) fall back to the kind and the value's text.
pub fn fault_words(kind: &str, value: &Json) -> String {
    if let Some(error) = value.get("error").and_then(Json::as_str) {
        return format!("{kind} failed to start: {error}");
    }
    // Frenzy names the nodes in `nodes`; Jepsen's value is the nodes themselves.
    let nodes = names(value.get("nodes").or(Some(value)));
    // A map of node to nodes is a grudge only for a partition: other faults name nodes in maps too.
    let bare = (kind == "partition").then(|| bare_grudge(value)).flatten();
    if let Some(grudge) = jepsen_grudge(value).or(bare) {
        return grudge_words(grudge);
    }
    match kind {
        "partition" => {
            let groups: Vec<String> = value
                .get("groups")
                .and_then(Json::as_array)
                .map(|g| g.iter().map(|group| names(Some(group))).collect())
                .unwrap_or_default();
            let shape = value.get("kind").and_then(Json::as_str);
            match (groups.is_empty(), shape) {
                (false, Some(shape)) => format!("{} cut ({shape})", groups.join(" / ")),
                (false, None) => format!("{} cut", groups.join(" / ")),
                (true, _) => other_words(kind, value),
            }
        }
        "kill" if !nodes.is_empty() => format!("{nodes} killed"),
        "pause" if !nodes.is_empty() => format!("{nodes} paused"),
        "latency" if !nodes.is_empty() => match value.get("delay_ms").and_then(Json::as_u64) {
            Some(ms) => format!("{nodes} slowed by {ms} ms"),
            None => format!("{nodes} slowed"),
        },
        "loss" if !nodes.is_empty() => match value.get("probability").and_then(Json::as_f64) {
            Some(p) => format!("{nodes} losing {:.0}% of packets", p * 100.0),
            None => format!("{nodes} losing packets"),
        },
        _ => other_words(kind, value),
    }
}

/// Node names as `n1, n2`, from a JSON array of strings (a single string is one name).
fn names(value: Option<&Json>) -> String {
    match value {
        Some(Json::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Json::String(s)) => s.to_string(),
        // Jepsen names the nodes it acted on as the keys of a map (`{"n3" ""}`).
        Some(Json::Object(entries)) => entries
            .iter()
            .map(|(node, _)| &**node)
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// A fault whose value has no shape Frenzy knows: its kind, and the value when it says something.
fn other_words(kind: &str, value: &Json) -> String {
    match value {
        Json::Null => kind.to_string(),
        Json::String(s) => format!("{kind} {s}"),
        other => format!("{kind} {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EventType;
    use serde_json::json;

    use serde_json::Value;

    fn nemesis(index: u64, time: u64, f: &str, value: Value) -> Event {
        Event {
            index,
            time,
            process: Process::Nemesis,
            kind: EventType::Info,
            f: f.into(),
            value: value.into(),
        }
    }

    #[test]
    fn pairs_starts_with_the_next_stop_of_the_same_kind() {
        let events = vec![
            nemesis(0, 10, "start-partition", json!({"kind": "isolate"})),
            nemesis(
                1,
                15,
                "start-kill",
                json!({"fault": "kill", "nodes": ["n1"]}),
            ),
            nemesis(2, 20, "stop-partition", json!(null)),
            nemesis(3, 30, "start-partition", json!({"kind": "halves"})),
        ];
        let w = fault_windows(&events);
        assert_eq!(w.len(), 3);
        assert_eq!(
            (w[0].kind.as_str(), w[0].start, w[0].end),
            ("partition", 10, Some(20))
        );
        assert_eq!((w[1].kind.as_str(), w[1].end), ("kill", None));
        assert_eq!(w[1].label(), "n1 killed");
        assert_eq!((w[2].start, w[2].end), (30, None));
        assert!(w[0].overlaps(20, 25) && !w[0].overlaps(21, 25) && w[1].overlaps(1000, 2000));
    }

    /// Jepsen's classic partitioner: `start` / `stop`, each an invocation then a completion.
    #[test]
    fn jepsen_start_and_stop_are_one_partition_from_the_invocation() {
        let grudge = json!(["isolated", {"n1": ["n2", "n5", "n3"], "n4": ["n2", "n5", "n3"],
            "n2": ["n1", "n4"], "n5": ["n1", "n4"], "n3": ["n1", "n4"]}]);
        let events = vec![
            nemesis(0, 10, "start", json!(null)),
            nemesis(1, 11, "start", grudge),
            nemesis(2, 30, "stop", json!(null)),
            nemesis(3, 31, "stop", json!("network-healed")),
        ];
        let w = fault_windows(&events);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            (w[0].kind.as_str(), w[0].start, w[0].end),
            ("partition", 10, Some(30))
        );
        assert_eq!(w[0].label(), "n1, n4 / n2, n3, n5 cut");
    }

    /// Jepsen's combined nemesis: `kill` closed by the `start` that restarts the nodes, `pause` /
    /// `resume`, `start-partition` with a grudge that is not a clean split.
    #[test]
    fn jepsen_combined_kill_pause_and_ring_partition() {
        let ring = json!(["isolated", {"n1": ["n3", "n4"], "n2": ["n4", "n5"], "n3": ["n5", "n1"],
            "n4": ["n1", "n2"], "n5": ["n2", "n3"]}]);
        let events = vec![
            nemesis(0, 5, "kill", json!("minority-third")),
            nemesis(1, 6, "kill", json!({"n3": ""})),
            nemesis(2, 7, "start-partition", json!("majorities-ring")),
            nemesis(3, 8, "start-partition", ring),
            nemesis(4, 20, "start", json!("all")),
            nemesis(5, 21, "start", json!({"n1": "", "n2": ""})),
            nemesis(6, 25, "stop-partition", json!(null)),
            nemesis(7, 26, "stop-partition", json!("network-healed")),
            nemesis(8, 30, "pause", json!(null)),
            nemesis(9, 31, "pause", json!({"n2": ""})),
            nemesis(10, 40, "resume", json!("all")),
            nemesis(11, 41, "resume", json!({"n2": ""})),
        ];
        let w = fault_windows(&events);
        let spans: Vec<_> = w
            .iter()
            .map(|w| (w.kind.as_str(), w.start, w.end, w.label()))
            .collect();
        assert_eq!(
            spans,
            [
                ("kill", 5, Some(20), "n3 killed".to_owned()),
                (
                    "partition",
                    7,
                    Some(25),
                    "n1 cut from n3, n4; n2 cut from n4, n5; n3 cut from n1, n5; \
                     n4 cut from n1, n2; n5 cut from n2, n3"
                        .to_owned()
                ),
                ("pause", 30, Some(40), "n2 paused".to_owned()),
            ]
        );
    }

    /// Jepsen's combined nemesis as a real run records it (Canonical Raft's history.edn): a
    /// partition invoked with its bare grudge and completed with `[:isolated grudge]`, a kill
    /// invoked with a list of nodes and completed with a map of them, a `start` likewise.
    #[test]
    fn jepsen_invocations_with_maps_and_lists_are_one_fault_in_words() {
        let grudge =
            json!({"n2": ["n5", "n1"], "n4": ["n5", "n1"], "n5": ["n2", "n4"], "n1": ["n2", "n4"]});
        let all = json!(["n1", "n2", "n3", "n4", "n5"]);
        let events = vec![
            nemesis(0, 10, "start-partition", grudge.clone()),
            nemesis(1, 11, "start-partition", json!(["isolated", grudge])),
            nemesis(2, 20, "kill", json!(["n5", "n4", "n3"])),
            nemesis(3, 21, "kill", json!({"n5": "", "n4": "", "n3": ""})),
            nemesis(4, 30, "stop-partition", json!(null)),
            nemesis(5, 31, "stop-partition", json!("network-healed")),
            nemesis(6, 40, "start", all),
            nemesis(
                7,
                41,
                "start",
                json!({"n1": null, "n2": null, "n3": "started", "n4": "started", "n5": "started"}),
            ),
        ];
        let spans: Vec<_> = fault_windows(&events)
            .iter()
            .map(|w| (w.kind.clone(), w.start, w.end, w.label()))
            .collect();
        assert_eq!(
            spans,
            [
                (
                    "partition".to_owned(),
                    10,
                    Some(30),
                    "n1, n5 / n2, n4 cut".to_owned()
                ),
                (
                    "kill".to_owned(),
                    20,
                    Some(40),
                    "n3, n4, n5 killed".to_owned()
                ),
            ]
        );
    }

    /// Two faults of one kind in a row that are not an invocation and its completion stay two.
    #[test]
    fn consecutive_faults_of_one_kind_stay_apart() {
        let events = vec![
            nemesis(
                0,
                10,
                "start-partition",
                json!({"groups": [["n1"], ["n2", "n3"]], "kind": "isolate"}),
            ),
            nemesis(
                1,
                20,
                "start-partition",
                json!({"groups": [["n2"], ["n1", "n3"]], "kind": "isolate"}),
            ),
            nemesis(2, 30, "kill", json!(["n1"])),
            nemesis(3, 40, "kill", json!({"n2": ""})),
        ];
        let labels: Vec<String> = fault_windows(&events)
            .iter()
            .map(FaultWindow::label)
            .collect();
        assert_eq!(
            labels,
            [
                "n1 / n2, n3 cut (isolate)",
                "n2 / n1, n3 cut (isolate)",
                "n1 killed",
                "n2 killed"
            ]
        );
    }

    #[test]
    fn a_bare_grudge_is_a_partition_in_words() {
        let grudge = json!({"n1": ["n2"], "n2": ["n1"], "n3": []});
        assert_eq!(
            words("partition", grudge.clone()),
            "n1 cut from n2; n2 cut from n1"
        );
        assert_eq!(words("pause", json!({"nodes": ["n1"]})), "n1 paused");
    }

    /// [`fault_words`] of a `serde_json` value.
    fn words(kind: &str, value: Value) -> String {
        fault_words(kind, &value.into())
    }

    #[test]
    fn says_each_fault_in_words() {
        let cut = json!({"applied": {"cut_links": [["europe", "north-america"]]}, "fault": "partition",
            "groups": [["europe"], ["north-america"]], "kind": "halves"});
        assert_eq!(
            words("partition", cut),
            "europe / north-america cut (halves)"
        );
        let three = json!({"groups": [["n1"], ["n2", "n3"]], "kind": "isolate-one"});
        assert_eq!(words("partition", three), "n1 / n2, n3 cut (isolate-one)");
        assert_eq!(
            words(
                "kill",
                json!({"fault": "kill", "nodes": ["n2"], "pids": [7]})
            ),
            "n2 killed"
        );
        assert_eq!(words("pause", json!({"nodes": ["n1"]})), "n1 paused");
        assert_eq!(
            words("latency", json!({"nodes": ["n1", "n3"], "delay_ms": 100})),
            "n1, n3 slowed by 100 ms"
        );
        assert_eq!(
            words("loss", json!({"nodes": ["n1"], "probability": 0.2})),
            "n1 losing 20% of packets"
        );
        assert_eq!(
            words("kill", json!({"error": "no such node n9"})),
            "kill failed to start: no such node n9"
        );
        assert_eq!(words("partition", json!("majority")), "partition majority");
        assert_eq!(words("clock", json!(null)), "clock");
    }
}
