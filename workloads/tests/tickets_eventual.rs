//! The tickets workload against ticketd's eventual mode (two regions replicating with lag): in
//! "last seats" mode both regions sell the same seats, and both the linearizability checker and
//! the ledger check find the oversell; when placeHold gives up waiting for the peer, holds reported
//! failed become real, and the ledger finds those.

mod support;

use checker::ledger::{FAILED_HOLD_PLACED, OVERSELL};
use checker::verdict::Verdict;
use std::time::Duration;
use support::*;
use ticketd::{EventualConfig, ModeConfig};
use workloads::tickets::TicketsConfig;

fn region(name: &str, peers: Vec<String>, peer_ack_timeout: Option<Duration>) -> ModeConfig {
    ModeConfig::Eventual(EventualConfig {
        region: name.into(),
        peers,
        replication_lag: Duration::from_millis(300),
        peer_ack_timeout,
        peer_secret: "tickets-eventual-test-secret".into(),
    })
}

/// Two regions replicating to each other; returns their servers and URLs.
async fn two_regions(peer_ack_timeout: Option<Duration>) -> (Vec<ticketd::Server>, Vec<String>) {
    // Each region must know its peer's address before it starts: reserve the ports first.
    let ports: Vec<std::net::TcpListener> = (0..2)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let urls: Vec<String> = ports
        .iter()
        .map(|l| format!("http://{}", l.local_addr().unwrap()))
        .collect();
    let mut servers = Vec::new();
    for (i, listener) in ports.into_iter().enumerate() {
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let mode = region(
            &format!("r{i}"),
            vec![urls[1 - i].clone()],
            peer_ack_timeout,
        );
        let server = ticketd::serve(ticketd::Config::new(mode), listener).await;
        servers.push(server.expect("a region starts"));
    }
    (servers, urls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventual_regions_oversell_and_both_checks_say_so() {
    let (servers, urls) = two_regions(None).await;
    let config = TicketsConfig::new(tag("eventual")).last_seats(4);
    let (_, checks) = tickets_run(&urls, config, &phases(8, 2, 2.0), &mut no_faults()).await;
    assert_eq!(
        checks.linearizability.valid,
        Verdict::Invalid,
        "{:?}",
        checks.linearizability
    );
    assert_eq!(checks.ledger.valid, Verdict::Invalid);
    let oversell = checks.ledger.anomalies.iter().find(|a| a.kind == OVERSELL);
    assert!(
        oversell.is_some(),
        "the ledger finds the oversell: {:?}",
        checks.ledger.anomalies
    );
    drop(servers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_reported_failed_that_replication_makes_real_is_caught_by_the_ledger() {
    // The peer acknowledges only after the replication lag, later than placeHold waits: the
    // client hears "hold failed" while the local write stays and replicates.
    let (servers, urls) = two_regions(Some(Duration::from_millis(50))).await;
    let mut config = TicketsConfig::new(tag("holdfailed"));
    config.events = 1;
    config.capacity = 100;
    config.retry_unknown = false;
    let (history, checks) = tickets_run(&urls, config, &phases(4, 2, 1.5), &mut no_faults()).await;
    assert!(
        history.op_counts().fail > 0,
        "some holds were reported failed"
    );
    let charged = checks
        .ledger
        .anomalies
        .iter()
        .find(|a| a.kind == FAILED_HOLD_PLACED);
    let charged = charged.unwrap_or_else(|| panic!("{:?}", checks.ledger.anomalies));
    assert!(
        charged.explanation.contains("failed (sold_out)"),
        "{}",
        charged.explanation
    );
    drop(servers);
}
