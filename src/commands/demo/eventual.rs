//! The eventual demo: ConcertFrenzy as it is today. Two regions, Europe and North America, each
//! accept holds against their own copy of the inventory and replicate to the other through one of
//! Frenzy's TCP proxies, which the nemesis cuts to partition them.

use super::{test_plan, DemoArgs};
use crate::commands::test::{execute, FaultPlan, Finished, Stop};
use anyhow::Context;
use nemesis::{Driver, ProxyDriver};
use std::sync::Arc;
use std::time::Duration;
use ticketd::{Config, EventualConfig, ModeConfig};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// The two regions.
const REGIONS: [&str; 2] = ["europe", "north-america"];

/// How long a region waits before replicating a change: the window in which both sell a seat.
const REPLICATION_LAG: Duration = Duration::from_millis(200);

/// How long placeHold waits for the other region's acknowledgement before saying "Hold failed".
const PEER_ACK_TIMEOUT: Duration = Duration::from_millis(600);

/// Starts the regions behind their replication proxies, runs the last-seats race while the nemesis
/// cuts the regions apart now and then, and stops the regions.
pub fn run(runtime: &Runtime, args: &DemoArgs, stop: &Stop) -> anyhow::Result<Finished> {
    let (servers, driver) = runtime.block_on(start_regions())?;
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();
    outln!(
        "frenzy demo: ticketd (eventual) as two regions, {} and {}, replicating through Frenzy's proxies",
        urls[0], urls[1]
    );
    let mut plan = test_plan(
        args,
        "demo-eventual",
        &urls,
        // One event with four seats that eight buyers race for: two regions both sell the last
        // seats within the replication lag (the double sale, no fault needed). Buyers release
        // holds too, so seats come back and are held again while the regions are cut apart:
        // then a region cannot get the other's acknowledgement in time and says "hold failed",
        // though its hold stays and replicates later (failed-hold-placed).
        &[
            "--events",
            "1",
            "--capacity",
            "4",
            "--mix",
            "place_hold:5,release:3,list_holds:2,read_inventory:1",
            "--concurrency",
            "8",
            "--qty",
            "1:3,2:1",
            "--warmup",
            "1",
            "--rate",
            "80",
        ],
    )?;
    plan.node_names = REGIONS.iter().map(|r| r.to_string()).collect();
    plan.faults = Some(FaultPlan::parse("partition", Duration::from_secs(2))?);
    let finished = execute(runtime, &plan, Some(driver), stop);
    runtime.block_on(async {
        for server in servers {
            let _ = server.shutdown().await;
        }
    });
    finished
}

/// Binds both regions, puts a proxy on each replication link, and serves them.
async fn start_regions() -> anyhow::Result<(Vec<ticketd::Server>, Arc<dyn Driver>)> {
    let mut listeners = Vec::new();
    for _ in REGIONS {
        listeners.push(
            TcpListener::bind("127.0.0.1:0")
                .await
                .context("binding a loopback port for a region")?,
        );
    }
    let addrs: Vec<_> = listeners
        .iter()
        .map(|l| l.local_addr())
        .collect::<Result<_, _>>()?;
    let mut driver = ProxyDriver::new(REGIONS.iter().map(|r| r.to_string()).collect());
    let secret = crate::commands::peer_secret::fresh()?;
    let mut servers = Vec::new();
    for (i, listener) in listeners.into_iter().enumerate() {
        let (me, other) = (REGIONS[i], REGIONS[1 - i]);
        let link = driver
            .add_link(me, other, addrs[1 - i])
            .await
            .context("starting a replication proxy")?;
        let config = Config::new(ModeConfig::Eventual(EventualConfig {
            region: me.to_string(),
            peers: vec![format!("http://{link}")],
            replication_lag: REPLICATION_LAG,
            peer_ack_timeout: Some(PEER_ACK_TIMEOUT),
            peer_secret: secret.clone(),
        }));
        servers.push(
            ticketd::serve(config, listener)
                .await
                .with_context(|| format!("starting region {me}"))?,
        );
    }
    Ok((servers, Arc::new(driver)))
}
