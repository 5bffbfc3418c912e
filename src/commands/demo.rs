//! `frenzy demo`: the ConcertFrenzy story in one command. Starts a ticket service, races buyers for
//! the last seats while the regions are cut apart now and then, checks the history, stores the
//! report and says what it found, when, and under which fault.

mod etcd;
mod eventual;

use super::test::{Finished, Plan, Stop, TestArgs};
use crate::exit::user_error;
use anyhow::Context;
use checker::verdict::{Results, Verdict, When};
use clap::{Args, Parser, ValueEnum};
use std::path::PathBuf;

/// Which system the demo runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoSystem {
    /// ConcertFrenzy today: two in-process regions (Europe, North America) that replicate
    /// asynchronously through Frenzy's proxies. Needs nothing installed, no root.
    Eventual,
    /// The fix: a 3-node etcd cluster in network namespaces with ticketd in front of each member,
    /// under partitions and kills. Needs root and etcd (scripts/setup.sh).
    Etcd,
}

/// `frenzy demo`: double sales found in seconds, or a fixed service proven correct.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The system under test.
    #[arg(long, value_enum, default_value = "eventual")]
    pub system: DemoSystem,
    /// With --system etcd: serve reads from the local member (fast, stale), to show the
    /// read-your-writes violation.
    #[arg(long)]
    pub reads_serializable: bool,
    /// With --system etcd: write inventory, hold and event separately, crashing between them, to
    /// show the ledger violation.
    #[arg(long, conflicts_with = "reads_serializable")]
    pub non_atomic: bool,
    /// Users send the highest seq they have seen as min_seq when listing their holds, the
    /// read-your-writes token that repairs --reads-serializable.
    #[arg(long)]
    pub min_seq: bool,
    /// Seconds of workload.
    #[arg(long, default_value_t = 12.0, value_name = "S")]
    pub time_limit: f64,
    /// Seed of every random choice; random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The run store.
    #[arg(long, default_value = "store", value_name = "DIR")]
    pub store: PathBuf,
}

/// Runs `frenzy demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<u8> {
    if args.system == DemoSystem::Eventual && (args.reads_serializable || args.non_atomic) {
        return Err(user_error(
            "--reads-serializable and --non-atomic are etcd-mode variants: add --system etcd",
        ));
    }
    if args.min_seq && !args.reads_serializable {
        return Err(user_error(
            "--min-seq repairs stale reads: use it with --system etcd --reads-serializable",
        ));
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    // Listening from the start: a signal while the demo's services start is held until they are
    // up, then they are stopped again (the etcd demo's cluster taken down) before Frenzy exits.
    let stop = Stop::listen(&runtime)?;
    let finished = match args.system {
        DemoSystem::Eventual => eventual::run(&runtime, &args, &stop)?,
        DemoSystem::Etcd => etcd::run(&runtime, &args, &stop)?,
    };
    headline(&finished, &args, stop.received().map(|sig| sig.name));
    Ok(finished.exit_code())
}

/// The `frenzy test` flags a demo run starts from (validated like the user's own).
fn test_plan(
    args: &DemoArgs,
    test_name: &str,
    nodes: &[String],
    extra: &[&str],
) -> anyhow::Result<Plan> {
    /// Wraps the flags so they parse exactly as `frenzy test` parses them.
    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        test: TestArgs,
    }
    let mut argv: Vec<String> = [
        "frenzy-test",
        "--workload",
        "tickets",
        "--test-name",
        test_name,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for node in nodes {
        argv.extend(["--node".to_string(), node.clone()]);
    }
    argv.extend(["--time-limit".to_string(), args.time_limit.to_string()]);
    argv.extend(["--store".to_string(), args.store.display().to_string()]);
    if let Some(seed) = args.seed {
        argv.extend(["--seed".to_string(), seed.to_string()]);
    }
    // Every demo starts its own service from scratch, so its names need no run-unique tag: the
    // concert is "gala", its events gala-e1, gala-e2, ...
    argv.extend(["--run-tag".to_string(), DEMO_TAG.to_string()]);
    argv.extend(extra.iter().map(|s| s.to_string()));
    let flags = Flags::try_parse_from(argv).map_err(|e| user_error(e.to_string()))?;
    flags.test.plan()
}

/// The name the demo's events and request ids start with.
const DEMO_TAG: &str = "gala";

/// The demo's last words: the verdict, each kind of failure found once with when it first
/// happened and what caused it (the summary above has the sentences), and the report.
/// `stopped_by` names the signal that stopped the demo, if one did.
fn headline(finished: &Finished, args: &DemoArgs, stopped_by: Option<&str>) {
    let results = &finished.results;
    outln!();
    match (results.valid, stopped_by) {
        (Verdict::Invalid, _) => outln!("VERDICT: INVALID"),
        (Verdict::Valid, _) => outln!("VERDICT: VALID: every check passed"),
        (Verdict::Unknown, Some(signal)) => {
            outln!("VERDICT: UNKNOWN: the demo was stopped by {signal} before its checks")
        }
        (Verdict::Unknown, None) => {
            outln!("VERDICT: UNKNOWN: a check could not decide in its budget")
        }
    }
    let quiet = match args.system {
        DemoSystem::Eventual => ": replication lag alone",
        DemoSystem::Etcd => "",
    };
    for (failure, when) in failures(results) {
        let cause = match when {
            Some(w) if w.faults_active.is_empty() => {
                format!("first at {:.2} s; no fault was active{quiet}", w.at)
            }
            Some(w) => format!(
                "first at {:.2} s, while {}",
                w.at,
                w.faults_active.join(" and ")
            ),
            None => "time unknown".to_string(),
        };
        outln!("  {failure}: {cause}");
    }
    if args.non_atomic {
        outln!(
            "  why so many operations failed with \"connection refused\": in this mode ticketd exits \
             on purpose right after the first of its three writes on every 7th hold (the torn write \
             the ledger catches), and its node stays down until the nemesis restarts it"
        );
    }
    outln!("report: {}", finished.dir.join("report.html").display());
}

/// Each kind of failure the checks found, in words, with when its first anomaly happened.
fn failures(results: &Results) -> Vec<(String, Option<&When>)> {
    let mut all: Vec<(String, Option<&When>)> = Vec::new();
    if let Some(lin) = &results.linearizability {
        let (one, _) = lin.part_nouns();
        for p in &lin.partitions {
            if let Some(e) = &p.evidence {
                // The tickets model says "... were both told they hold ..." of a seat sold twice.
                let failure = if e.explanation.contains(" told they hold ") {
                    format!("the double sale on {} (not linearizable)", p.key)
                } else {
                    format!("{one} {} is not linearizable", p.key)
                };
                all.push((failure, e.when.as_ref()));
            }
        }
    }
    for anomaly in results
        .sessions
        .iter()
        .chain(results.ledger.iter())
        .flat_map(|r| &r.anomalies)
    {
        all.push((failure_words(&anomaly.kind), anomaly.when.as_ref()));
    }
    let mut found: Vec<(String, Option<&When>)> = Vec::new();
    for (failure, when) in all {
        match found.iter_mut().find(|(f, _)| *f == failure) {
            Some((_, first)) => {
                if let Some(w) = when.filter(|w| first.is_none_or(|f| w.at < f.at)) {
                    *first = Some(w);
                }
            }
            None => found.push((failure, when)),
        }
    }
    found
}

/// An anomaly kind as the ConcertFrenzy story tells it.
fn failure_words(kind: &str) -> String {
    match kind {
        "oversell" => "oversold at the end (more seats held or sold than exist)".into(),
        "failed-hold-placed" => "\"hold failed\", then charged (failed-hold-placed)".into(),
        "read-your-writes" => "a user's own hold missing from their list (read-your-writes)".into(),
        "missing-hold-placed" => "a hold never charged (missing-hold-placed)".into(),
        "negative-inventory" => "negative inventory read".into(),
        other => other.to_string(),
    }
}
