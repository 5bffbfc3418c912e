//! Real systems for the workload tests: etcd clusters on loopback (ticketd's launcher), ticketd
//! instances in-process, and a runner that records a history and checks it.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use checker::check::{check, CheckOptions};
use checker::history::History;
use checker::ledger::check_ledger;
use checker::models::ModelOptions;
use checker::session::check_sessions;
use checker::verdict::{AnomalyResult, LinearizabilityResult};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use ticketd::local_etcd::LocalEtcd;
use ticketd::{Config, EtcdConfig, ModeConfig, Server};
use tokio::net::TcpListener;
use tokio::sync::watch;
use workloads::recorder::Discard;
use workloads::runner::{HookFuture, NoFaults, RunHooks};
use workloads::tickets::{TicketClient, TicketsConfig, TicketsWorkload};
use workloads::{run, Client, Phases, Recorder, Workload};

/// Short phases for tests: a few seconds of workload.
pub fn phases(concurrency: usize, nodes: usize, seconds: f64) -> Phases {
    Phases {
        concurrency,
        nodes,
        rate: Some(200.0),
        warmup: Duration::from_millis(300),
        main: Duration::from_secs_f64(seconds),
        quiesce: Duration::from_millis(800),
        op_timeout: Duration::from_secs(4),
        seed: 42,
    }
}

/// A ticketd instance in `mode`, serving on a fresh loopback port.
pub async fn ticketd(mode: ModeConfig) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    ticketd::serve(Config::new(mode), listener)
        .await
        .expect("ticketd starts")
}

/// One ticketd per etcd member, in etcd mode, each tuned by `tune`, sharing a key prefix unique
/// to the test.
pub async fn ticketd_per_member(
    etcd_urls: &[String],
    prefix: &str,
    tune: impl Fn(&mut EtcdConfig),
) -> Vec<Server> {
    let mut servers = Vec::new();
    for url in etcd_urls {
        let mut config = EtcdConfig::new(url.clone());
        config.key_prefix = format!("{prefix}/");
        tune(&mut config);
        servers.push(ticketd(ModeConfig::Etcd(config)).await);
    }
    servers
}

/// Runs `workload` with `client`, recording in memory; returns the history.
pub async fn record<W: Workload, C: Client>(
    workload: Arc<W>,
    client: Arc<C>,
    phases: &Phases,
    hooks: &mut dyn RunHooks,
) -> History {
    let recorder = Recorder::new(Discard);
    let (_stop, stopped) = watch::channel(false);
    let report = run(workload, client, recorder.clone(), phases, hooks, stopped).await;
    assert!(!report.interrupted);
    assert!(report.operations > 0, "the workload ran");
    let (events, _) = recorder.finish();
    History::from_events(events).expect("the recorder writes valid histories")
}

/// The three checks of a tickets run.
pub struct TicketChecks {
    pub linearizability: LinearizabilityResult,
    pub sessions: AnomalyResult,
    pub ledger: AnomalyResult,
}

/// Runs the tickets workload `config` against `urls` (preflight included) and checks the history.
pub async fn tickets_run(
    urls: &[String],
    config: TicketsConfig,
    phases: &Phases,
    hooks: &mut dyn RunHooks,
) -> (History, TicketChecks) {
    let client = TicketClient::new(urls).expect("valid URLs");
    client
        .preflight(&config.event_names(), config.capacity)
        .await
        .expect("the nodes speak the contract");
    let capacities = config.capacities();
    let capacity = config.capacity;
    let workload = Arc::new(TicketsWorkload::new(config).expect("a valid config"));
    let history = record(workload, Arc::new(client), phases, hooks).await;
    let options = ModelOptions {
        init: Some(json!(capacity)),
        ..ModelOptions::default()
    };
    let linearizability =
        check(&history, "tickets", &options, &CheckOptions::default()).expect("a tickets history");
    let checks = TicketChecks {
        linearizability,
        sessions: check_sessions(&history),
        ledger: check_ledger(&history, &capacities),
    };
    (history, checks)
}

/// Cuts one member off from the others' Raft traffic for the main phase: it keeps serving its
/// clients, so serializable reads from it go stale.
pub struct LaggingMember(Arc<LocalEtcd>, usize);

impl LaggingMember {
    /// Cuts off a follower: cutting off the leader would stall every write until a new election.
    pub async fn follower(etcd: &Arc<LocalEtcd>) -> LaggingMember {
        let lagging = etcd
            .leader()
            .await
            .map_or(2, |leader| (leader + 1) % etcd.len());
        LaggingMember(etcd.clone(), lagging)
    }

    /// The member cut off.
    pub fn member(&self) -> usize {
        self.1
    }
}

impl RunHooks for LaggingMember {
    fn main_phase_started(&mut self) -> HookFuture<'_> {
        Box::pin(async { self.0.isolate(self.1).expect("isolating a member") })
    }
    fn heal(&mut self) -> HookFuture<'_> {
        Box::pin(async { self.0.heal() })
    }
}

/// No faults.
pub fn no_faults() -> NoFaults {
    NoFaults
}

/// A run tag unique to this test process and name.
pub fn tag(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}
