//! Requests an operator or an attacker might send: replication from a stranger or with forged
//! changes, methods and paths outside the contract, a client that stops half-way through a request
//! (it is cut off after the read timeout, and it does not hold up a shutdown).

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use ticketd::{Config, EventualConfig, ModeConfig};

use crate::support::{start, Api, Regions, PEER_SECRET};

/// One request with an optional bearer token; the status and the JSON body (Null when not JSON).
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let reply = request.send().await.expect("ticketd answers");
    let status = reply.status();
    (status, reply.json().await.unwrap_or(Value::Null))
}

fn batch(change: Value) -> Value {
    json!({ "ops": [{ "origin": "r2", "number": 1, "change": change }] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replication_refuses_strangers_and_forged_changes() {
    let regions = Regions::start(&["r1", "r2"], Duration::from_millis(50), None).await;
    let url = format!("{}/replication", regions.url(0));
    let http = reqwest::Client::new();
    let created = batch(json!({"change": "event_created", "event": "gala", "capacity": 5}));
    let forged = batch(json!({"change": "hold_placed", "hold": {
        "hold": "gala:r2-1", "event": "gala", "user": "<script>", "qty": 4_000_000_000u64,
        "request_id": "x1", "state": "active", "expires_at": 0
    }}));

    let anonymous = send(http.post(&url).json(&created)).await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{}", anonymous.1);
    assert_eq!(anonymous.1["error"], "unauthorized");
    let wrong = send(
        http.post(&url)
            .bearer_auth("not-the-secret-at-all")
            .json(&created),
    )
    .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED, "{}", wrong.1);
    let api = Api::new();
    assert_eq!(
        api.get(&regions.url(0), "/events/gala").await.0,
        StatusCode::NOT_FOUND,
        "nothing a stranger sent was applied"
    );

    let bad = send(http.post(&url).bearer_auth(PEER_SECRET).json(&forged)).await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    assert_eq!(bad.1["error"], "bad_request");

    let good = send(http.post(&url).bearer_auth(PEER_SECRET).json(&created)).await;
    assert_eq!(good.0, StatusCode::OK, "{}", good.1);
    let (status, event) = api.get(&regions.url(0), "/events/gala").await;
    assert_eq!(status, StatusCode::OK, "{event}");
    assert_eq!(
        event["remaining"], 5,
        "the forged hold was not applied: {event}"
    );
}

fn lone_region(secret: &str) -> Config {
    Config::new(ModeConfig::Eventual(EventualConfig {
        region: "r1".into(),
        peers: Vec::new(),
        replication_lag: Duration::from_millis(10),
        peer_ack_timeout: None,
        peer_secret: secret.into(),
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_the_contracts_json_error() {
    let server = start(lone_region(PEER_SECRET)).await;
    let base = server.url();
    let http = reqwest::Client::new();
    let cases = [
        (
            http.patch(format!("{base}/events/gala")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            http.delete(format!("{base}/events/gala")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            http.get(format!("{base}/events/%ff")),
            StatusCode::BAD_REQUEST,
        ),
        (
            http.get(format!("{base}/events/gala/holds?min_seq=%ff")),
            StatusCode::BAD_REQUEST,
        ),
        (http.get(format!("{base}/nowhere")), StatusCode::NOT_FOUND),
    ];
    for (request, expected) in cases {
        let (status, body) = send(request).await;
        assert_eq!(status, expected, "{body}");
        assert!(body["error"].is_string(), "{status}: {body}");
        assert!(body["message"].is_string(), "{status}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_secret_is_refused_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refused = ticketd::serve(lone_region("short"), listener).await;
    assert!(
        matches!(refused, Err(ticketd::ServeError::Config(ref m)) if m.contains("secret")),
        "{refused:?}"
    );
}

/// A connection `addr` has certainly accepted: one full request (`GET path`) answered on it, kept
/// alive for the next.
fn accepted_connection(addr: &str, path: &str) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(addr).expect("connecting");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").expect("a first request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("the first reply");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a content-length");
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .expect("the first reply's body");
    stream
}

/// Sends, on a connection ticketd has accepted and answered once, a request whose body never
/// completes.
fn half_sent_request(addr: &str) -> std::net::TcpStream {
    let mut stream = accepted_connection(addr, "/health");
    stream
        .write_all(b"POST /events/gala/holds HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user\"")
        .expect("sending half a request");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_mid_request_is_cut_off() {
    let mut config = lone_region(PEER_SECRET);
    config.read_timeout = Duration::from_millis(200);
    let server = start(config).await;
    let addr = server.local_addr().to_string();
    let closed = tokio::task::spawn_blocking(move || {
        let mut stream = half_sent_request(&addr);
        // A guard against hanging forever, not a measure of speed.
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut reply = Vec::new();
        match stream.read_to_end(&mut reply) {
            Ok(_) => Ok(reply),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(reply),
            Err(e) => Err(e),
        }
    })
    .await
    .unwrap();
    assert!(
        closed.is_ok(),
        "ticketd closed the stalled connection: {closed:?}"
    );
}

#[test]
fn sigint_and_sigterm_stop_ticketd_despite_a_half_sent_request() {
    for signal in ["INT", "TERM"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ticketd"))
            .args(["--mode", "eventual", "--listen", "127.0.0.1:0"])
            .env("TICKETD_PEER_SECRET", PEER_SECRET)
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting ticketd");
        let mut stderr = child.stderr.take().expect("ticketd's stderr");
        let mut banner = Vec::new();
        let mut byte = [0u8; 1];
        while !banner.ends_with(b"\n") && stderr.read(&mut byte).unwrap_or(0) == 1 {
            banner.push(byte[0]);
        }
        let banner = String::from_utf8_lossy(&banner).into_owned();
        let addr = banner
            .rsplit("http://")
            .next()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        let _stalled = half_sent_request(&addr);
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success());
        // A guard against hanging forever, not a measure of speed.
        let mut status = None;
        for _ in 0..600 {
            status = child.try_wait().expect("polling ticketd");
            if status.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(0),
            "SIG{signal}: ticketd ({banner}) stops cleanly while a client holds a request"
        );
    }
}
