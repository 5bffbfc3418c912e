//! Who each client process was (the worker it ran for, its user, its node), kept beside the
//! history in processes.json, and the timeline's lanes built from it: one band per worker, its
//! fresh processes after an unknown outcome in the same band, each lane labelled `alice @ europe`.

use crate::error::Result;
use crate::store::RunDir;
use checker::history::History;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The file in a run folder that says who each process was.
pub const PROCESSES_FILE: &str = "processes.json";

/// Who one client process was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The process id, as in the history.
    pub process: u64,
    /// The worker it ran for; absent for setup operations and final reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<u64>,
    /// The user the worker acted as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The node it talked to, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// Writes processes.json into a run folder.
pub fn write_actors(run: &RunDir, actors: &[Actor]) -> Result<()> {
    let json = serde_json::to_vec_pretty(actors).unwrap_or_default();
    run.write_file(PROCESSES_FILE, &json)
}

/// Reads a run folder's processes.json; none (a history checked on its own, an older run) or an
/// unreadable one gives no actors, and the lanes are then named by process.
pub fn read_actors(run: &RunDir) -> Vec<Actor> {
    std::fs::read(run.path().join(PROCESSES_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The timeline's lanes, in drawing order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lanes {
    /// The process of each lane.
    pub processes: Vec<u64>,
    /// Each lane's label.
    pub labels: Vec<String>,
    /// Each lane's band: lanes of one worker (or of one node's final reads) share it.
    pub bands: Vec<u32>,
}

impl Lanes {
    /// A process's name for tables and links: its lane's label without the fresh-process arrow
    /// (`bob @ europe`, `alice (p 12)`), or `p 7` for a process with no lane.
    pub fn name(&self, process: u64) -> String {
        self.processes
            .iter()
            .position(|p| *p == process)
            .map_or_else(
                || format!("p {process}"),
                |i| self.labels[i].trim_start_matches([' ', '↳']).to_string(),
            )
    }
}

/// Where a process belongs: workers first, by slot; then the final reads, by node; then setup
/// operations; then processes nobody described.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Worker(u64),
    FinalReads(String),
    Setup,
    Unknown(u64),
}

/// The lanes of a history's client processes, grouped and labelled by `actors`.
pub fn lanes(history: &History, actors: &[Actor]) -> Lanes {
    let by_process: HashMap<u64, &Actor> = actors.iter().map(|a| (a.process, a)).collect();
    let processes: BTreeSet<u64> = history.operations.iter().map(|o| o.process).collect();
    let mut placed: Vec<(Group, u64)> = processes
        .into_iter()
        .map(|p| {
            let group = match by_process.get(&p) {
                Some(Actor {
                    worker: Some(w), ..
                }) => Group::Worker(*w),
                Some(Actor {
                    node: Some(node), ..
                }) => Group::FinalReads(node.clone()),
                Some(_) => Group::Setup,
                None => Group::Unknown(p),
            };
            (group, p)
        })
        .collect();
    placed.sort();
    let mut lanes = Lanes::default();
    let mut band = 0u32;
    for (k, (group, p)) in placed.iter().enumerate() {
        let first_of_group = k == 0 || placed[k - 1].0 != *group;
        if first_of_group && k > 0 {
            band += 1;
        }
        let actor = by_process.get(p);
        let node = actor.and_then(|a| a.node.as_deref()).unwrap_or("?");
        let label = match group {
            Group::Worker(w) => {
                let who = actor
                    .and_then(|a| a.user.clone())
                    .unwrap_or_else(|| format!("worker {w}"));
                if first_of_group {
                    format!("{who} @ {node}")
                } else {
                    // The same worker, as a fresh process after an unknown outcome.
                    format!("  ↳ {who} (p {p})")
                }
            }
            Group::FinalReads(_) => format!("final reads @ {node}"),
            Group::Setup => "setup".to_string(),
            Group::Unknown(_) => format!("p {p}"),
        };
        lanes.processes.push(*p);
        lanes.labels.push(label);
        lanes.bands.push(band);
    }
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::history::{Event, EventType, Process};
    use serde_json::json;

    fn history(processes: &[u64]) -> History {
        let mut events = Vec::new();
        for (k, p) in processes.iter().enumerate() {
            for (i, kind) in [EventType::Invoke, EventType::Info].into_iter().enumerate() {
                events.push(Event {
                    index: (2 * k + i) as u64,
                    time: (2 * k + i) as u64,
                    process: Process::Client(*p),
                    kind,
                    f: "read".into(),
                    value: json!(null).into(),
                });
            }
        }
        History::from_events(events).unwrap()
    }

    fn actor(process: u64, worker: Option<u64>, user: Option<&str>, node: Option<&str>) -> Actor {
        Actor {
            process,
            worker,
            user: user.map(str::to_owned),
            node: node.map(str::to_owned),
        }
    }

    #[test]
    fn a_workers_fresh_processes_share_its_band_and_its_name() {
        let actors = [
            actor(0, Some(0), Some("alice"), Some("europe")),
            actor(1, Some(1), Some("bob"), Some("north-america")),
            actor(2, None, None, None),
            actor(3, Some(0), Some("alice"), Some("europe")),
            actor(4, None, None, Some("europe")),
        ];
        let l = lanes(&history(&[0, 1, 2, 3, 4, 9]), &actors);
        assert_eq!(l.processes, [0, 3, 1, 4, 2, 9]);
        assert_eq!(
            l.labels,
            [
                "alice @ europe",
                "  ↳ alice (p 3)",
                "bob @ north-america",
                "final reads @ europe",
                "setup",
                "p 9"
            ]
        );
        assert_eq!(l.bands, [0, 0, 1, 2, 3, 4]);
    }

    #[test]
    fn without_actors_lanes_are_processes_in_order() {
        let l = lanes(&history(&[5, 2]), &[]);
        assert_eq!(l.processes, [2, 5]);
        assert_eq!(l.labels, ["p 2", "p 5"]);
    }
}
