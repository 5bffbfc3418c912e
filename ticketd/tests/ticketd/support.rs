//! What the ticketd tests share: starting instances in-process and speaking the contract.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use ticketd::loopback_proxy::Proxy;
use ticketd::{Config, EtcdConfig, EventualConfig, ModeConfig, ReadMode, Server};
use tokio::net::TcpListener;

/// The shared secret of the test regions.
pub const PEER_SECRET: &str = "ticketd-test-peer-secret";

/// A reply: status and JSON body (Null when the body is not JSON).
pub type Reply = (StatusCode, Value);

/// An HTTP client for the contract.
pub struct Api {
    http: reqwest::Client,
}

impl Api {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("a reqwest client builds");
        Api { http }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let reply = request.send().await.expect("ticketd answers");
        let status = reply.status();
        let body = reply.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn create_event(&self, base: &str, event: &str, capacity: u64) -> Reply {
        let url = format!("{base}/events/{event}");
        self.send(self.http.put(url).json(&json!({ "capacity": capacity })))
            .await
    }

    pub async fn place(
        &self,
        base: &str,
        event: &str,
        user: &str,
        qty: u32,
        request_id: &str,
    ) -> Reply {
        let body = json!({"user": user, "qty": qty, "request_id": request_id});
        self.send(
            self.http
                .post(format!("{base}/events/{event}/holds"))
                .json(&body),
        )
        .await
    }

    /// placeHold, retried with the same request id while the outcome is unknown (503).
    pub async fn place_until_known(
        &self,
        base: &str,
        event: &str,
        user: &str,
        request_id: &str,
    ) -> Reply {
        for _ in 0..20 {
            let reply = self.place(base, event, user, 1, request_id).await;
            if reply.0 != StatusCode::SERVICE_UNAVAILABLE {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("placeHold {request_id} stayed unavailable");
    }

    pub async fn post_raw(&self, base: &str, path: &str, body: impl Into<reqwest::Body>) -> Reply {
        let request = self
            .http
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body);
        self.send(request).await
    }

    pub async fn put_raw(&self, base: &str, path: &str, body: &'static str) -> Reply {
        self.send(self.http.put(format!("{base}{path}")).body(body))
            .await
    }

    pub async fn get(&self, base: &str, path: &str) -> Reply {
        self.send(self.http.get(format!("{base}{path}"))).await
    }

    pub async fn confirm(&self, base: &str, hold: &str) -> Reply {
        self.send(self.http.post(format!("{base}/holds/{hold}/confirm")))
            .await
    }

    pub async fn release(&self, base: &str, hold: &str) -> Reply {
        self.send(self.http.delete(format!("{base}/holds/{hold}")))
            .await
    }

    /// The event's remaining seats.
    pub async fn remaining(&self, base: &str, event: &str) -> i64 {
        let (status, body) = self.get(base, &format!("/events/{event}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["remaining"].as_i64().expect("remaining is a number")
    }

    /// The event's log entries.
    pub async fn log(&self, base: &str, event: &str) -> Vec<Value> {
        let (status, body) = self.get(base, &format!("/events/{event}/log")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["entries"].as_array().cloned().unwrap_or_default()
    }
}

/// The hold ids of the log entries of type `kind`.
pub fn entries_of(log: &[Value], kind: &str) -> Vec<String> {
    log.iter()
        .filter(|e| e["type"] == kind)
        .map(|e| e["hold"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Starts ticketd in-process on a free loopback port.
pub async fn start(config: Config) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    ticketd::serve(config, listener)
        .await
        .expect("ticketd starts")
}

/// The configuration of an etcd-mode instance on `endpoint` under `prefix`.
pub fn etcd_config(endpoint: &str, prefix: &str, reads: ReadMode) -> Config {
    let mut etcd = EtcdConfig::new(endpoint);
    etcd.key_prefix = prefix.to_string();
    etcd.reads = reads;
    Config::new(ModeConfig::Etcd(etcd))
}

/// Regions replicating to each other, each reached by its peers through its own cuttable proxy.
pub struct Regions {
    pub servers: Vec<Server>,
    pub inbound: Vec<Proxy>,
}

impl Regions {
    /// Starts `names.len()` eventual regions with this lag and peer-ack timeout.
    pub async fn start(names: &[&str], lag: Duration, ack: Option<Duration>) -> Regions {
        let mut listeners = Vec::new();
        let mut inbound = Vec::new();
        for _ in names {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
            let addr = listener.local_addr().expect("a bound address");
            inbound.push(Proxy::start(addr).await.expect("a proxy starts"));
            listeners.push(listener);
        }
        let mut servers = Vec::new();
        for (i, listener) in listeners.into_iter().enumerate() {
            let peers = (0..names.len())
                .filter(|j| *j != i)
                .map(|j| inbound[j].url())
                .collect();
            let config = Config::new(ModeConfig::Eventual(EventualConfig {
                region: names[i].to_string(),
                peers,
                replication_lag: lag,
                peer_ack_timeout: ack,
                peer_secret: PEER_SECRET.into(),
            }));
            servers.push(
                ticketd::serve(config, listener)
                    .await
                    .expect("a region starts"),
            );
        }
        Regions { servers, inbound }
    }

    pub fn url(&self, i: usize) -> String {
        self.servers[i].url()
    }
}

/// Polls `check` every 50 ms until it holds, for at most `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
