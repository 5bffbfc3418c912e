//! Redis 7 (Debian's `redis-server` and `redis-sentinel`): a primary, replicas, and a Sentinel on
//! every node, one node per namespace. Sentinel is the failover manager: when the primary is
//! lost it promotes a replica and reconfigures the rest, the old primary included once it is back.

use crate::command::{blocking, run};
use crate::driver::DriverFuture;
use crate::error::{NemesisError, Result};
use crate::netns::cluster::{node_addr, wait_for, ClusterState, NodeProcess, NodeState};
use crate::netns::system::{NodePlan, System};
use crate::netns::topology::Topology;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The Redis server binary.
pub const REDIS: &str = "/usr/bin/redis-server";
/// The Sentinel binary.
pub const SENTINEL: &str = "/usr/bin/redis-sentinel";
/// The command-line client.
pub const CLI: &str = "/usr/bin/redis-cli";
/// Redis's port on every node.
pub const PORT: u16 = 6379;
/// Sentinel's port on every node.
pub const SENTINEL_PORT: u16 = 26379;
/// The name the Sentinels monitor the primary under.
pub const MASTER: &str = "frenzy";
/// How long the primary must be silent before a Sentinel thinks it down.
const DOWN_AFTER_MS: u64 = 1000;

/// A Redis primary and replicas watched by Sentinels.
#[derive(Debug, Clone)]
pub struct Redis;

/// Runs a redis-cli command against `addr:port` (bounded to 3 s: a paused node never answers).
pub fn cli(addr: &str, port: u16, args: &[&str]) -> Result<String> {
    let port = port.to_string();
    let mut all = vec!["3", CLI, "-h", addr, "-p", &port];
    all.extend_from_slice(args);
    let out = run("timeout", &all, None)?;
    Ok(out.trim().to_string())
}

/// The `field:value` lines of an INFO section.
fn info(addr: &str, section: &str) -> Result<BTreeMap<String, String>> {
    let out = cli(addr, PORT, &["INFO", section])?;
    Ok(out
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// The primary's address according to the Sentinel at `addr`.
fn master_of(addr: &str) -> Option<String> {
    let out = cli(
        addr,
        SENTINEL_PORT,
        &["SENTINEL", "get-master-addr-by-name", MASTER],
    )
    .ok()?;
    out.lines()
        .next()
        .map(str::to_string)
        .filter(|a| !a.is_empty())
}

/// The node most Sentinels name as primary (a majority of all nodes), as a client following
/// Sentinel would find it.
fn sentinels_master(top: &Topology) -> Option<String> {
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for i in 1..=top.size {
        if let Some(m) = master_of(&top.addr(i).to_string()) {
            *votes.entry(m).or_default() += 1;
        }
    }
    let (addr, count) = votes.into_iter().max_by_key(|(_, c)| *c)?;
    let node = (1..=top.size).find(|i| top.addr(*i).to_string() == addr)?;
    (count * 2 > top.size).then(|| format!("n{node}"))
}

/// How long a heal waits for the Sentinels to agree on the primary again.
const SETTLE_WITHIN: Duration = Duration::from_secs(30);

/// What every answering Sentinel names as primary, by node (`None`: it does not answer).
fn sentinel_views(top: &Topology) -> BTreeMap<String, Option<String>> {
    (1..=top.size)
        .map(|i| (format!("n{i}"), master_of(&top.addr(i).to_string())))
        .collect()
}

/// The node all answering Sentinels name, when they agree and a majority answers.
fn agreed(top: &Topology, views: &BTreeMap<String, Option<String>>) -> Option<String> {
    let named: Vec<&String> = views.values().flatten().collect();
    let first = named.first()?;
    let node = (1..=top.size).find(|i| top.addr(*i).to_string() == **first)?;
    (named.len() * 2 > top.size && named.iter().all(|m| m == first)).then(|| format!("n{node}"))
}

fn node_dir(root: &Path, i: usize) -> std::path::PathBuf {
    root.join(format!("n{i}"))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| NemesisError::File {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes node `i`'s redis.conf and sentinel.conf (both rewritten by Sentinel later).
fn write_configs(state: &ClusterState, i: usize) -> Result<()> {
    let top = &state.topology;
    let dir = node_dir(&state.root, i);
    let data = dir.join("redis");
    std::fs::create_dir_all(&data).map_err(|source| NemesisError::File {
        path: data.clone(),
        source,
    })?;
    let addr = top.addr(i);
    let replicaof = if i == 1 {
        String::new()
    } else {
        format!("replicaof {} {PORT}\n", top.addr(1))
    };
    write(
        &dir.join("redis.conf"),
        &format!(
            "bind {addr}\nport {PORT}\nprotected-mode no\ndaemonize no\ndir {}\nappendonly yes\n{replicaof}",
            data.display()
        ),
    )?;
    let quorum = top.size / 2 + 1;
    write(
        &dir.join("sentinel.conf"),
        &format!(
            "bind {addr}\nport {SENTINEL_PORT}\nprotected-mode no\ndaemonize no\ndir {dir}\n\
             sentinel monitor {MASTER} {primary} {PORT} {quorum}\n\
             sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n\
             sentinel failover-timeout {MASTER} 5000\n\
             sentinel parallel-syncs {MASTER} 1\n",
            dir = dir.display(),
            primary = top.addr(1),
        ),
    )
}

/// True when the Redis (or Sentinel, by `port`) at `addr` answers PING.
async fn pong(addr: String, port: u16) -> bool {
    blocking(move || Ok(cli(&addr, port, &["PING"]).is_ok_and(|o| o == "PONG")))
        .await
        .unwrap_or(false)
}

/// True when every replica's link to the primary is up and every Sentinel knows all the other
/// Sentinels and every replica.
fn ready(top: &Topology) -> bool {
    let linked = (2..=top.size).all(|i| {
        info(&top.addr(i).to_string(), "replication")
            .is_ok_and(|r| r.get("master_link_status").is_some_and(|s| s == "up"))
    });
    linked && sentinels_ready(top)
}

/// True when every Sentinel knows all the others and every replica.
fn sentinels_ready(top: &Topology) -> bool {
    let others = (top.size - 1).to_string();
    (1..=top.size).all(|i| {
        let out = cli(
            &top.addr(i).to_string(),
            SENTINEL_PORT,
            &["SENTINEL", "master", MASTER],
        )
        .unwrap_or_default();
        let fields: Vec<&str> = out.lines().collect();
        let field = |name: &str| {
            fields
                .chunks(2)
                .find(|kv| kv[0] == name)
                .and_then(|kv| kv.get(1).copied())
        };
        field("num-other-sentinels") == Some(&others) && field("num-slaves") == Some(&others)
    })
}

impl System for Redis {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn check_installed(&self) -> Result<()> {
        let missing = [
            (REDIS, "redis-server"),
            (SENTINEL, "redis-sentinel"),
            (CLI, "redis-tools"),
        ]
        .into_iter()
        .find(|(bin, _)| !Path::new(bin).exists());
        match missing {
            Some((bin, package)) => Err(NemesisError::Invalid(format!(
                "{bin} is missing: install Debian's {package} (scripts/setup.sh)"
            ))),
            None => Ok(()),
        }
    }

    fn plan(&self, top: &Topology, root: &Path, i: usize) -> NodePlan {
        let dir = node_dir(root, i);
        let process = |role: &str, bin: &str, conf: &str| NodeProcess {
            role: role.into(),
            argv: vec![bin.into(), dir.join(conf).to_string_lossy().into_owned()],
            log: dir.join(format!("{role}.log")),
            pid: None,
        };
        NodePlan {
            processes: vec![
                process("redis", REDIS, "redis.conf"),
                process("sentinel", SENTINEL, "sentinel.conf"),
            ],
            url: format!("redis://{}:{PORT}", top.addr(i)),
            ticketd_url: None,
        }
    }

    fn bring_up<'a>(
        &'a self,
        state: &'a mut ClusterState,
        progress: &'a mut (dyn FnMut(&str) + Send),
    ) -> DriverFuture<'a, ()> {
        Box::pin(async move {
            for i in 1..=state.topology.size {
                write_configs(state, i)?;
            }
            let all: Vec<usize> = (1..=state.topology.size).collect();
            let top = state.topology.clone();
            progress("starting redis");
            let redis = |node: NodeState| pong(node_addr(&top, &node.name), PORT);
            state.start_and_wait("redis", &all, redis).await?;
            progress("starting sentinels");
            let sentinel = |node: NodeState| pong(node_addr(&top, &node.name), SENTINEL_PORT);
            state.start_and_wait("sentinel", &all, sentinel).await?;
            progress("waiting until the replicas are linked and the sentinels know everyone");
            let known = top.clone();
            wait_for(
                Duration::from_secs(30),
                "replicas linked, sentinels discovering the cluster",
                move || known.size == 1 || ready(&known),
            )
            .await
        })
    }

    fn healthy<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, bool> {
        let addr = state.topology.addr(i).to_string();
        Box::pin(
            async move { Ok(pong(addr.clone(), PORT).await && pong(addr, SENTINEL_PORT).await) },
        )
    }

    fn leader<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        let top = state.topology.clone();
        Box::pin(async move { blocking(move || Ok(sentinels_master(&top))).await })
    }

    fn describe<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, String> {
        let addr = state.topology.addr(i).to_string();
        Box::pin(async move {
            blocking(move || {
                let Ok(repl) = info(&addr, "replication") else {
                    return Ok("not answering".into());
                };
                let get = |k: &str| repl.get(k).cloned().unwrap_or_default();
                Ok(match get("role").as_str() {
                    "master" => format!("master, offset {}", get("master_repl_offset")),
                    _ => format!(
                        "replica of {}, link {}, offset {}",
                        get("master_host"),
                        get("master_link_status"),
                        get("slave_repl_offset")
                    ),
                })
            })
            .await
        })
    }

    fn converged<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        let top = state.topology.clone();
        Box::pin(async move {
            blocking(move || {
                let Some(master) = sentinels_master(&top) else {
                    return Ok(None);
                };
                let mut infos = Vec::new();
                for i in 1..=top.size {
                    match info(&top.addr(i).to_string(), "replication") {
                        Ok(r) => infos.push((format!("n{i}"), r)),
                        Err(_) => return Ok(None),
                    }
                }
                let get =
                    |r: &BTreeMap<String, String>, k: &str| r.get(k).cloned().unwrap_or_default();
                let masters: Vec<&String> = infos
                    .iter()
                    .filter(|(_, r)| get(r, "role") == "master")
                    .map(|(n, _)| n)
                    .collect();
                if masters != [&master] {
                    return Ok(None);
                }
                let offset = infos
                    .iter()
                    .find(|(n, _)| *n == master)
                    .map(|(_, r)| get(r, "master_repl_offset"))
                    .unwrap_or_default();
                let caught_up = infos.iter().filter(|(n, _)| *n != master).all(|(_, r)| {
                    get(r, "master_link_status") == "up" && get(r, "slave_repl_offset") == offset
                });
                Ok(caught_up.then(|| {
                    format!("{master} is the one master, every replica is at its offset {offset}")
                }))
            })
            .await
        })
    }

    fn settle<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, serde_json::Value> {
        // A Sentinel that was cut off learns the new configuration from the others' hello
        // messages (every 2 s); until then, clients asking it first still go to the old primary.
        let top = state.topology.clone();
        Box::pin(async move {
            blocking(move || {
                let started = std::time::Instant::now();
                loop {
                    let views = sentinel_views(&top);
                    if let Some(primary) = agreed(&top, &views) {
                        let after_ms = started.elapsed().as_millis() as u64;
                        return Ok(json!({ "sentinels_agree_on": primary, "after_ms": after_ms }));
                    }
                    if started.elapsed() > SETTLE_WITHIN {
                        return Ok(json!({ "sentinels_disagree": views }));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
            .await
        })
    }

    fn promote(&self, state: &mut ClusterState, from: &str) -> Result<serde_json::Value> {
        // Sentinel is the failover manager here: wait until a majority names a new primary.
        let top = state.topology.clone();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(to) = sentinels_master(&top).filter(|m| m != from) {
                return Ok(json!({ "promoted": to, "by": "sentinel" }));
            }
            if std::time::Instant::now() > deadline {
                return Err(NemesisError::Timeout(format!(
                    "the sentinels did not promote a replica of {from} within 30 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
