//! The tickets workload against ticketd's eventual mode (two regions replicating with lag): in
//! "last seats" mode both regions sell the same seats, and both the linearizability checker and
//! the ledger check find the oversell.

mod support;

use checker::ledger::OVERSELL;
use checker::verdict::Verdict;
use std::time::Duration;
use support::*;
use ticketd::{EventualConfig, ModeConfig};
use workloads::tickets::TicketsConfig;

fn region(name: &str, peers: Vec<String>) -> ModeConfig {
    ModeConfig::Eventual(EventualConfig {
        region: name.into(),
        peers,
        replication_lag: Duration::from_millis(300),
        peer_ack_timeout: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventual_regions_oversell_and_both_checks_say_so() {
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
        let mode = region(&format!("r{i}"), vec![urls[1 - i].clone()]);
        servers.push(
            ticketd::serve(ticketd::Config::new(mode), listener)
                .await
                .expect("a region starts"),
        );
    }
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
