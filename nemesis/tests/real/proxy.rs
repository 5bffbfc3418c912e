//! The proxy on loopback: cut drops both ways, latency adds at least the delay, heal restores;
//! and the schedule over the proxy driver.

use nemesis::proxy::RETRANSMIT;
use nemesis::schedule::{run, NemesisEvent, Schedule};
use nemesis::{Driver, FaultKind, NemesisError, Proxy, ProxyDriver};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A loopback server and a proxy in front of it.
async fn server_behind_proxy() -> (TcpListener, Proxy) {
    let server = TcpListener::bind(any_port())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let upstream = server.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let proxy = Proxy::start(any_port(), upstream)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (server, proxy)
}

/// A client connected through `proxy` to a server, and the server's side of it.
async fn pair(proxy: &Proxy, server: &TcpListener) -> (TcpStream, TcpStream) {
    let client = TcpStream::connect(proxy.local_addr())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (upstream, _) = server.accept().await.unwrap_or_else(|e| panic!("{e}"));
    (client, upstream)
}

/// Reads one byte within `limit`.
async fn byte(s: &mut TcpStream, limit: Duration) -> Option<u8> {
    let mut b = [0u8; 1];
    match timeout(limit, s.read_exact(&mut b)).await {
        Ok(Ok(_)) => Some(b[0]),
        _ => None,
    }
}

async fn send(s: &mut TcpStream, b: u8) {
    s.write_all(&[b]).await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn cut_drops_both_ways_latency_delays_and_heal_restores() {
    let (server, proxy) = server_behind_proxy().await;
    let (mut client, mut up) = pair(&proxy, &server).await;
    let quick = Duration::from_millis(300);

    send(&mut client, 1).await;
    assert_eq!(byte(&mut up, quick).await, Some(1));
    send(&mut up, 2).await;
    assert_eq!(byte(&mut client, quick).await, Some(2));

    proxy.cut();
    send(&mut client, 3).await;
    send(&mut up, 4).await;
    assert_eq!(
        byte(&mut up, quick).await,
        None,
        "client -> server passed a cut"
    );
    assert_eq!(
        byte(&mut client, quick).await,
        None,
        "server -> client passed a cut"
    );
    proxy.heal();
    assert_eq!(byte(&mut up, quick).await, Some(3));
    assert_eq!(byte(&mut client, quick).await, Some(4));

    let delay = Duration::from_millis(150);
    proxy.delay(delay);
    for (from, to) in [(&mut client, &mut up)] {
        let t = Instant::now();
        send(from, 5).await;
        assert_eq!(byte(to, Duration::from_secs(2)).await, Some(5));
        assert!(
            t.elapsed() >= delay,
            "latency {:?} < {delay:?}",
            t.elapsed()
        );
    }
    let t = Instant::now();
    send(&mut up, 6).await;
    assert_eq!(byte(&mut client, Duration::from_secs(2)).await, Some(6));
    assert!(t.elapsed() >= delay);

    proxy.heal();
    proxy.lossy(1.0);
    let t = Instant::now();
    send(&mut client, 7).await;
    assert_eq!(byte(&mut up, Duration::from_secs(2)).await, Some(7));
    assert!(
        t.elapsed() >= RETRANSMIT,
        "a lost chunk came back in {:?}",
        t.elapsed()
    );

    proxy.heal();
    let t = Instant::now();
    send(&mut client, 8).await;
    assert_eq!(byte(&mut up, quick).await, Some(8));
    assert!(t.elapsed() < delay, "heal left a delay");
}

#[tokio::test]
async fn a_connection_made_during_a_cut_waits_for_the_heal() {
    let (server, proxy) = server_behind_proxy().await;
    proxy.cut();
    let _client = TcpStream::connect(proxy.local_addr())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(timeout(Duration::from_millis(300), server.accept())
        .await
        .is_err());
    proxy.heal();
    assert!(timeout(Duration::from_secs(1), server.accept())
        .await
        .is_ok());
}

/// A proxy driver for nodes a, b, c with a link for every ordered pair (to one sink).
async fn three_node_driver(sink: SocketAddr) -> ProxyDriver {
    let nodes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let mut driver = ProxyDriver::new(nodes.clone());
    for from in &nodes {
        for to in nodes.iter().filter(|t| *t != from) {
            driver
                .add_link(from, to, sink)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        driver
            .add_front(from, sink)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    driver
}

#[tokio::test]
async fn the_schedule_reports_each_start_and_stop_and_heals_at_the_end() {
    let sink = TcpListener::bind(any_port())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let driver = three_node_driver(sink.local_addr().unwrap_or_else(|e| panic!("{e}"))).await;
    let mut schedule = Schedule::new(
        vec![FaultKind::Partition, FaultKind::Latency, FaultKind::Loss],
        Duration::from_millis(40),
        7,
    );
    schedule.latency = Duration::from_millis(30);
    let mut events: Vec<NemesisEvent> = Vec::new();
    let stop = tokio::time::sleep(Duration::from_millis(900));
    run(&driver, &schedule, |e| events.push(e), stop)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(events.len() >= 4, "only {events:?}");
    for pair in events.chunks(2) {
        let kind = pair[0]
            .f
            .strip_prefix("start-")
            .unwrap_or_else(|| panic!("{:?}", pair[0].f));
        if let Some(stop) = pair.get(1) {
            assert_eq!(stop.f, format!("stop-{kind}"));
        }
    }
    let kinds: Vec<&str> = events.iter().step_by(2).map(|e| e.f.as_str()).collect();
    assert_eq!(
        &kinds[..3],
        ["start-partition", "start-latency", "start-loss"]
    );
    assert!(events[0].value["groups"].is_array(), "{}", events[0].value);
    assert_eq!(events[2].value["delay_ms"], 30);
    assert_eq!(
        events.len() % 2,
        0,
        "the last fault was not stopped: {events:?}"
    );
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a")] {
        let link = driver
            .link(a, b)
            .unwrap_or_else(|| panic!("no link {a}->{b}"));
        assert_eq!(link.state(), Default::default(), "{a}->{b} not healed");
    }
}

#[tokio::test]
async fn an_unsupported_fault_is_an_error_and_the_heal_still_runs() {
    let sink = TcpListener::bind(any_port())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let driver = three_node_driver(sink.local_addr().unwrap_or_else(|e| panic!("{e}"))).await;
    let partition =
        nemesis::partition::isolate(nemesis::PartitionKind::IsolateOne, &driver.nodes(), "a");
    driver
        .partition(&partition)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(driver.link("a", "b").is_some_and(|l| l.state().cut));
    assert!(driver.link("b", "c").is_some_and(|l| !l.state().cut));
    let schedule = Schedule::new(vec![FaultKind::Kill], Duration::from_millis(10), 1);
    let out = run(&driver, &schedule, |_| {}, std::future::pending()).await;
    assert!(
        matches!(out, Err(NemesisError::Unsupported { .. })),
        "{out:?}"
    );
    assert!(
        driver.link("a", "b").is_some_and(|l| !l.state().cut),
        "no heal after the error"
    );
}
