//! Shared test plumbing: unique names, guards that always clean up, sockets inside namespaces,
//! and a few etcd requests.

use base64::Engine;
use nemesis::netns::cluster::{self, ClusterSpec, ClusterState};
use nemesis::netns::{NetnsDriver, SystemSpec, Topology};
use nemesis::schedule::apply;
use nemesis::Fault;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A topology whose names and subnet are unique to this process and test (`id` < 100).
pub fn topology(id: u8, size: usize) -> Topology {
    let pid = std::process::id();
    let prefix = format!("fz{:04x}{id}", pid & 0xffff);
    Topology::new(&prefix, [100 + id, (pid % 251) as u8], size).unwrap_or_else(|e| panic!("{e}"))
}

/// A scratch directory for one test, removed by the guards.
pub fn scratch(top: &Topology) -> PathBuf {
    std::env::temp_dir().join(format!("frenzy-nemesis-{}", top.prefix))
}

/// Namespaces (and whatever runs in them) that are removed when dropped.
pub struct Namespaces(pub Topology);

impl Namespaces {
    /// Creates the topology's namespaces and bridge.
    pub fn create(top: Topology) -> Self {
        assert!(
            cluster::is_root(),
            "these tests need root (network namespaces)"
        );
        let _ = top.destroy();
        top.create()
            .unwrap_or_else(|e| panic!("creating namespaces: {e}"));
        let _ = std::fs::create_dir_all(scratch(&top));
        Self(top)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        let _ = self.0.destroy();
        let _ = std::fs::remove_dir_all(scratch(&self.0));
    }
}

/// A running local etcd cluster, taken down when dropped.
pub struct Cluster(pub ClusterState);

impl Cluster {
    /// Brings up an etcd cluster of `size` nodes for test `id`.
    pub async fn up(id: u8, size: usize) -> Self {
        Self::up_system(id, size, SystemSpec::default()).await
    }

    /// Brings up a cluster of `size` nodes running `system` for test `id`.
    pub async fn up_system(id: u8, size: usize, system: SystemSpec) -> Self {
        let top = topology(id, size);
        let spec = ClusterSpec {
            root: scratch(&top),
            topology: top,
            system,
        };
        let state = cluster::up(&spec, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("cluster up: {e}"));
        Self(state)
    }

    /// The etcd client URL of node `name`.
    pub fn url(&self, name: &str) -> String {
        let node = self.0.nodes.iter().find(|n| n.name == name);
        node.map(|n| n.url.clone()).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = cluster::down(&self.0);
    }
}

/// Runs `f` on a thread that entered network namespace `ns` (sockets it makes stay there).
pub fn in_namespace<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // SAFETY: setns on a valid namespace fd only changes this thread's network namespace.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns into {path} failed");
        f()
    })
    .join()
    .unwrap_or_else(|_| panic!("thread in {ns} panicked"))
}

/// A listening socket inside namespace `ns` on `addr` (connections complete in its backlog).
pub fn listen_in(ns: &str, addr: SocketAddr) -> TcpListener {
    in_namespace(ns, move || {
        TcpListener::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"))
    })
}

/// True when a TCP connection from namespace `ns` to `addr` completes within 500 ms.
pub fn connects_from(ns: &str, addr: SocketAddr) -> bool {
    in_namespace(ns, move || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
    })
}

/// An HTTP client for the test's nodes (no proxy from the environment).
pub fn http(timeout: Duration) -> reqwest::Client {
    nemesis::etcd::client(timeout)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Puts `key = value` through the member at `url`; Ok when etcd acknowledged it.
pub async fn put(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    value: &str,
) -> Result<(), String> {
    let body = serde_json::json!({ "key": b64(key), "value": b64(value) });
    let resp = client
        .post(format!("{url}/v3/kv/put"))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    if status.is_success() && !text.contains("\"error\"") {
        Ok(())
    } else {
        Err(format!("{status}: {text}"))
    }
}

/// Reads `key` from the member at `url` without a quorum (its local copy); None when absent.
pub async fn local_get(client: &reqwest::Client, url: &str, key: &str) -> Option<String> {
    let body = serde_json::json!({ "key": b64(key), "serializable": true });
    let resp = client
        .post(format!("{url}/v3/kv/range"))
        .json(&body)
        .send()
        .await
        .ok()?;
    let v: serde_json::Value = resp.json().await.ok()?;
    let raw = v["kvs"][0]["value"].as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
    String::from_utf8(bytes).ok()
}

/// Polls `check` every 100 ms until it holds or `limit` passes; returns how long it took.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    start.elapsed()
}

/// A failover of n1 under way in the background.
pub struct FailoverOfN1(tokio::task::JoinHandle<nemesis::Result<serde_json::Value>>);

impl FailoverOfN1 {
    /// Starts failing n1 over (after `grace_ms` cut off) and returns once the cut is in place
    /// on every node, with the fault to undo later.
    pub async fn start(cluster: &Cluster, driver: &NetnsDriver, grace_ms: u64) -> (Fault, Self) {
        let fault = Fault::Failover {
            from: "n1".into(),
            grace_ms,
        };
        let task = {
            let (driver, fault) = (driver.clone(), fault.clone());
            tokio::spawn(async move { apply(&driver, &fault).await })
        };
        wait_for_rules(cluster).await;
        (fault, Self(task))
    }

    /// Waits for the promotion; the node promoted, which must not be n1.
    pub async fn promoted(self) -> String {
        let done = self
            .0
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("failover: {e}"));
        let promoted = done["failover"]["promoted"].as_str().unwrap_or_default();
        assert!(promoted == "n2" || promoted == "n3", "{done}");
        promoted.to_string()
    }
}

/// Waits (up to 10 s) until every namespace of `cluster` has Frenzy's partition rules in place.
async fn wait_for_rules(cluster: &Cluster) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for node in &cluster.0.nodes {
        let ns = &node.namespace;
        loop {
            let listed = std::process::Command::new("ip")
                .args([
                    "netns", "exec", ns, "nft", "list", "table", "inet", "frenzy",
                ])
                .output()
                .is_ok_and(|o| {
                    o.status.success() && String::from_utf8_lossy(&o.stdout).contains("drop")
                });
            if listed {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no partition rules in {ns} within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether process `pid` is stopped (state `T`). A signal lands when the process next runs, not
/// when `kill` returns: wait for it with [`eventually`].
pub fn stopped(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, r)| r.trim_start().chars().next());
    state == Some('T')
}
