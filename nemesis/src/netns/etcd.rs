//! etcd on every node (Debian's `etcd-server`), optionally with ticketd in front of each member.

use crate::driver::DriverFuture;
use crate::error::{NemesisError, Result};
use crate::etcd as api;
use crate::netns::cluster::{ClusterState, NodeProcess};
use crate::netns::system::{NodePlan, System};
use crate::netns::topology::Topology;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The etcd binary (Debian's `etcd-server`).
pub const ETCD: &str = "/usr/bin/etcd";
/// etcd's client port on every node.
pub const CLIENT_PORT: u16 = 2379;
/// etcd's peer port on every node.
pub const PEER_PORT: u16 = 2380;
/// ticketd's port on every node.
pub const TICKETD_PORT: u16 = 8080;

/// How to run ticketd in front of each etcd member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketdSpec {
    /// The ticketd binary.
    pub binary: PathBuf,
    /// Extra flags (the mode and its knobs), passed after the listen address and endpoint;
    /// `{node}` becomes the node's name and `{peers}` the other nodes' ticketd URLs (comma-separated).
    pub args: Vec<String>,
}

/// An etcd cluster, with ticketd on every member when `ticketd` is set.
#[derive(Debug, Clone)]
pub struct Etcd {
    /// ticketd in front of every member.
    pub ticketd: Option<TicketdSpec>,
}

fn client() -> reqwest::Client {
    api::client(Duration::from_secs(1))
}

impl System for Etcd {
    fn name(&self) -> &'static str {
        "etcd"
    }

    fn check_installed(&self) -> Result<()> {
        if !Path::new(ETCD).exists() {
            return Err(NemesisError::Invalid(format!(
                "{ETCD} is missing: install Debian's etcd-server (scripts/setup.sh)"
            )));
        }
        match &self.ticketd {
            Some(t) if !t.binary.exists() => Err(NemesisError::Invalid(format!(
                "ticketd is missing at {}: build it with `cargo build -p ticketd`",
                t.binary.display()
            ))),
            _ => Ok(()),
        }
    }

    fn plan(&self, top: &Topology, root: &Path, i: usize) -> NodePlan {
        let peers: Vec<String> = (1..=top.size)
            .map(|j| format!("n{j}=http://{}:{PEER_PORT}", top.addr(j)))
            .collect();
        let name = format!("n{i}");
        let dir = root.join(&name);
        let url = format!("http://{}:{CLIENT_PORT}", top.addr(i));
        let peer_url = format!("http://{}:{PEER_PORT}", top.addr(i));
        let mut processes = vec![NodeProcess {
            role: "etcd".into(),
            argv: [
                ETCD,
                "--name",
                &name,
                "--data-dir",
                &dir.join("etcd").to_string_lossy(),
                "--listen-client-urls",
                &url,
                "--advertise-client-urls",
                &url,
                "--listen-peer-urls",
                &peer_url,
                "--initial-advertise-peer-urls",
                &peer_url,
                "--initial-cluster",
                &peers.join(","),
                "--initial-cluster-state",
                "new",
                "--initial-cluster-token",
                &top.prefix,
            ]
            .map(String::from)
            .to_vec(),
            log: dir.join("etcd.log"),
            pid: None,
        }];
        let ticketd_url = self.ticketd.as_ref().map(|t| {
            let listen = format!("{}:{TICKETD_PORT}", top.addr(i));
            let mut argv = vec![
                t.binary.to_string_lossy().into_owned(),
                "--listen".into(),
                listen.clone(),
                "--etcd".into(),
                url.clone(),
            ];
            let peers: Vec<String> = (1..=top.size)
                .filter(|j| *j != i)
                .map(|j| format!("http://{}:{TICKETD_PORT}", top.addr(j)))
                .collect();
            argv.extend(t.args.iter().map(|a| {
                a.replace("{node}", &name)
                    .replace("{peers}", &peers.join(","))
            }));
            processes.push(NodeProcess {
                role: "ticketd".into(),
                argv,
                log: dir.join("ticketd.log"),
                pid: None,
            });
            format!("http://{listen}")
        });
        NodePlan {
            processes,
            url,
            ticketd_url,
        }
    }

    fn bring_up<'a>(
        &'a self,
        state: &'a mut ClusterState,
        progress: &'a mut (dyn FnMut(&str) + Send),
    ) -> DriverFuture<'a, ()> {
        Box::pin(async move {
            let all: Vec<usize> = (1..=state.topology.size).collect();
            let client = client();
            progress("starting etcd and waiting until it is healthy");
            state
                .start_and_wait("etcd", &all, |node| {
                    let client = client.clone();
                    async move { api::healthy(&client, &node.url).await }
                })
                .await?;
            if self.ticketd.is_some() {
                progress("starting ticketd");
                state
                    .start_and_wait("ticketd", &all, |node| {
                        let request = client.get(node.ticketd_url.unwrap_or_default());
                        async move { request.send().await.is_ok() }
                    })
                    .await?;
            }
            Ok(())
        })
    }

    fn healthy<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, bool> {
        Box::pin(async move { Ok(api::healthy(&client(), &state.nodes[i - 1].url).await) })
    }

    fn leader<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        Box::pin(async move { Ok(api::leader(&client(), &state.members()).await) })
    }

    fn describe<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, String> {
        Box::pin(async move {
            let status = api::status(&client(), &state.nodes[i - 1].url).await;
            Ok(status.map_or("revision -".into(), |s| format!("revision {}", s.revision)))
        })
    }

    fn converged<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        Box::pin(async move {
            let revision = api::converged(&client(), &state.members()).await;
            Ok(revision.map(|r| format!("etcd members at revision {r}")))
        })
    }

    fn promote(&self, _state: &mut ClusterState, _from: &str) -> Result<serde_json::Value> {
        Err(NemesisError::Unsupported {
            driver: "netns",
            fault: "fail etcd over".into(),
            why: "etcd elects its own leader; isolate the leader with a partition instead".into(),
        })
    }
}
