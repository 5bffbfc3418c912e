//! The compact data the report's timeline script draws from: operations as columns of numbers
//! (times in microseconds), fault windows, and the evidence of every invalid partition.

use crate::faults::FaultWindow;
use crate::lanes::Lanes;
use checker::history::{History, Operation, Outcome};
use checker::verdict::{Evidence, Results};
use serde::Serialize;
use std::collections::HashMap;

/// The operations' detail text is cut so that all of it together stays near this many bytes.
const DETAIL_BUDGET: usize = 6_000_000;
/// Shortest and longest cut of one operation's detail text.
const DETAIL_MIN: usize = 48;
const DETAIL_MAX: usize = 400;

/// Everything the timeline script needs, serialized as JSON into the page.
#[derive(Debug, Serialize)]
pub struct TimelineData {
    /// The last event's time, µs.
    pub end: u64,
    /// One lane per client process, by process id, in drawing order (a worker's processes together).
    pub lanes: Vec<u64>,
    /// Each lane's label: `alice @ europe`, or `p 7` when nobody said who the process was.
    pub lane_labels: Vec<String>,
    /// Each lane's band: the lanes of one worker share one.
    pub lane_bands: Vec<u32>,
    /// Function names, indexed by `ops.f`.
    pub fs: Vec<String>,
    /// The operations, one column per field.
    pub ops: OpColumns,
    /// The fault windows.
    pub faults: Vec<FaultData>,
    /// One entry per invalid partition with evidence, in results order.
    pub partitions: Vec<PartitionData>,
}

/// Operations as parallel arrays (index `i` of each is operation `i`), to keep 100,000 of them small.
#[derive(Debug, Default, Serialize)]
pub struct OpColumns {
    /// Invocation event index: the operation's name.
    pub id: Vec<u64>,
    /// Completion event index, or -1 when pending.
    pub done: Vec<i64>,
    /// Lane (index into `lanes`).
    pub lane: Vec<u32>,
    /// Invocation time, µs.
    pub call: Vec<u64>,
    /// Completion time, µs, or -1 when pending.
    pub ret: Vec<i64>,
    /// Outcome: 0 ok, 1 fail, 2 info, 3 pending.
    pub out: Vec<u8>,
    /// Function (index into `fs`).
    pub f: Vec<u32>,
    /// The result (or the argument when there is none) as compact JSON, cut to a length.
    pub v: Vec<String>,
}

/// One fault window, in µs.
#[derive(Debug, Serialize)]
pub struct FaultData {
    /// The fault's kind (`partition`, `kill`...).
    pub kind: String,
    /// What was done, for a person.
    pub label: String,
    /// Start, µs.
    pub start: u64,
    /// Stop, µs, or -1 when it lasted to the end.
    pub end: i64,
}

/// The evidence of one invalid partition, with a time for each linearization point.
#[derive(Debug, Serialize)]
pub struct PartitionData {
    /// The partition key.
    pub key: String,
    /// The longest linearizable prefix, in linearization order.
    pub prefix: Vec<u64>,
    /// A time (µs) at which each prefix operation can take effect, in the same order.
    pub points: Vec<u64>,
    /// The operations that cannot be placed next.
    pub stuck: Vec<u64>,
    /// The shrunken witness.
    pub witness: Vec<u64>,
}

/// Builds the timeline data of a history and its results.
pub fn timeline_data(
    history: &History,
    results: &Results,
    faults: &[FaultWindow],
    lanes: &Lanes,
) -> TimelineData {
    let lane_of: HashMap<u64, u32> = lanes
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i as u32))
        .collect();
    let mut fs: Vec<String> = Vec::new();
    let mut f_of: HashMap<&str, u32> = HashMap::new();
    let cut = (DETAIL_BUDGET / history.operations.len().max(1)).clamp(DETAIL_MIN, DETAIL_MAX);
    let mut ops = OpColumns::default();
    for op in &history.operations {
        let f = *f_of.entry(op.f.as_str()).or_insert_with(|| {
            fs.push(op.f.to_string());
            (fs.len() - 1) as u32
        });
        ops.id.push(op.id);
        ops.done.push(op.completion.map_or(-1, |c| c as i64));
        ops.lane.push(lane_of[&op.process]);
        ops.call.push(micros(op.call));
        ops.ret.push(op.ret.map_or(-1, |r| micros(r) as i64));
        ops.out.push(outcome_code(op.outcome));
        ops.f.push(f);
        ops.v.push(detail(op, cut));
    }
    let end = history.end_time();
    TimelineData {
        end: micros(end),
        lanes: lanes.processes.clone(),
        lane_labels: lanes.labels.clone(),
        lane_bands: lanes.bands.clone(),
        fs,
        ops,
        faults: faults
            .iter()
            .map(|w| FaultData {
                kind: w.kind.clone(),
                label: w.label(),
                start: micros(w.start),
                end: w.end.map_or(-1, |e| micros(e) as i64),
            })
            .collect(),
        partitions: invalid_partitions(results)
            .map(|(key, e)| partition_data(history, key, e))
            .collect(),
    }
}

/// The invalid partitions that have evidence, in results order: the order the page numbers them.
pub fn invalid_partitions(results: &Results) -> impl Iterator<Item = (&str, &Evidence)> {
    results
        .linearizability
        .iter()
        .flat_map(|l| l.partitions.iter())
        .filter_map(|p| p.evidence.as_ref().map(|e| (p.key.as_str(), e)))
}

/// Linearization points for a prefix: each operation takes effect as early as it can, but not
/// before the one linearized before it.
fn partition_data(history: &History, key: &str, evidence: &Evidence) -> PartitionData {
    let by_id: HashMap<u64, &Operation> = history.operations.iter().map(|o| (o.id, o)).collect();
    let mut at = 0u64;
    let points = evidence
        .prefix
        .iter()
        .map(|id| {
            if let Some(op) = by_id.get(id) {
                at = at.max(op.call);
                if let Some(ret) = op.ret.filter(|_| op.outcome == Outcome::Ok) {
                    at = at.min(ret);
                }
            }
            micros(at)
        })
        .collect();
    PartitionData {
        key: key.to_string(),
        prefix: evidence.prefix.clone(),
        points,
        stuck: evidence.stuck.clone(),
        witness: evidence.witness.clone(),
    }
}

/// What a person wants to see of an operation: its result, or its argument when it has none.
pub fn detail(op: &Operation, cut: usize) -> String {
    let value = if op.output.is_null() {
        &op.input
    } else {
        &op.output
    };
    let text = value.to_string();
    if text.chars().count() <= cut {
        text
    } else {
        let mut short: String = text.chars().take(cut).collect();
        short.push('…');
        short
    }
}

fn outcome_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Ok => 0,
        Outcome::Fail => 1,
        Outcome::Info => 2,
        Outcome::Pending => 3,
    }
}

/// Nanoseconds to whole microseconds.
pub fn micros(ns: u64) -> u64 {
    ns / 1000
}
