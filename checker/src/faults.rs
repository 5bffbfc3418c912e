//! Fault windows: the spans between a nemesis `start-<kind>` event and the next `stop-<kind>`,
//! and what each fault was, in words a person reads ("europe / north-america cut (halves)").

use crate::history::{Event, Process};
use crate::json::Json;
use serde::Serialize;

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

/// The fault windows of a history, in the order they started. A `start-X` while an X is already in
/// force opens a second window; a `stop-X` closes the oldest open X.
pub fn fault_windows(events: &[Event]) -> Vec<FaultWindow> {
    let mut windows: Vec<FaultWindow> = Vec::new();
    for event in events.iter().filter(|e| e.process == Process::Nemesis) {
        if let Some(kind) = event.f.strip_prefix("start-") {
            windows.push(FaultWindow {
                kind: kind.to_string(),
                detail: event.value.to_string(),
                words: fault_words(kind, &event.value),
                start: event.time,
                end: None,
            });
        } else if let Some(kind) = event.f.strip_prefix("stop-") {
            if let Some(open) = windows
                .iter_mut()
                .find(|w| w.kind == kind && w.end.is_none())
            {
                open.end = Some(event.time);
            }
        }
    }
    windows
}

/// A fault in words, from its kind and the value of its start event. Values Frenzy's nemesis does
/// not write (another tool's) fall back to the kind and the value's text.
pub fn fault_words(kind: &str, value: &Json) -> String {
    if let Some(error) = value.get("error").and_then(Json::as_str) {
        return format!("{kind} failed to start: {error}");
    }
    let nodes = names(value.get("nodes"));
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
