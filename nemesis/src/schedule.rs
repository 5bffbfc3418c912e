//! The schedule: starts and stops faults in turn at jittered intervals, reports every start
//! and stop, and always ends with a heal.

use crate::driver::{Driver, LinkFault};
use crate::error::{NemesisError, Result};
use crate::fault::{Fault, FaultKind, PartitionKind, Target};
use crate::partition;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::future::Future;
use std::time::Duration;

/// What to run: which fault kinds, how often, and their parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Kinds started in turn (round robin).
    pub kinds: Vec<FaultKind>,
    /// Mean length of a fault and of the quiet time after it (each drawn from [0.5, 1.5) x this).
    pub interval: Duration,
    /// Seed for every random choice (shapes, targets, jitter).
    pub seed: u64,
    /// Partition shapes drawn from; shapes that cannot apply (no leader, too few nodes) are skipped.
    pub partitions: Vec<PartitionKind>,
    /// Which nodes kill, pause, latency and loss hit.
    pub target: Target,
    /// Delay added by `latency`.
    pub latency: Duration,
    /// Loss probability of `loss`.
    pub loss: f64,
    /// How long `failover` keeps the primary cut off, accepting writes, before the promotion.
    #[serde(default = "default_grace")]
    pub failover_grace: Duration,
}

fn default_grace() -> Duration {
    Duration::from_secs(1)
}

impl Schedule {
    /// A schedule of `kinds` every `interval`, with default shapes (all), target (one node),
    /// latency (100 ms), loss (20 %) and failover grace (1 s).
    pub fn new(kinds: Vec<FaultKind>, interval: Duration, seed: u64) -> Self {
        Self {
            kinds,
            interval,
            seed,
            partitions: PartitionKind::ALL.to_vec(),
            target: Target::One,
            latency: Duration::from_millis(100),
            loss: 0.2,
            failover_grace: default_grace(),
        }
    }
}

/// One start or stop of a fault: the recorder writes it as an `info` op of process `nemesis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NemesisEvent {
    /// `start-<kind>` or `stop-<kind>`, e.g. `start-partition`.
    pub f: String,
    /// What was actually done: the fault (groups, nodes, delay) and the driver's details (pids).
    pub value: Value,
}

impl NemesisEvent {
    fn new(phase: &str, kind: FaultKind, value: Value) -> Self {
        Self {
            f: format!("{phase}-{kind}"),
            value,
        }
    }
}

/// Runs `schedule` against `driver` until `stop` completes, reporting each start and stop through
/// `report`; then heals everything. The heal also runs when a fault fails to stop (the error is
/// returned after it). To heal on Ctrl-C, make `stop` complete on `tokio::signal::ctrl_c()`.
pub async fn run<D, F, S>(driver: &D, schedule: &Schedule, mut report: F, stop: S) -> Result<()>
where
    D: Driver + ?Sized,
    F: FnMut(NemesisEvent) + Send,
    S: Future<Output = ()>,
{
    if schedule.kinds.is_empty() {
        return Err(NemesisError::Invalid(
            "the nemesis schedule names no fault".into(),
        ));
    }
    let mut rng = Rng::new(schedule.seed);
    let mut active: Option<Fault> = None;
    tokio::pin!(stop);
    let outcome: Result<()> = async {
        for kind in schedule.kinds.iter().cycle() {
            if !pause_or_stop(&mut stop, rng.jitter(schedule.interval)).await {
                return Ok(());
            }
            match start(driver, schedule, *kind, &mut rng).await {
                Ok((fault, value)) => {
                    report(NemesisEvent::new("start", *kind, value));
                    active = Some(fault);
                }
                Err(e @ NemesisError::Unsupported { .. }) => return Err(e),
                Err(e) => {
                    report(NemesisEvent::new(
                        "start",
                        *kind,
                        json!({ "error": e.to_string() }),
                    ));
                    continue;
                }
            }
            if !pause_or_stop(&mut stop, rng.jitter(schedule.interval)).await {
                return Ok(());
            }
            if let Some(fault) = active.take() {
                let value = undo(driver, &fault).await?;
                report(NemesisEvent::new("stop", *kind, value));
            }
        }
        Ok(())
    }
    .await;
    let healed = driver.heal().await;
    if let Some(fault) = active {
        let value = match &healed {
            Ok(v) => json!({ "fault": fault, "healed": v }),
            Err(e) => json!({ "fault": fault, "error": e.to_string() }),
        };
        report(NemesisEvent::new("stop", fault.kind(), value));
    }
    outcome.and(healed.map(|_| ()))
}

/// Sleeps for `d` unless `stop` completes first; false when it did.
async fn pause_or_stop<S: Future<Output = ()>>(
    stop: &mut std::pin::Pin<&mut S>,
    d: Duration,
) -> bool {
    tokio::select! {
        _ = stop.as_mut() => false,
        _ = tokio::time::sleep(d) => true,
    }
}

/// Chooses a concrete fault of `kind`, applies it, and returns it with the history value.
async fn start<D: Driver + ?Sized>(
    driver: &D,
    schedule: &Schedule,
    kind: FaultKind,
    rng: &mut Rng,
) -> Result<(Fault, Value)> {
    let nodes = driver.nodes();
    let wants_leader = matches!(schedule.target, Target::Leader)
        || kind == FaultKind::Failover
        || (kind == FaultKind::Partition
            && schedule.partitions.contains(&PartitionKind::IsolateLeader));
    let leader = if wants_leader {
        driver.leader().await?
    } else {
        None
    };
    let fault = match kind {
        FaultKind::Partition => {
            let shapes: Vec<PartitionKind> = schedule
                .partitions
                .iter()
                .copied()
                .filter(|k| applies(*k, nodes.len(), leader.is_some()))
                .collect();
            if shapes.is_empty() {
                return Err(NemesisError::Invalid(format!(
                    "no partition shape applies to {} nodes here",
                    nodes.len()
                )));
            }
            let shape = shapes[rng.below(shapes.len())];
            Fault::Partition(partition::plan(shape, &nodes, leader.as_deref(), rng)?)
        }
        FaultKind::Kill => Fault::Kill {
            nodes: targets(&schedule.target, &nodes, leader.as_deref(), rng)?,
        },
        FaultKind::Pause => Fault::Pause {
            nodes: targets(&schedule.target, &nodes, leader.as_deref(), rng)?,
        },
        FaultKind::Latency => Fault::Latency {
            nodes: targets(&schedule.target, &nodes, leader.as_deref(), rng)?,
            delay_ms: schedule.latency.as_millis() as u64,
        },
        FaultKind::Loss => Fault::Loss {
            nodes: targets(&schedule.target, &nodes, leader.as_deref(), rng)?,
            probability: schedule.loss,
        },
        FaultKind::Failover => Fault::Failover {
            from: leader
                .ok_or_else(|| NemesisError::Invalid("no primary was found to fail over".into()))?,
            grace_ms: schedule.failover_grace.as_millis() as u64,
        },
    };
    let applied = apply(driver, &fault).await?;
    let mut value = serde_json::to_value(&fault).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("applied".into(), applied);
    }
    Ok((fault, value))
}

/// Whether a partition shape can be computed for `n` nodes.
fn applies(kind: PartitionKind, n: usize, has_leader: bool) -> bool {
    match kind {
        PartitionKind::IsolateLeader => has_leader,
        PartitionKind::MajoritiesRing | PartitionKind::Bridge => n >= 3,
        PartitionKind::IsolateOne | PartitionKind::Halves => n >= 2,
    }
}

/// Applies `fault` through `driver`; returns the driver's account of it.
pub async fn apply<D: Driver + ?Sized>(driver: &D, fault: &Fault) -> Result<Value> {
    match fault {
        Fault::Partition(p) => driver.partition(p).await,
        Fault::Kill { nodes } => each(nodes, |n| driver.kill(n)).await,
        Fault::Pause { nodes } => each(nodes, |n| driver.pause(n)).await,
        Fault::Latency { nodes, delay_ms } => {
            let delay = Duration::from_millis(*delay_ms);
            driver.links(nodes, LinkFault { delay, loss: 0.0 }).await
        }
        Fault::Loss { nodes, probability } => {
            let loss = *probability;
            driver
                .links(
                    nodes,
                    LinkFault {
                        delay: Duration::ZERO,
                        loss,
                    },
                )
                .await
        }
        Fault::Failover { from, grace_ms } => {
            driver
                .failover(from, Duration::from_millis(*grace_ms))
                .await
        }
    }
}

/// Reverses `fault` (heal, restart, resume); returns the driver's account of it.
pub async fn undo<D: Driver + ?Sized>(driver: &D, fault: &Fault) -> Result<Value> {
    match fault {
        Fault::Partition(_) | Fault::Latency { .. } | Fault::Loss { .. } => {
            driver.heal_network().await
        }
        Fault::Kill { nodes } => each(nodes, |n| driver.restart(n)).await,
        Fault::Pause { nodes } => each(nodes, |n| driver.resume(n)).await,
        Fault::Failover { from, .. } => {
            let network = driver.heal_network().await?;
            let rejoined = driver.restart(from).await?;
            let mut undone = json!({ "network": network, "rejoined": { from.as_str(): rejoined } });
            let settled = driver.settle().await?;
            if !settled.is_null() {
                undone["settled"] = settled;
            }
            Ok(undone)
        }
    }
}

/// Runs `action` on every node in turn, collecting what it reports by node name.
async fn each<'a, A>(nodes: &'a [String], action: A) -> Result<Value>
where
    A: Fn(&'a str) -> crate::driver::DriverFuture<'a, Value>,
{
    let mut out = serde_json::Map::new();
    for node in nodes {
        out.insert(node.clone(), action(node).await?);
    }
    Ok(Value::Object(out))
}

/// The nodes a kill, pause or link fault hits.
pub fn targets(
    target: &Target,
    nodes: &[String],
    leader: Option<&str>,
    rng: &mut Rng,
) -> Result<Vec<String>> {
    if nodes.is_empty() {
        return Err(NemesisError::Invalid("the cluster has no nodes".into()));
    }
    match target {
        Target::One => Ok(vec![nodes[rng.below(nodes.len())].clone()]),
        Target::Minority => {
            let mut shuffled = nodes.to_vec();
            rng.shuffle(&mut shuffled);
            let size = 1 + rng.below(((nodes.len() - 1) / 2).max(1));
            shuffled.truncate(size);
            shuffled.sort();
            Ok(shuffled)
        }
        Target::Leader => leader
            .map(|l| vec![l.to_string()])
            .ok_or_else(|| NemesisError::Invalid("no leader was found to target".into())),
        Target::Nodes(list) => {
            if let Some(bad) = list.iter().find(|n| !nodes.contains(n)) {
                return Err(NemesisError::Invalid(format!("unknown node `{bad}`")));
            }
            Ok(list.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minorities_are_nonempty_and_smaller_than_half() {
        for n in 1..9 {
            let nodes: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
            let mut rng = Rng::new(n as u64);
            for _ in 0..20 {
                let t = targets(&Target::Minority, &nodes, None, &mut rng).unwrap_or_default();
                assert!(!t.is_empty());
                assert!(n == 1 || n == 2 || t.len() * 2 < n, "{t:?} of {n}");
            }
        }
    }

    #[test]
    fn targets_reject_what_is_not_there() {
        let nodes = vec!["a".to_string(), "b".to_string()];
        let mut rng = Rng::new(1);
        assert!(targets(&Target::Leader, &nodes, None, &mut rng).is_err());
        assert!(targets(&Target::Nodes(vec!["z".into()]), &nodes, None, &mut rng).is_err());
        assert_eq!(
            targets(&Target::Leader, &nodes, Some("b"), &mut rng).unwrap_or_default(),
            vec!["b".to_string()]
        );
    }

    #[test]
    fn shapes_apply_only_when_they_can() {
        assert!(!applies(PartitionKind::IsolateLeader, 5, false));
        assert!(!applies(PartitionKind::Bridge, 2, true));
        assert!(applies(PartitionKind::MajoritiesRing, 3, false));
    }
}
