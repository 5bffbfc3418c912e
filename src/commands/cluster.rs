//! `frenzy cluster up|status|heal|down`: local clusters in network namespaces, of etcd (and
//! ticketd), PostgreSQL or Redis.

use crate::commands::peer_secret;
use crate::exit::user_error;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use nemesis::netns::cluster::{self, ClusterSpec, ClusterState};
use nemesis::netns::{health, marker};
use nemesis::netns::{NetnsDriver, SystemSpec, TicketdSpec, Topology};
use nemesis::{Driver, NemesisError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Arguments of `frenzy cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Build one network namespace per node on a bridge, start the nodes, wait until healthy.
    Up(UpArgs),
    /// Show each node: namespace, processes, health, position (revision, LSN, offset), leader.
    Status(Where),
    /// Remove every partition, resume paused nodes, restart dead ones; wait until the nodes converge.
    Heal(Where),
    /// Kill every process and remove the namespaces, links, rules and data.
    Down(Where),
}

/// Which cluster: its name prefix and the folder holding its state.
#[derive(Debug, Args)]
struct Where {
    /// Prefix of the namespaces and links (1 to 9 lowercase letters or digits).
    #[arg(long, default_value = "frenzy")]
    prefix: String,
    /// Folder for the cluster's state, data dirs and logs (one subfolder per prefix).
    #[arg(long, default_value = "/run/frenzy")]
    dir: PathBuf,
}

impl Where {
    fn root(&self) -> PathBuf {
        self.dir.join(&self.prefix)
    }
}

#[derive(Debug, Args)]
struct UpArgs {
    #[command(flatten)]
    at: Where,
    /// What runs on each node.
    #[arg(long, value_enum, default_value = "etcd")]
    system: System,
    /// Number of nodes.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// With --system postgres: synchronous replication (every commit waits for one standby).
    #[arg(long)]
    pg_sync: bool,
    /// With --system ticketd: the design ticketd serves.
    #[arg(long, value_enum, default_value = "etcd")]
    ticketd_mode: TicketdMode,
    /// The nodes' subnet, `10.A.B.0/24` (node i gets 10.A.B.i, the host 10.A.B.254).
    #[arg(long, default_value = "10.213.0.0/24")]
    subnet: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum System {
    /// etcd alone.
    Etcd,
    /// etcd with a ticketd in front of every member.
    Ticketd,
    /// A PostgreSQL 15 primary and streaming replicas (Debian's postgresql).
    Postgres,
    /// A Redis primary, replicas and a Sentinel per node (Debian's redis-server, redis-sentinel).
    Redis,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TicketdMode {
    /// One etcd transaction per placeHold, linearizable reads.
    Etcd,
    /// Like etcd, with serializable (fast, stale) reads.
    Serializable,
    /// Three separate etcd writes per placeHold.
    NonAtomic,
    /// Regions replicating asynchronously to each other (etcd runs but ticketd ignores it).
    Eventual,
}

impl TicketdMode {
    /// ticketd's flags for this mode; the eventual regions share a fresh secret.
    fn flags(self) -> anyhow::Result<Vec<String>> {
        let flags: &[&str] = match self {
            TicketdMode::Etcd => &["--mode", "etcd"],
            TicketdMode::Serializable => &["--mode", "etcd", "--reads", "serializable"],
            TicketdMode::NonAtomic => &["--mode", "etcd", "--non-atomic"],
            TicketdMode::Eventual => &[
                "--mode", "eventual", "--region", "{node}", "--peers", "{peers}",
            ],
        };
        let mut flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        if matches!(self, TicketdMode::Eventual) {
            flags.extend(["--peer-secret".to_string(), peer_secret::fresh()?]);
        }
        Ok(flags)
    }
}

/// Runs `frenzy cluster …`.
pub fn run(args: ClusterArgs) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        match args.action {
            Action::Up(up) => run_up(up).await,
            Action::Status(at) => run_status(&at).await,
            Action::Heal(at) => run_heal(&at).await,
            Action::Down(at) => run_down(&at),
        }
    })
}

/// Turns a nemesis error into a CLI error: 254 for what the user can fix, 255 otherwise.
pub fn cli_error(e: NemesisError) -> anyhow::Error {
    if e.is_user_error() {
        user_error(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
}

fn parse_subnet(s: &str) -> anyhow::Result<[u8; 2]> {
    let bad = || user_error(format!("--subnet `{s}` must look like 10.A.B.0/24"));
    let rest = s
        .strip_prefix("10.")
        .and_then(|r| r.strip_suffix(".0/24"))
        .ok_or_else(bad)?;
    let (a, b) = rest.split_once('.').ok_or_else(bad)?;
    Ok([a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?])
}

fn need_root() -> anyhow::Result<()> {
    if cluster::is_root() {
        Ok(())
    } else {
        Err(cli_error(NemesisError::NotRoot))
    }
}

fn load(at: &Where) -> anyhow::Result<ClusterState> {
    let root = at.root();
    if !ClusterState::file(&root).exists() {
        return Err(user_error(format!(
            "no cluster state at {}: start one with `frenzy cluster up` (or pass its --prefix/--dir)",
            ClusterState::file(&root).display()
        )));
    }
    ClusterState::load(&root).map_err(cli_error)
}

/// A spinner on a terminal, nothing otherwise.
fn spinner() -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    })
}

/// The ticketd binary built beside this frenzy executable; a user error saying how to build it
/// when it is missing.
pub fn ticketd_binary() -> anyhow::Result<PathBuf> {
    let binary = std::env::current_exe()
        .context("finding the frenzy executable")?
        .with_file_name("ticketd");
    if !binary.exists() {
        let profile = if cfg!(debug_assertions) {
            ""
        } else {
            " --release"
        };
        return Err(user_error(format!(
            "ticketd is not next to frenzy ({}): build it with `cargo build{profile} -p ticketd`",
            binary.display()
        )));
    }
    Ok(binary)
}

async fn run_up(args: UpArgs) -> anyhow::Result<u8> {
    need_root()?;
    let topology = Topology::new(&args.at.prefix, parse_subnet(&args.subnet)?, args.nodes)
        .map_err(cli_error)?;
    if args.pg_sync && !matches!(args.system, System::Postgres) {
        return Err(user_error("--pg-sync only applies to --system postgres"));
    }
    let system = match args.system {
        System::Etcd => SystemSpec::Etcd { ticketd: None },
        System::Ticketd => SystemSpec::Etcd {
            ticketd: Some(TicketdSpec {
                binary: ticketd_binary()?,
                args: args.ticketd_mode.flags()?,
            }),
        },
        System::Postgres => SystemSpec::Postgres { sync: args.pg_sync },
        System::Redis => SystemSpec::Redis,
    };
    let spec = ClusterSpec {
        topology,
        root: args.at.root(),
        system,
    };
    let bar = spinner();
    let started = Instant::now();
    let mut progress = |step: &str| {
        if let Some(b) = &bar {
            b.set_message(step.to_string());
        }
    };
    let state = cluster::up(&spec, &mut progress).await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let state = state.map_err(cli_error)?;
    outln!(
        "cluster `{}` up in {:.2} s ({} nodes of {})",
        args.at.prefix,
        started.elapsed().as_secs_f64(),
        state.nodes.len(),
        state.system.system().name()
    );
    for node in &state.nodes {
        let ticketd = node
            .ticketd_url
            .as_deref()
            .map(|u| format!("  ticketd {u}"))
            .unwrap_or_default();
        outln!(
            "  {}  netns {}  {}{ticketd}",
            node.name,
            node.namespace,
            node.url
        );
    }
    outln!("state: {}", ClusterState::file(&state.root).display());
    Ok(0)
}

async fn run_status(at: &Where) -> anyhow::Result<u8> {
    let state = load(at)?;
    for s in cluster::status(&state).await {
        outln!(
            "{}  namespace {}  pids {:?}  {}  {}{}",
            s.name,
            if s.namespace { "present" } else { "MISSING" },
            s.pids,
            if s.healthy { "healthy" } else { "UNHEALTHY" },
            s.detail,
            if s.leader { "  leader" } else { "" },
        );
    }
    Ok(0)
}

/// How long `heal` waits for every node to serve again.
const HEAL_TIMEOUT: Duration = Duration::from_secs(60);

async fn run_heal(at: &Where) -> anyhow::Result<u8> {
    need_root()?;
    let state = load(at)?;
    let driver = NetnsDriver::new(state);
    let started = Instant::now();
    let done = driver.heal().await.map_err(cli_error)?;
    outln!("healed: {done}");
    let state = driver.state();
    let system = state.system.system();
    loop {
        let waiting = health::not_serving(&state).await;
        let converged = system.converged(&state).await.map_err(cli_error)?;
        if let (Some(sentence), true) = (&converged, waiting.is_empty()) {
            outln!(
                "every node serves ({sentence}{}), {:.2} s after the heal began",
                if state.nodes.iter().any(|n| n.ticketd_url.is_some()) {
                    ", every ticketd /health 200"
                } else {
                    ""
                },
                started.elapsed().as_secs_f64()
            );
            return Ok(0);
        }
        if started.elapsed() > HEAL_TIMEOUT {
            let mut why = waiting;
            if converged.is_none() {
                why.push(format!(
                    "the {} nodes have not caught up with each other",
                    system.name()
                ));
            }
            anyhow::bail!(
                "the cluster does not serve {} s after the heal: {}; see `frenzy cluster status` and the nodes' logs in {}",
                HEAL_TIMEOUT.as_secs(),
                why.join("; "),
                state.root.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn run_down(at: &Where) -> anyhow::Result<u8> {
    need_root()?;
    let started = Instant::now();
    let root = at.root();
    // Nothing is touched unless the folder is absent or carries the marker `up` wrote in it.
    marker::check_ours(&root).map_err(cli_error)?;
    let removed = if ClusterState::file(&root).exists() {
        cluster::down(&ClusterState::load(&root).map_err(cli_error)?).map_err(cli_error)?
    } else {
        orphans(&at.prefix, &root)?
    };
    if removed.is_empty() {
        outln!("nothing to take down for prefix `{}`", at.prefix);
    } else {
        outln!(
            "cluster `{}` down in {:.2} s; removed:",
            at.prefix,
            started.elapsed().as_secs_f64()
        );
        for r in removed {
            outln!("  {r}");
        }
    }
    Ok(0)
}

/// Removes what a cluster left without its state file: namespaces `{prefix}-nI`, their links
/// and the bridge, and the data folder when it carries Frenzy's marker. Refuses, touching
/// nothing, when one of them lacks the mark `up` gives what it makes.
fn orphans(prefix: &str, root: &Path) -> anyhow::Result<Vec<String>> {
    let names = std::fs::read_dir("/run/netns")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_else(|_| Vec::new());
    let size = names
        .iter()
        .filter_map(|n| {
            n.strip_prefix(&format!("{prefix}-n"))?
                .parse::<usize>()
                .ok()
        })
        .max()
        .unwrap_or(1);
    let topology = Topology::new(prefix, [0, 0], size.min(32)).map_err(cli_error)?;
    let foreign = topology.not_made_here();
    if !foreign.is_empty() {
        return Err(user_error(format!(
            "{} not made by `frenzy cluster up` (no state in {}, and no Frenzy mark on them), so              Frenzy leaves them untouched: check --prefix and --dir, or remove them yourself",
            foreign.join(", "),
            root.display()
        )));
    }
    let mut removed = topology.destroy().map_err(cli_error)?;
    removed.extend(marker::remove_marked(root).map_err(cli_error)?);
    Ok(removed)
}
