//! Faults as plain data: what a schedule names, and what was concretely done.

use crate::error::{NemesisError, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A kind of fault a schedule can name (`--nemesis partition,kill,pause,latency,loss,failover`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Network partitions (see [`PartitionKind`]).
    Partition,
    /// SIGKILL a node's processes, later restart them with the same data.
    Kill,
    /// SIGSTOP a node's processes, later SIGCONT them.
    Pause,
    /// Delay the traffic on a node's links.
    Latency,
    /// Lose part of the traffic on a node's links.
    Loss,
    /// Cut the primary off, then let a failover manager promote a replica.
    Failover,
}

impl FaultKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Partition,
        FaultKind::Kill,
        FaultKind::Pause,
        FaultKind::Latency,
        FaultKind::Loss,
        FaultKind::Failover,
    ];

    /// The name used on the command line and in history events (`start-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::Kill => "kill",
            FaultKind::Pause => "pause",
            FaultKind::Latency => "latency",
            FaultKind::Loss => "loss",
            FaultKind::Failover => "failover",
        }
    }

    /// Parses a comma-separated list such as `partition,kill`.
    pub fn parse_list(list: &str) -> Result<Vec<FaultKind>> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = NemesisError;

    fn from_str(s: &str) -> Result<Self> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                NemesisError::Invalid(format!(
                    "unknown fault `{s}`: use one or more of partition, kill, pause, latency, loss, failover"
                ))
            })
    }
}

/// The shapes a partition can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionKind {
    /// One random node cut off from all others.
    IsolateOne,
    /// The nodes split into two random halves (the smaller one first).
    Halves,
    /// Every node sees a majority, and no two nodes see the same majority.
    MajoritiesRing,
    /// Two halves that both still see one bridge node.
    Bridge,
    /// The current leader cut off from all others.
    IsolateLeader,
}

impl PartitionKind {
    /// Every shape; `IsolateLeader` only applies when the driver can find a leader.
    pub const ALL: [PartitionKind; 5] = [
        PartitionKind::IsolateOne,
        PartitionKind::Halves,
        PartitionKind::MajoritiesRing,
        PartitionKind::Bridge,
        PartitionKind::IsolateLeader,
    ];
}

/// Which nodes a kill or pause hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// One random node.
    #[default]
    One,
    /// A random minority (fewer than half of the nodes, at least one).
    Minority,
    /// The current leader.
    Leader,
    /// Exactly these nodes.
    Nodes(Vec<String>),
}

impl FromStr for PartitionKind {
    type Err = NemesisError;

    /// Parses `isolate-one`, `halves`, `majorities-ring`, `bridge` or `isolate-leader`.
    fn from_str(s: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
            NemesisError::Invalid(format!(
                "unknown partition `{s}`: use isolate-one, halves, majorities-ring, bridge or isolate-leader"
            ))
        })
    }
}

impl FromStr for Target {
    type Err = NemesisError;

    /// Parses `one`, `minority`, `leader`, or a comma-separated list of node names.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "one" => Ok(Target::One),
            "minority" => Ok(Target::Minority),
            "leader" => Ok(Target::Leader),
            "" => Err(NemesisError::Invalid(
                "empty target: use one, minority, leader or node names".into(),
            )),
            list => Ok(Target::Nodes(
                list.split(',').map(|n| n.trim().to_string()).collect(),
            )),
        }
    }
}

/// A concrete partition: for every node, the nodes whose packets it drops (Jepsen's "grudge").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// The shape it was computed from.
    pub kind: PartitionKind,
    /// What each side sees, for people: the components, or each node's view for a ring.
    pub groups: Vec<Vec<String>>,
    /// Node -> the nodes it does not hear from. Nodes without an entry hear everyone.
    pub grudge: BTreeMap<String, BTreeSet<String>>,
}

impl Partition {
    /// True when `a` and `b` can still talk in both directions under this partition.
    pub fn connected(&self, a: &str, b: &str) -> bool {
        let drops = |x: &str, y: &str| self.grudge.get(x).is_some_and(|g| g.contains(y));
        !drops(a, b) && !drops(b, a)
    }
}

/// A concrete fault: what a driver applies, and the value of its history events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    /// Drop traffic between nodes.
    Partition(Partition),
    /// SIGKILL these nodes' processes.
    Kill {
        /// The nodes.
        nodes: Vec<String>,
    },
    /// SIGSTOP these nodes' processes.
    Pause {
        /// The nodes.
        nodes: Vec<String>,
    },
    /// Delay every chunk on these nodes' links.
    Latency {
        /// The nodes.
        nodes: Vec<String>,
        /// Added delay, in milliseconds.
        delay_ms: u64,
    },
    /// Lose traffic on these nodes' links.
    Loss {
        /// The nodes.
        nodes: Vec<String>,
        /// Probability that a chunk is lost (0..=1).
        probability: f64,
    },
    /// Cut the primary `from` off from the other nodes (clients still reach it), and after
    /// `grace_ms` (a failover manager's detection time) promote a replica in its place.
    Failover {
        /// The primary lost.
        from: String,
        /// How long it stays cut off, accepting writes, before the promotion.
        grace_ms: u64,
    },
}

impl Fault {
    /// The kind this fault belongs to (names its `start-`/`stop-` events).
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Partition(_) => FaultKind::Partition,
            Fault::Kill { .. } => FaultKind::Kill,
            Fault::Pause { .. } => FaultKind::Pause,
            Fault::Latency { .. } => FaultKind::Latency,
            Fault::Loss { .. } => FaultKind::Loss,
            Fault::Failover { .. } => FaultKind::Failover,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_reject_unknown_names() {
        assert_eq!(
            FaultKind::parse_list("partition, kill,latency").unwrap_or_default(),
            vec![FaultKind::Partition, FaultKind::Kill, FaultKind::Latency]
        );
        let err = FaultKind::parse_list("partition,explode");
        assert!(matches!(err, Err(NemesisError::Invalid(m)) if m.contains("explode")));
    }

    #[test]
    fn shapes_and_targets_parse_from_their_names() {
        assert_eq!(
            "majorities-ring".parse::<PartitionKind>().ok(),
            Some(PartitionKind::MajoritiesRing)
        );
        assert!("ring".parse::<PartitionKind>().is_err());
        assert_eq!("leader".parse::<Target>().ok(), Some(Target::Leader));
        assert_eq!(
            "n1, n2".parse::<Target>().ok(),
            Some(Target::Nodes(vec!["n1".into(), "n2".into()]))
        );
        assert!("".parse::<Target>().is_err());
    }

    #[test]
    fn faults_are_plain_json() {
        let f = Fault::Kill {
            nodes: vec!["n1".into()],
        };
        let json = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"fault": "kill", "nodes": ["n1"]}));
        let back: Fault = serde_json::from_value(json).unwrap_or(Fault::Pause { nodes: vec![] });
        assert_eq!(back, f);
    }
}
