//! The flags of `frenzy test`, and the run plan they describe once checked.

use super::faults::{cluster_nodes, node_names, Cluster, FaultPlan};
use crate::exit::user_error;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use workloads::access::{Access, Auth, TlsFiles};
use workloads::tickets::{parse_qty, Mix, TicketsConfig};

/// Which workload drives the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadKind {
    /// Users placing, releasing and confirming holds over the ticket HTTP contract.
    Tickets,
    /// Per-key registers with read and write, on etcd's JSON gateway.
    Register,
    /// Per-key registers with read, write and compare-and-set, on etcd's JSON gateway.
    CasRegister,
    /// Porcupine's string key-value store (get, put, append), on etcd's JSON gateway.
    Kv,
}

impl WorkloadKind {
    /// The workload's name, also the default test name and the checker model's name.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Tickets => "tickets",
            WorkloadKind::Register => "register",
            WorkloadKind::CasRegister => "cas-register",
            WorkloadKind::Kv => "kv",
        }
    }
}

/// How etcd reads are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reads {
    /// Through the Raft leader: never stale.
    Linearizable,
    /// By the member alone: fast, possibly stale.
    Serializable,
}

/// `frenzy test`: run a workload against live nodes, record, check, report.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The workload.
    #[arg(long, value_enum)]
    pub workload: WorkloadKind,
    /// A node's base URL (http://HOST:PORT); repeat for several nodes. Each process sticks to one.
    /// Taken from the cluster when absent and --cluster is given.
    #[arg(long = "node", value_name = "URL")]
    pub nodes: Vec<String>,
    /// Faults to inject during the main phase, e.g. partition,kill,pause,latency,loss.
    #[arg(long, value_name = "KINDS")]
    pub nemesis: Option<String>,
    /// Mean seconds a fault lasts, and the quiet time after it (jittered).
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    pub nemesis_interval: f64,
    /// The `frenzy cluster up` cluster to test and fault: its state folder (DIR/PREFIX).
    #[arg(long, value_name = "DIR", conflicts_with = "ssh")]
    pub cluster: Option<PathBuf>,
    /// A live cluster to fault over ssh, described by this TOML file.
    #[arg(long, value_name = "FILE")]
    pub ssh: Option<PathBuf>,
    /// Logical processes, each with at most one operation in flight (1 to 512).
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
    /// Target operations per second over all processes (jittered); unlimited when absent.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds the workload runs, warm-up included.
    #[arg(long, default_value_t = 10.0, value_name = "S")]
    pub time_limit: f64,
    /// Seconds of warm-up before faults start.
    #[arg(long, default_value_t = 1.0, value_name = "S")]
    pub warmup: f64,
    /// Seconds to wait after healing, before the final reads.
    #[arg(long, default_value_t = 2.0, value_name = "S")]
    pub quiesce: f64,
    /// Seconds after which an operation is recorded as unknown (info).
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    pub op_timeout: f64,
    /// Seed of every random choice (printed in the summary); random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The run store.
    #[arg(long, default_value = "store", value_name = "DIR")]
    pub store: PathBuf,
    /// The test's name in the store; the workload's name when absent.
    #[arg(long)]
    pub test_name: Option<String>,
    /// Tickets: number of events.
    #[arg(long, default_value_t = 3)]
    pub events: usize,
    /// Tickets: seats per event.
    #[arg(long, default_value_t = 20)]
    pub capacity: u64,
    /// Tickets: number of users (worker i acts as user i mod users); one per worker when absent.
    #[arg(long)]
    pub users: Option<usize>,
    /// Tickets: seats per hold as qty:weight pairs.
    #[arg(long, default_value = "1:6,2:3,3:1", value_name = "QTY:W,...")]
    pub qty: String,
    /// Tickets: the operation mix as f:weight pairs.
    #[arg(
        long,
        default_value = "place_hold:4,release:2,confirm:1,read_inventory:1,list_holds:2"
    )]
    pub mix: String,
    /// Tickets: "last seats" mode: one event with only this many seats, nobody releases.
    #[arg(long, value_name = "SEATS")]
    pub last_seats: Option<u64>,
    /// Tickets: send each user's highest seen seq as min_seq when listing holds (read-your-writes).
    #[arg(long)]
    pub min_seq: bool,
    /// Tickets: the service's hold TTL in seconds, so the model lets holds expire.
    #[arg(long, value_name = "S")]
    pub hold_ttl: Option<f64>,
    /// cas-register and kv: how etcd serves reads.
    #[arg(long, value_enum, default_value = "linearizable")]
    pub reads: Reads,
    /// cas-register and kv: operations per key before moving to a fresh key.
    #[arg(long, default_value_t = 100)]
    pub ops_per_key: u64,
    /// Seconds the linearizability search may take before answering unknown.
    #[arg(long, value_name = "S")]
    pub check_time_limit: Option<f64>,
    /// CA certificate(s) (PEM) to verify https nodes with, instead of the system's roots.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Client certificate (PEM), for servers that require one (etcd's --client-cert-auth).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Do not verify the nodes' certificates (a test cluster with self-made certificates).
    #[arg(long)]
    pub insecure: bool,
    /// User for etcd's user/password auth (also passed to an adapter).
    #[arg(long, requires = "password")]
    pub user: Option<String>,
    /// Password of --user.
    #[arg(long, requires = "user")]
    pub password: Option<String>,
    /// Bearer token for HTTP services (also passed to an adapter).
    #[arg(long)]
    pub token: Option<String>,
    /// Drive the system through this adapter program ("PROGRAM ARGS", no shell) over the
    /// JSON-lines adapter protocol (docs/adapters.md) instead of a built-in client.
    #[arg(long, value_name = "COMMAND")]
    pub adapter: Option<String>,
    /// An option passed to the adapter in its hello, as key=value; repeat for several.
    #[arg(long = "adapter-opt", value_name = "KEY=VALUE", requires = "adapter")]
    pub adapter_opts: Vec<String>,
    /// The prefix of event names, request ids and keys; unique per run when absent, so runs
    /// against a long-lived system never collide (the demo, which starts fresh services, sets it).
    #[arg(long, hide = true)]
    pub run_tag: Option<String>,
}

/// A checked plan of the run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The workload.
    pub workload: WorkloadKind,
    /// The nodes, as given.
    pub nodes: Vec<String>,
    /// A short name for each node (`n2`, `europe`), for the report's lanes.
    pub node_names: Vec<String>,
    /// Phases and pace.
    pub phases: workloads::Phases,
    /// The cluster given with --cluster or --ssh (the default local cluster when --nemesis names none).
    pub cluster: Option<Cluster>,
    /// The faults of the main phase, when --nemesis was given.
    pub faults: Option<FaultPlan>,
    /// The tickets workload's configuration (also set, unused, for other workloads).
    pub tickets: TicketsConfig,
    /// Serializable etcd reads.
    pub serializable: bool,
    /// Operations per key of the etcd workloads.
    pub ops_per_key: u64,
    /// The store folder.
    pub store: PathBuf,
    /// The test's name.
    pub test_name: String,
    /// Unique to this run: prefixes event names, request ids and keys.
    pub run_tag: String,
    /// The model's hold TTL.
    pub hold_ttl: Option<Duration>,
    /// The search's time budget.
    pub check_time_limit: Option<Duration>,
    /// The adapter to drive the system through, instead of a built-in client.
    pub adapter: Option<AdapterPlan>,
    /// TLS files and credentials.
    pub access: Access,
}

/// `--adapter` and its `--adapter-opt`s.
#[derive(Debug, Clone)]
pub struct AdapterPlan {
    /// The command line.
    pub command: String,
    /// The options, for the hello.
    pub options: serde_json::Map<String, serde_json::Value>,
}

impl AdapterPlan {
    /// Parses `--adapter-opt key=value` pairs; a later key replaces an earlier one.
    fn parse(command: &str, options: &[String]) -> anyhow::Result<AdapterPlan> {
        let options = options
            .iter()
            .map(|o| match o.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.into())),
                _ => Err(user_error(format!(
                    "--adapter-opt {o:?} is not key=value; give e.g. --adapter-opt reads=serializable"
                ))),
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(AdapterPlan {
            command: command.to_owned(),
            options,
        })
    }
}

/// The most logical processes a run may have. Each may hold an open connection, so 512 stays well
/// under the usual limit of 1024 open files with room for the history, logs and proxies; and the
/// linearizability search slows with every operation in flight at once, so a history with
/// thousands of concurrent operations would rarely be decided anyway.
pub const MAX_CONCURRENCY: usize = 512;

/// The most tickets users a run may have: each is a name and a state in memory from the start,
/// and a run of at most 512 processes acts as far fewer (the final reads follow those that acted).
pub const MAX_USERS: usize = 1_000_000;

/// The most tickets events a run may have: each is created on every node before the run starts
/// and its inventory and log are read on every node in the final phase.
pub const MAX_EVENTS: usize = 1_000;

/// The longest duration a flag may give (about 11.6 days): longer than any run or check, and short
/// enough that every deadline computed from it stays a valid time.
const MAX_SECONDS: f64 = 1_000_000.0;

/// Where `frenzy cluster up` keeps its cluster by default.
const DEFAULT_CLUSTER: &str = "/run/frenzy/frenzy";

/// Seconds from a flag, which must be finite, not negative (positive when `positive`) and at most
/// [`MAX_SECONDS`].
pub fn seconds(flag: &str, value: f64, positive: bool) -> anyhow::Result<Duration> {
    if value.is_finite() && value > MAX_SECONDS {
        return Err(user_error(format!(
            "--{flag} {value} is too long: give at most {MAX_SECONDS} seconds"
        )));
    }
    let ok = value.is_finite() && value >= 0.0 && (!positive || value > 0.0);
    if !ok {
        let what = if positive {
            "a positive"
        } else {
            "a non-negative"
        };
        return Err(user_error(format!(
            "--{flag} must be {what} number of seconds, got {value}"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

impl TestArgs {
    /// Checks the flags and turns them into a plan; every problem is one clear user error.
    pub fn plan(&self) -> anyhow::Result<Plan> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(user_error(format!(
                "--concurrency {} is out of range: use 1 to {MAX_CONCURRENCY} (each process may \
                 hold a connection, and the checker's search grows with the operations in flight)",
                self.concurrency
            )));
        }
        if let Some(rate) = self.rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
            return Err(user_error(format!(
                "--rate must be a positive number of operations per second, got {rate}"
            )));
        }
        let cluster = match (&self.cluster, &self.ssh) {
            (Some(dir), _) => Some(Cluster::Netns(dir.clone())),
            (None, Some(file)) => Some(Cluster::Ssh(file.clone())),
            (None, None) => None,
        };
        let nodes = match (&cluster, self.nodes.is_empty()) {
            (_, false) => self.nodes.clone(),
            (Some(Cluster::Netns(dir)), true) => cluster_nodes(dir)?,
            _ => {
                return Err(user_error(
                    "give the nodes to test with --node URL (repeat it), or --cluster DIR",
                ))
            }
        };
        let faults = self
            .nemesis
            .as_deref()
            .map(|kinds| {
                let interval = seconds("nemesis-interval", self.nemesis_interval, true)?;
                FaultPlan::parse(kinds, interval)
            })
            .transpose()?;
        // Faults without a named cluster act on the default `frenzy cluster up` cluster.
        let cluster = match (cluster, &faults) {
            (None, Some(_)) => Some(Cluster::Netns(PathBuf::from(DEFAULT_CLUSTER))),
            (cluster, _) => cluster,
        };
        let time_limit = seconds("time-limit", self.time_limit, true)?;
        let warmup = seconds("warmup", self.warmup, false)?.min(time_limit / 2);
        let seed = self.seed.unwrap_or_else(random_seed);
        let phases = workloads::Phases {
            concurrency: self.concurrency,
            nodes: nodes.len(),
            rate: self.rate,
            warmup,
            main: time_limit - warmup,
            quiesce: seconds("quiesce", self.quiesce, false)?,
            op_timeout: seconds("op-timeout", self.op_timeout, true)?,
            seed,
        };
        let test_name = self
            .test_name
            .clone()
            .unwrap_or_else(|| self.workload.name().to_owned());
        let run_tag = self
            .run_tag
            .clone()
            .unwrap_or_else(|| format!("{test_name}-{seed:x}-{}", std::process::id()));
        let bad = |flag: &str, e: String| user_error(format!("--{flag}: {e}"));
        let mut tickets = TicketsConfig::new(run_tag.clone());
        tickets.events = self.events;
        tickets.capacity = self.capacity;
        tickets.users = self.users.unwrap_or(self.concurrency);
        tickets.qty = parse_qty(&self.qty).map_err(|e| bad("qty", e))?;
        tickets.mix = Mix::parse(&self.mix).map_err(|e| bad("mix", e))?;
        tickets.min_seq = self.min_seq;
        let hold_ttl = self
            .hold_ttl
            .map(|s| seconds("hold-ttl", s, true))
            .transpose()?;
        tickets.hold_ttl = hold_ttl;
        if let Some(seats) = self.last_seats {
            tickets = tickets.last_seats(seats);
        }
        if tickets.events == 0 || tickets.users == 0 || tickets.capacity == 0 {
            return Err(user_error(
                "--events, --users and --capacity (or --last-seats) must be at least 1",
            ));
        }
        for (flag, value, max, why) in [
            (
                "users",
                tickets.users,
                MAX_USERS,
                "each is kept in memory from the start",
            ),
            (
                "events",
                tickets.events,
                MAX_EVENTS,
                "each is created and read on every node",
            ),
        ] {
            if value > max {
                return Err(user_error(format!(
                    "--{flag} {value} is out of range: use 1 to {max} ({why})"
                )));
            }
        }
        Ok(Plan {
            workload: self.workload,
            node_names: node_names(cluster.as_ref(), &nodes),
            nodes,
            cluster,
            faults,
            phases,
            tickets,
            serializable: self.reads == Reads::Serializable,
            ops_per_key: self.ops_per_key,
            store: self.store.clone(),
            test_name,
            run_tag,
            hold_ttl,
            check_time_limit: self
                .check_time_limit
                .map(|s| seconds("check-time-limit", s, true))
                .transpose()?,
            adapter: self
                .adapter
                .as_deref()
                .map(|command| AdapterPlan::parse(command, &self.adapter_opts))
                .transpose()?,
            access: Access {
                tls: TlsFiles {
                    cacert: self.cacert.clone(),
                    cert: self.cert.clone(),
                    key: self.key.clone(),
                    insecure: self.insecure,
                },
                auth: Auth {
                    user: self.user.clone(),
                    password: self.password.clone(),
                    token: self.token.clone(),
                },
            },
        })
    }
}

/// A seed from the clock, for runs that did not ask for one.
fn random_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
