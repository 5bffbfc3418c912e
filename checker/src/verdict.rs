//! Check results: the verdict of a history and the evidence behind it (the results.json schema).

use crate::search::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The answer of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// Proven correct.
    Valid,
    /// Outcome not decided within the budget; `reason` fields say why.
    Unknown,
    /// Refuted, with evidence.
    Invalid,
}

impl Verdict {
    /// The worse of two verdicts (invalid > unknown > valid), used to combine partitions and files.
    pub fn worst(self, other: Verdict) -> Verdict {
        self.max(other)
    }

    /// The process exit code DESIGN.md assigns to this verdict (0 valid, 1 invalid, 2 unknown).
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::Unknown => 2,
        }
    }
}

/// Serialized as `true`, `false` or `"unknown"`, the `valid` field Jepsen users expect.
impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Verdict::Valid => s.serialize_bool(true),
            Verdict::Invalid => s.serialize_bool(false),
            Verdict::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(Verdict::Valid),
            Value::Bool(false) => Ok(Verdict::Invalid),
            Value::String(s) if s == "unknown" => Ok(Verdict::Unknown),
            other => Err(serde::de::Error::custom(format!(
                "valid must be true, false or \"unknown\", got {other}"
            ))),
        }
    }
}

/// Counts of events by type in a history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpCounts {
    /// Operations invoked (client processes only).
    pub invoke: usize,
    /// Completed `ok`.
    pub ok: usize,
    /// Completed `fail`.
    pub fail: usize,
    /// Completed `info` (client processes only; nemesis events are counted in `nemesis`).
    pub info: usize,
    /// Invoked but never completed by the end of the history.
    pub pending: usize,
    /// Events of the nemesis process.
    pub nemesis: usize,
}

/// Why a linearizability check refuted a partition: the search's evidence.
///
/// Operations are named by the `index` of their invocation event in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The longest linearizable prefix found, as invocation indices in linearization order.
    pub prefix: Vec<u64>,
    /// Operations that must be placed next (their deadline has passed) but cannot be, from the
    /// end of that prefix.
    pub stuck: Vec<u64>,
    /// The model state at the end of the prefix, as the model describes it.
    pub state: String,
    /// A paragraph a person understands, written by the model.
    pub explanation: String,
    /// A shrunken sub-history that still fails: invocation indices of its operations.
    pub witness: Vec<u64>,
    /// When the impossible reply came and which faults were active then (see [`When`]).
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
}

/// `1 anomaly`, `5 anomalies`: a count and its noun, singular for one.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// When an anomaly happened and which faults were active then: `at` and `faults_active` in
/// results.json, beside the anomaly's other fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct When {
    /// Seconds since the test started: when the operation the anomaly is about returned (or was
    /// called, if it never returned).
    pub at: f64,
    /// In a history that recorded no times (Jepsen's `history.txt`, Porcupine's logs, EDN
    /// without `:time`: event *i* has time *i*), the index of that event instead: `at` is then
    /// no time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<u64>,
    /// The faults in force while that operation ran, in words (`n2 killed`); empty when none was.
    pub faults_active: Vec<String>,
}

impl When {
    /// ` at 0.41 s, while n2 killed` to follow a name, or nothing when the time is not known.
    pub fn clause(when: Option<&When>) -> String {
        when.map(|w| format!(" {}", w.sentence()))
            .unwrap_or_default()
    }

    /// `at 0.41 s`, or `at event 1177` in a history without times.
    pub fn moment(&self) -> String {
        match self.event {
            Some(event) => format!("at event {event}"),
            None => format!("at {:.2} s", self.at),
        }
    }

    /// `at 0.41 s, while n2 killed`, or `at 0.41 s, when no fault was active` (`at event 1177`
    /// in a history without times).
    pub fn sentence(&self) -> String {
        let at = self.moment();
        if self.faults_active.is_empty() {
            format!("{at}, when no fault was active")
        } else {
            format!("{at}, while {}", self.faults_active.join(" and "))
        }
    }
}

/// The verdict of one partition (one key, one event) of a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionResult {
    /// The partition key (`""` for an unpartitioned history).
    pub key: String,
    /// Valid, invalid or unknown.
    pub valid: Verdict,
    /// Operations in this partition.
    pub ops: usize,
    /// Time spent searching this partition, in milliseconds.
    pub check_ms: f64,
    /// The search engine chosen for this partition (`backtracking` or `frontier`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<Engine>,
    /// Why the verdict is unknown (budget reached, not checked), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The evidence, when invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// The linearizability verdict of a whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearizabilityResult {
    /// The worst verdict over all partitions.
    pub valid: Verdict,
    /// The model's name, e.g. `cas-register`, `tickets`.
    pub model: String,
    /// One entry per partition checked (or skipped, with a reason).
    pub partitions: Vec<PartitionResult>,
    /// Time spent in the search alone, in milliseconds (parsing excluded).
    pub check_ms: f64,
}

impl LinearizabilityResult {
    /// What the independent parts of the history (P-compositionality) are called for its model,
    /// singular and plural: events for tickets, keys for the others. Never "partitions", a word
    /// the report keeps for network partitions.
    pub fn part_nouns(&self) -> (&'static str, &'static str) {
        if self.model == "tickets" {
            ("event", "events")
        } else {
            ("key", "keys")
        }
    }
}

/// An anomaly found by a check other than linearizability (a session guarantee, the ledger).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// A short machine name, e.g. `read-your-writes`, `oversell`, `missing-hold-placed`.
    pub kind: String,
    /// One sentence a person understands.
    pub explanation: String,
    /// The history events involved, by `index`.
    pub events: Vec<u64>,
    /// When it happened and which faults were active then (see [`When`]).
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
}

/// The result of a check that lists anomalies (sessions, ledger).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyResult {
    /// Valid when no anomaly was found.
    pub valid: Verdict,
    /// Each anomaly found.
    pub anomalies: Vec<Anomaly>,
    /// Why the verdict is unknown, when it is (e.g. the ledger: events with holds but no final
    /// log read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Everything known about one checked history: the object `frenzy check --json` prints per file and
/// the content of a run's results.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The worst verdict over every check that ran.
    pub valid: Verdict,
    /// The history file checked, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Events by type.
    pub op_counts: OpCounts,
    /// The linearizability check, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linearizability: Option<LinearizabilityResult>,
    /// Session guarantees (read-your-writes, monotonic reads), when they ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<AnomalyResult>,
    /// The ticket ledger check, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<AnomalyResult>,
    /// Time spent checking (all checks, parsing excluded), in milliseconds.
    pub check_ms: f64,
}
