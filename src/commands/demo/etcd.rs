//! The etcd demo: the fixed hold service. A 3-node etcd cluster in network namespaces with a
//! ticketd in front of each member, under partitions and kills; taken down again whatever happens.

use super::{test_plan, DemoArgs};
use crate::commands::cluster::{cli_error, ticketd_binary};
use crate::commands::test::{execute, FaultPlan, Finished, Stop};
use crate::exit::user_error;
use anyhow::Context;
use nemesis::netns::cluster::{self, ClusterSpec, ClusterState};
use nemesis::netns::{NetnsDriver, Topology};
use nemesis::netns::{SystemSpec, TicketdSpec};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

/// The demo cluster's namespace prefix, apart from the user's own `frenzy cluster up` clusters.
const PREFIX: &str = "fzdemo";

/// Its subnet, `10.214.0.0/24`.
const SUBNET: [u8; 2] = [214, 0];

/// Brings the cluster up, runs the workload under faults, and takes the cluster down.
pub fn run(runtime: &Runtime, args: &DemoArgs, stop: &Stop) -> anyhow::Result<Finished> {
    if !cluster::is_root() {
        return Err(user_error(
            "frenzy demo --system etcd builds network namespaces and needs root: run it as root \
             (or run the eventual demo, which needs nothing)",
        ));
    }
    let binary = ticketd_binary()?;
    let (variant, flags, kinds) = variant(args);
    let variant = if args.min_seq {
        format!("{variant}-min-seq")
    } else {
        variant.to_string()
    };
    let spec = ClusterSpec {
        topology: Topology::new(PREFIX, SUBNET, 3).map_err(cli_error)?,
        root: PathBuf::from("/run/frenzy").join(PREFIX),
        system: SystemSpec::Etcd {
            ticketd: Some(TicketdSpec {
                binary,
                args: flags.iter().map(|s| s.to_string()).collect(),
            }),
        },
    };
    // cluster::up says what is missing (etcd, ticketd) or in the way (an earlier demo's cluster).
    let state = runtime
        .block_on(cluster::up(&spec, &mut |_| {}))
        .map_err(cli_error)
        .with_context(|| {
            format!("bringing the demo cluster up (its leftovers go with `frenzy cluster down --prefix {PREFIX}`)")
        })?;
    let guard = Down(state.clone());
    if let Some(sig) = stop.received() {
        return Err(Stop::before_the_run(sig));
    }
    let nodes: Vec<String> = state
        .nodes
        .iter()
        .filter_map(|n| n.ticketd_url.clone())
        .collect();
    outln!(
        "frenzy demo: ticketd ({variant}) on a 3-node etcd cluster in namespaces: {}",
        nodes.join(", ")
    );
    // Two users spread over three nodes: a user's next read may land on a member that has not
    // seen their own hold yet, which is what serializable reads get wrong.
    let users = if args.reads_serializable { "2" } else { "4" };
    let mut extra = vec![
        "--concurrency",
        "12",
        "--users",
        users,
        "--capacity",
        "30",
        "--rate",
        "150",
    ];
    if args.min_seq {
        extra.push("--min-seq");
    }
    let mut plan = test_plan(args, &format!("demo-{variant}"), &nodes, &extra)?;
    plan.node_names = state
        .nodes
        .iter()
        .filter(|n| n.ticketd_url.is_some())
        .map(|n| n.name.clone())
        .collect();
    plan.faults = Some(FaultPlan::parse(kinds, Duration::from_secs(2))?);
    let driver = Arc::new(NetnsDriver::new(state));
    let finished = execute(runtime, &plan, Some(driver), stop);
    drop(guard);
    finished
}

/// The demo's name, ticketd's flags and the faults, for the chosen variant.
fn variant(args: &DemoArgs) -> (&'static str, &'static [&'static str], &'static str) {
    if args.non_atomic {
        (
            "etcd-non-atomic",
            &[
                "--mode",
                "etcd",
                "--non-atomic",
                "--crash-after-step",
                "1",
                "--crash-every",
                "7",
            ],
            "partition,kill",
        )
    } else if args.reads_serializable {
        (
            "etcd-serializable",
            &["--mode", "etcd", "--reads", "serializable"],
            "partition",
        )
    } else {
        ("etcd", &["--mode", "etcd"], "partition,kill")
    }
}

/// Takes the demo cluster down when dropped, on success, error or panic alike.
struct Down(ClusterState);

impl Drop for Down {
    fn drop(&mut self) {
        if let Err(e) = cluster::down(&self.0) {
            eprintln!(
                "warning: taking the demo cluster down failed ({e}); run `frenzy cluster down --prefix {PREFIX}`"
            );
        }
    }
}
