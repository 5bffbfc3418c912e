//! Majorities ring and bridge in real namespaces: each node reaches exactly the nodes the
//! partition promises, checked with TCP connections; the host reaches everyone throughout.

use crate::common::{connects_from, listen_in, scratch, topology, Namespaces};
use nemesis::netns::cluster::{ClusterSpec, ClusterState};
use nemesis::netns::NetnsDriver;
use nemesis::rng::Rng;
use nemesis::{partition, Driver, Partition};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

const PORT: u16 = 7000;

/// Checks every ordered pair of nodes (in parallel) against `expect`.
fn check(ns: &Namespaces, expect: impl Fn(&str, &str) -> bool, what: &str) {
    let top = &ns.0;
    let mut pairs = Vec::new();
    for a in 1..=top.size {
        for b in (1..=top.size).filter(|b| *b != a) {
            let (from, to) = (top.namespace(a), SocketAddr::from((top.addr(b), PORT)));
            let want = expect(&format!("n{a}"), &format!("n{b}"));
            pairs.push((
                format!("n{a}->n{b}"),
                want,
                std::thread::spawn(move || connects_from(&from, to)),
            ));
        }
        let host = SocketAddr::from((top.addr(a), PORT));
        assert!(
            TcpStream::connect_timeout(&host, Duration::from_millis(500)).is_ok(),
            "{what}: the host cannot reach n{a}"
        );
    }
    for (pair, want, got) in pairs {
        let got = got.join().unwrap_or(!want);
        assert_eq!(got, want, "{what}: {pair} connected={got}, expected {want}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn majorities_ring_and_bridge_give_the_promised_connectivity() {
    let ns = Namespaces::create(topology(4, 5));
    let _listeners: Vec<_> = (1..=5)
        .map(|i| listen_in(&ns.0.namespace(i), SocketAddr::from((ns.0.addr(i), PORT))))
        .collect();
    let state = ClusterState::plan(&ClusterSpec {
        topology: ns.0.clone(),
        root: scratch(&ns.0),
        system: Default::default(),
    });
    let driver = NetnsDriver::new(state);
    let nodes = driver.nodes();
    check(&ns, |_, _| true, "before");

    let mut rng = Rng::new(42);
    let plans: [Partition; 2] = [
        partition::majorities_ring(&nodes, &mut rng).unwrap_or_else(|e| panic!("{e}")),
        partition::bridge(&nodes, &mut rng).unwrap_or_else(|e| panic!("{e}")),
    ];
    for plan in plans {
        driver
            .partition(&plan)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let what = format!("{:?} {:?}", plan.kind, plan.groups);
        check(&ns, |a, b| plan.connected(a, b), &what);
    }
    driver
        .heal_network()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    check(&ns, |_, _| true, "after heal");
}
