//! Throwaway etcd clusters on loopback, for tests and demos (not used by the ticketd server).
//!
//! [`LocalEtcd::start`] runs N members of the system's `etcd` (Debian `etcd-server`, 3.4; or the
//! binary named by `FRENZY_ETCD`) on free loopback ports in a fresh temp dir, and waits until they
//! have a leader. Peer (Raft) traffic runs through [`Proxy`]s, so a member can be cut off with
//! [`LocalEtcd::isolate`] without root. Dropping the cluster kills the members and deletes the dir,
//! also when a test fails.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

use crate::loopback_proxy::Proxy;

/// How long to wait for a new cluster to elect a leader.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times to start over when a member could not bind its port (another process took it).
const START_ATTEMPTS: u32 = 3;

/// Why a local cluster could not be started or controlled.
#[derive(Debug, thiserror::Error)]
pub enum LocalEtcdError {
    /// etcd is not installed.
    #[error("cannot run {binary:?}: {source}; install etcd (scripts/setup.sh installs Debian's etcd-server) or set FRENZY_ETCD")]
    NotInstalled {
        /// The binary tried.
        binary: String,
        /// The spawn error.
        source: std::io::Error,
    },
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The cluster did not become ready.
    #[error("the local etcd cluster in {dir} was not ready within {waited_s} s: {reason}")]
    NotReady {
        /// The cluster's temp dir (its member logs are in it until the cluster is dropped).
        dir: String,
        /// How long it waited.
        waited_s: u64,
        /// What was last seen.
        reason: String,
    },
    /// A member index out of range.
    #[error("the cluster has no member {0}")]
    NoMember(usize),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> LocalEtcdError {
    let what = what.into();
    move |source| LocalEtcdError::Io { what, source }
}

/// One member.
#[derive(Debug)]
struct Member {
    client_url: String,
    child: Child,
    peer_proxy: Proxy,
    raft_id: String,
}

/// A running local etcd cluster; dropping it kills the members and removes their data.
#[derive(Debug)]
pub struct LocalEtcd {
    dir: PathBuf,
    members: Vec<Member>,
}

/// A free loopback port (bound, read, released; etcd binds it right after).
fn free_port() -> Result<u16, LocalEtcdError> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").map_err(io("binding a free port"))?;
    Ok(socket
        .local_addr()
        .map_err(io("reading a free port"))?
        .port())
}

/// Removes the dirs of clusters whose process died without dropping them (killed by a timeout).
fn remove_orphaned_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let owner = name
            .strip_prefix("frenzy-etcd-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if owner.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A temp dir unique to this process and call.
fn fresh_dir() -> PathBuf {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "frenzy-etcd-{}-{}-{nanos}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ))
}

/// POSTs to a member's JSON gateway; None when it does not answer well.
async fn gateway_post(http: &reqwest::Client, url: &str, path: &str) -> Option<Value> {
    let reply = http
        .post(format!("{url}{path}"))
        .json(&json!({}))
        .send()
        .await
        .ok()?;
    if !reply.status().is_success() {
        return None;
    }
    reply.json().await.ok()
}

/// A uint64 the gateway sends as a decimal string.
fn id_of(value: &Value) -> Option<u64> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| value.as_u64())
}

impl LocalEtcd {
    /// Starts a cluster of `size` members and waits until it has a leader.
    pub async fn start(size: usize) -> Result<LocalEtcd, LocalEtcdError> {
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(size).await {
                Ok(cluster) => return Ok(cluster),
                Err(e @ LocalEtcdError::NotReady { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(LocalEtcdError::NoMember(0)))
    }

    async fn start_once(size: usize) -> Result<LocalEtcd, LocalEtcdError> {
        let binary = std::env::var("FRENZY_ETCD").unwrap_or_else(|_| "etcd".to_string());
        remove_orphaned_dirs();
        let dir = fresh_dir();
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        let mut cluster = LocalEtcd {
            dir,
            members: Vec::new(),
        };
        let mut ports = Vec::new();
        let mut proxies = Vec::new();
        for _ in 0..size {
            let (client, peer) = (free_port()?, free_port()?);
            let target = SocketAddr::from(([127, 0, 0, 1], peer));
            let proxy = Proxy::start_http(target, "X-Server-From")
                .await
                .map_err(io("starting a peer proxy"))?;
            ports.push((client, peer));
            proxies.push(proxy);
        }
        let initial: Vec<String> = proxies
            .iter()
            .enumerate()
            .map(|(i, p)| format!("m{i}={}", p.url()))
            .collect();
        let token = cluster
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (i, ((client, peer), proxy)) in ports.into_iter().zip(proxies).enumerate() {
            let log_path = cluster.dir.join(format!("m{i}.log"));
            let log = std::fs::File::create(&log_path).map_err(io("creating a member log"))?;
            let log_err = log.try_clone().map_err(io("opening a member log"))?;
            let client_url = format!("http://127.0.0.1:{client}");
            let child = Command::new(&binary)
                .args(["--name", &format!("m{i}")])
                .arg("--data-dir")
                .arg(cluster.dir.join(format!("m{i}.etcd")))
                .args(["--listen-client-urls", &client_url])
                .args(["--advertise-client-urls", &client_url])
                .args(["--listen-peer-urls", &format!("http://127.0.0.1:{peer}")])
                .args(["--initial-advertise-peer-urls", &proxy.url()])
                .args(["--initial-cluster", &initial.join(",")])
                .args(["--initial-cluster-token", &token])
                .args(["--initial-cluster-state", "new"])
                .args(["--heartbeat-interval", "100", "--election-timeout", "1500"])
                .arg("--pre-vote")
                .args(["--logger", "zap", "--log-level", "warn"])
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                .spawn()
                .map_err(|source| LocalEtcdError::NotInstalled {
                    binary: binary.clone(),
                    source,
                })?;
            cluster.members.push(Member {
                client_url,
                child,
                peer_proxy: proxy,
                raft_id: String::new(),
            });
        }
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    /// Waits until every member answers with the same leader, then learns the members' Raft ids.
    async fn wait_ready(&mut self) -> Result<(), LocalEtcdError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| self.not_ready(e.to_string()))?;
        let started = std::time::Instant::now();
        loop {
            for (i, member) in self.members.iter_mut().enumerate() {
                if let Ok(Some(status)) = member.child.try_wait() {
                    return Err(self.not_ready(format!("member m{i} exited with {status}")));
                }
            }
            if let Some(ids) = self.member_ids(&http).await {
                if self.leader_with(&http).await.is_some() {
                    for (member, id) in self.members.iter_mut().zip(ids) {
                        member.raft_id = id;
                    }
                    return Ok(());
                }
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(self.not_ready("no leader elected".into()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn not_ready(&self, reason: String) -> LocalEtcdError {
        LocalEtcdError::NotReady {
            dir: self.dir.display().to_string(),
            waited_s: READY_TIMEOUT.as_secs(),
            reason,
        }
    }

    /// The members' Raft ids in hex (as peers name themselves in `X-Server-From`), in member order.
    async fn member_ids(&self, http: &reqwest::Client) -> Option<Vec<String>> {
        let list =
            gateway_post(http, &self.members[0].client_url, "/v3/cluster/member/list").await?;
        let members = list.get("members")?.as_array()?;
        (0..self.members.len())
            .map(|i| {
                let name = format!("m{i}");
                let found = members
                    .iter()
                    .find(|m| m.get("name").and_then(Value::as_str) == Some(name.as_str()))?;
                Some(format!("{:x}", id_of(found.get("ID")?)?))
            })
            .collect()
    }

    /// The Raft id (hex) of the member every member names as leader, if they agree on one.
    async fn leader_with(&self, http: &reqwest::Client) -> Option<String> {
        let mut leader: Option<String> = None;
        for member in &self.members {
            let status = gateway_post(http, &member.client_url, "/v3/maintenance/status").await?;
            let id = format!("{:x}", id_of(status.get("leader")?)?);
            if leader.as_ref().is_some_and(|l| *l != id) || id == "0" {
                return None;
            }
            leader = Some(id);
        }
        leader
    }

    /// The index of the current leader, when all members agree on one.
    pub async fn leader(&self) -> Option<usize> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .ok()?;
        let leader = self.leader_with(&http).await?;
        self.members.iter().position(|m| m.raft_id == leader)
    }

    /// How many members the cluster has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the cluster has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The client URL of member `i` (`http://127.0.0.1:port`).
    pub fn client_url(&self, i: usize) -> Result<&str, LocalEtcdError> {
        Ok(&self.member(i)?.client_url)
    }

    /// The client URLs of all members.
    pub fn client_urls(&self) -> Vec<String> {
        self.members.iter().map(|m| m.client_url.clone()).collect()
    }

    /// The process id of member `i`.
    pub fn pid(&self, i: usize) -> Result<u32, LocalEtcdError> {
        Ok(self.member(i)?.child.id())
    }

    fn member(&self, i: usize) -> Result<&Member, LocalEtcdError> {
        self.members.get(i).ok_or(LocalEtcdError::NoMember(i))
    }

    /// Pauses member `i` (SIGSTOP).
    pub fn pause(&self, i: usize) -> Result<(), LocalEtcdError> {
        self.signal(i, "-STOP")
    }

    /// Resumes a paused member `i` (SIGCONT).
    pub fn resume(&self, i: usize) -> Result<(), LocalEtcdError> {
        self.signal(i, "-CONT")
    }

    fn signal(&self, i: usize, signal: &str) -> Result<(), LocalEtcdError> {
        let pid = self.pid(i)?.to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .map_err(io(format!("running kill {signal} {pid}")))?;
        match status.success() {
            true => Ok(()),
            false => Err(LocalEtcdError::Io {
                what: format!("kill {signal} {pid}"),
                source: std::io::Error::other(status.to_string()),
            }),
        }
    }

    /// Cuts member `i` off from the other members' Raft traffic, both ways; it keeps serving its
    /// clients (serializable reads from it go stale, linearizable ones and writes stall).
    pub fn isolate(&self, i: usize) -> Result<(), LocalEtcdError> {
        let isolated = self.member(i)?;
        isolated.peer_proxy.cut();
        for member in &self.members {
            member.peer_proxy.cut_sender(&isolated.raft_id);
        }
        Ok(())
    }

    /// Undoes every [`LocalEtcd::isolate`].
    pub fn heal(&self) {
        for member in &self.members {
            member.peer_proxy.heal();
        }
    }
}

impl Drop for LocalEtcd {
    fn drop(&mut self) {
        for member in &mut self.members {
            let _ = member.child.kill();
            let _ = member.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
