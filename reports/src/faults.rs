//! Fault windows: the spans between a nemesis `start-<kind>` event and the next `stop-<kind>`.

use checker::history::{Event, Process};
use serde::Serialize;

/// One fault the nemesis applied, from its start to its stop (or to the end of the history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultWindow {
    /// The fault's kind, e.g. `partition`, `kill`, `pause` (the `f` without `start-`).
    pub kind: String,
    /// What was done, as the nemesis described it (the start event's value, compact JSON).
    pub detail: String,
    /// When the fault started, ns since the test started.
    pub start: u64,
    /// When it stopped, ns; `None` when it was still in force when the history ended.
    pub end: Option<u64>,
}

impl FaultWindow {
    /// One line for a person: `partition {"kind":"isolate",...}`.
    pub fn label(&self) -> String {
        if self.detail.is_empty() || self.detail == "null" {
            self.kind.clone()
        } else {
            format!("{} {}", self.kind, self.detail)
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use checker::history::EventType;
    use serde_json::json;

    fn nemesis(index: u64, time: u64, f: &str, value: serde_json::Value) -> Event {
        Event {
            index,
            time,
            process: Process::Nemesis,
            kind: EventType::Info,
            f: f.into(),
            value,
        }
    }

    #[test]
    fn pairs_starts_with_the_next_stop_of_the_same_kind() {
        let events = vec![
            nemesis(0, 10, "start-partition", json!({"kind": "isolate"})),
            nemesis(1, 15, "start-kill", json!(["n1"])),
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
        assert_eq!((w[2].start, w[2].end), (30, None));
        assert_eq!(w[0].label(), r#"partition {"kind":"isolate"}"#);
    }
}
