//! placeHold latency and throughput in etcd mode on this machine: starts a local etcd cluster and
//! one ticketd per member in-process, then runs concurrent clients placing 1-seat holds.
//!
//! `cargo run --release -p ticketd --example bench -- --members 3 --clients 32 --holds 3000 --events 1 --max-batch 16`

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use ticketd::local_etcd::LocalEtcd;
use ticketd::{Config, EtcdConfig, ModeConfig};

/// Bench options.
#[derive(Debug, Parser)]
struct Args {
    /// etcd members (one ticketd each).
    #[arg(long, default_value_t = 3)]
    members: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// placeHolds in total.
    #[arg(long, default_value_t = 3000)]
    holds: usize,
    /// The most placeHolds of one event per txn (ticketd's --max-batch).
    #[arg(long, default_value_t = 16)]
    max_batch: usize,
    /// Events the holds are spread over (1: every client races on one inventory key).
    #[arg(long, default_value_t = 1)]
    events: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cluster = LocalEtcd::start(args.members).await?;
    let mut servers = Vec::new();
    for url in cluster.client_urls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut etcd = EtcdConfig::new(url);
        etcd.max_batch = args.max_batch;
        servers.push(ticketd::serve(Config::new(ModeConfig::Etcd(etcd)), listener).await?);
    }
    let urls: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.url()).collect());
    let http = reqwest::Client::new();
    for e in 0..args.events {
        let body = serde_json::json!({"capacity": args.holds});
        http.put(format!("{}/events/b{e}", urls[0]))
            .json(&body)
            .send()
            .await?;
    }
    let per_client = args.holds / args.clients;
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|c| {
            let (http, urls, events) = (http.clone(), Arc::clone(&urls), args.events);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                let mut failures = 0;
                for i in 0..per_client {
                    let n = c * per_client + i;
                    let url = format!("{}/events/b{}/holds", urls[n % urls.len()], n % events);
                    let body = serde_json::json!({"user": format!("c{c}"), "qty": 1, "request_id": format!("q{n}")});
                    let sent = Instant::now();
                    match http.post(url).json(&body).send().await {
                        Ok(reply) if reply.status().as_u16() == 201 => latencies.push(sent.elapsed()),
                        _ => failures += 1,
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "etcd mode, {} members, {} clients, {} events, max batch {}: {} holds placed ({} failed) in {:.2} s = {:.0} holds/s; \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        args.members,
        args.clients,
        args.events,
        args.max_batch,
        latencies.len(),
        failures,
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    Ok(())
}
