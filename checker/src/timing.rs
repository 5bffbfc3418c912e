//! When each anomaly happened and which faults were active then: the `at` and `faults_active`
//! of results.json, found from the history's operations and fault windows.

use crate::fast_hash::{FastMap, FastSet};
use crate::faults::{fault_windows, FaultWindow};
use crate::history::{History, Operation};
use crate::verdict::{Anomaly, Evidence, Results, When};

/// The operation that reads an event's log at the end of a run: it judges an anomaly, it is not
/// when the anomaly happened.
const FINAL_LOG_READ: &str = "read_log";

/// Fills in `when` on every piece of evidence and every anomaly of `results` that names an
/// operation of `history`.
pub fn annotate(results: &mut Results, history: &History) {
    let evidence = results
        .linearizability
        .iter_mut()
        .flat_map(|lin| lin.partitions.iter_mut())
        .filter_map(|p| p.evidence.as_mut());
    let evidence: Vec<&mut Evidence> = evidence.collect();
    let anomalies: Vec<&mut Anomaly> = [&mut results.sessions, &mut results.ledger]
        .into_iter()
        .flatten()
        .flat_map(|result| result.anomalies.iter_mut())
        .collect();
    if evidence.is_empty() && anomalies.is_empty() {
        return;
    }
    let named = evidence
        .iter()
        .flat_map(|e| e.stuck.iter().chain(&e.prefix))
        .chain(anomalies.iter().flat_map(|a| &a.events));
    let moments = Moments::new(history, named.copied().collect());
    for evidence in evidence {
        evidence.when = moments.of_evidence(evidence);
    }
    for anomaly in anomalies {
        anomaly.when = moments.of_anomaly(anomaly);
    }
}

/// The operations of a history's events that evidence names, and its fault windows.
struct Moments<'h> {
    by_event: FastMap<u64, &'h Operation>,
    faults: Vec<FaultWindow>,
    end: u64,
    /// Whether the history recorded no times: event *i* has time *i*, as the importers of
    /// formats without times give it.
    untimed: bool,
}

impl<'h> Moments<'h> {
    /// The moments of the events in `named`.
    fn new(history: &'h History, named: FastSet<u64>) -> Moments<'h> {
        let mut by_event = FastMap::default();
        for op in &history.operations {
            for event in std::iter::once(op.id).chain(op.completion) {
                if named.contains(&event) {
                    by_event.insert(event, op);
                }
            }
        }
        Moments {
            by_event,
            faults: fault_windows(&history.nemesis),
            end: history.end_time(),
            untimed: history.event_times().all(|(index, time)| time == index),
        }
    }

    /// A refuted partition happened when its first impossible reply came: the stuck operation
    /// that returned first (the prefix's last operation when nothing is stuck).
    fn of_evidence(&self, evidence: &Evidence) -> Option<When> {
        let stuck = evidence.stuck.iter().filter_map(|id| self.by_event.get(id));
        let op = stuck
            .min_by_key(|op| op.ret.unwrap_or(op.call))
            .or_else(|| evidence.prefix.last().and_then(|id| self.by_event.get(id)))?;
        Some(self.when(op))
    }

    /// An anomaly happened with the last operation it names that is not the final log read (the
    /// list that lost a hold, the hold reported failed); with the log read when that is all.
    fn of_anomaly(&self, anomaly: &Anomaly) -> Option<When> {
        let ops: Vec<&Operation> = anomaly
            .events
            .iter()
            .filter_map(|e| self.by_event.get(e).copied())
            .collect();
        let judged = ops.iter().filter(|op| op.f != FINAL_LOG_READ);
        let op = judged
            .max_by_key(|op| op.call)
            .or_else(|| ops.iter().max_by_key(|op| op.call))?;
        Some(self.when(op))
    }

    /// When `op` returned (or was called, if it never did) and the faults in force while it ran.
    fn when(&self, op: &Operation) -> When {
        let to = op.ret.unwrap_or(self.end).max(op.call);
        let mut faults_active: Vec<String> = Vec::new();
        for w in self.faults.iter().filter(|w| w.overlaps(op.call, to)) {
            if !faults_active.contains(&w.words) {
                faults_active.push(w.words.clone());
            }
        }
        let at = op.ret.unwrap_or(op.call);
        When {
            at: at as f64 / 1e9,
            event: self.untimed.then_some(op.completion.unwrap_or(op.id)),
            faults_active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, EventType, Process};
    use crate::verdict::{AnomalyResult, OpCounts, Verdict};
    use serde_json::{json, Value};

    fn event(
        index: u64,
        time_ms: u64,
        process: Process,
        kind: EventType,
        f: &str,
        value: Value,
    ) -> Event {
        Event {
            index,
            time: time_ms * 1_000_000,
            process,
            kind,
            f: f.into(),
            value: value.into(),
        }
    }

    /// A hold at 100-200 ms with no fault, a failed hold at 1000-1600 ms under a cut, and the
    /// final log read at 3 s.
    fn history() -> History {
        let c = Process::Client;
        let n = Process::Nemesis;
        History::from_events(vec![
            event(
                0,
                100,
                c(0),
                EventType::Invoke,
                "place_hold",
                json!({"event": "e1"}),
            ),
            event(
                1,
                200,
                c(0),
                EventType::Ok,
                "place_hold",
                json!({"hold": "h1"}),
            ),
            event(
                2,
                900,
                n,
                EventType::Info,
                "start-partition",
                json!({"groups": [["europe"], ["north-america"]], "kind": "halves"}),
            ),
            event(
                3,
                1000,
                c(1),
                EventType::Invoke,
                "place_hold",
                json!({"event": "e1"}),
            ),
            event(
                4,
                1600,
                c(1),
                EventType::Fail,
                "place_hold",
                json!({"error": "timeout"}),
            ),
            event(5, 2000, n, EventType::Info, "stop-partition", json!(null)),
            event(
                6,
                3000,
                c(2),
                EventType::Invoke,
                "read_log",
                json!({"event": "e1"}),
            ),
            event(
                7,
                3010,
                c(2),
                EventType::Ok,
                "read_log",
                json!({"entries": []}),
            ),
        ])
        .unwrap()
    }

    fn anomaly(events: Vec<u64>) -> Anomaly {
        Anomaly {
            kind: "k".into(),
            explanation: "e".into(),
            events,
            when: None,
        }
    }

    #[test]
    fn an_anomaly_is_dated_by_its_operation_not_the_final_log_read() {
        let mut results = Results {
            valid: Verdict::Invalid,
            file: None,
            op_counts: OpCounts::default(),
            linearizability: None,
            sessions: None,
            ledger: Some(AnomalyResult {
                valid: Verdict::Invalid,
                anomalies: vec![
                    anomaly(vec![3, 4, 6, 7]),
                    anomaly(vec![0, 1]),
                    anomaly(vec![6, 7]),
                ],
                reason: None,
            }),
            check_ms: 0.0,
        };
        annotate(&mut results, &history());
        let whens: Vec<When> = results
            .ledger
            .unwrap()
            .anomalies
            .into_iter()
            .map(|a| a.when.unwrap())
            .collect();
        assert_eq!(whens[0].at, 1.6);
        assert_eq!(
            whens[0].faults_active,
            ["europe / north-america cut (halves)"]
        );
        assert_eq!(
            whens[0].sentence(),
            "at 1.60 s, while europe / north-america cut (halves)"
        );
        assert_eq!((whens[1].at, whens[1].faults_active.len()), (0.2, 0));
        assert_eq!(whens[1].sentence(), "at 0.20 s, when no fault was active");
        assert_eq!(whens[2].at, 3.01);
    }

    #[test]
    fn evidence_is_dated_by_the_first_stuck_reply() {
        let history = history();
        let moments = Moments::new(&history, [0, 3].into_iter().collect());
        let evidence = Evidence {
            prefix: vec![0],
            stuck: vec![3],
            state: String::new(),
            explanation: String::new(),
            witness: vec![],
            when: None,
        };
        let when = moments.of_evidence(&evidence).unwrap();
        assert_eq!(when.at, 1.6);
        assert_eq!(when.faults_active.len(), 1);
        assert_eq!(when.event, None, "a history with times is dated in seconds");
    }

    /// Jepsen's history.txt and Porcupine's logs record no times (event i has time i): an
    /// anomaly there is dated by its event, not as "at 0.00 s".
    #[test]
    fn a_history_without_times_dates_by_event() {
        let mut history = history();
        for e in &mut history.nemesis {
            e.time = e.index;
        }
        for op in &mut history.operations {
            op.call = op.id;
            op.ret = op.completion;
        }
        let moments = Moments::new(&history, [3].into_iter().collect());
        let when = moments.of_anomaly(&anomaly(vec![3])).unwrap();
        assert_eq!(when.event, Some(4));
        assert_eq!(
            when.sentence(),
            "at event 4, while europe / north-america cut (halves)"
        );
    }
}
