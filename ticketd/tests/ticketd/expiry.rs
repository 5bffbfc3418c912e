//! Expiry: with a short TTL, holds come back as seats and each logs exactly one HoldExpired, even
//! with two ticketd instances sweeping the same cluster.

use std::time::Duration;

use reqwest::StatusCode;
use ticketd::local_etcd::LocalEtcd;
use ticketd::ReadMode;

use crate::support::{entries_of, etcd_config, eventually, start, Api};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_holds_return_their_seats_and_log_hold_expired_once() {
    let cluster = LocalEtcd::start(1).await.expect("a 1-member etcd cluster");
    let mut servers = Vec::new();
    for _ in 0..2 {
        let mut config = etcd_config(
            cluster.client_url(0).expect("member"),
            "ttl/",
            ReadMode::Linearizable,
        );
        config.hold_ttl = Duration::from_secs(3);
        servers.push(start(config).await);
    }
    let (a, b) = (servers[0].url(), servers[1].url());
    let api = Api::new();
    assert_eq!(
        api.create_event(&a, "gala", 10).await.0,
        StatusCode::CREATED
    );
    let mut holds = Vec::new();
    for i in 0..5 {
        let base = if i % 2 == 0 { &a } else { &b };
        let (status, body) = api.place(base, "gala", "eve", 2, &format!("e{i}")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        holds.push(body["hold"].as_str().expect("a hold").to_string());
    }
    assert_eq!(api.confirm(&a, &holds[0]).await.0, StatusCode::OK);
    assert_eq!(api.release(&b, &holds[1]).await.0, StatusCode::OK);
    assert_eq!(api.remaining(&a, "gala").await, 2);

    eventually(
        Duration::from_secs(15),
        "the unpaid holds expire",
        || async { api.remaining(&b, "gala").await == 8 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let log = api.log(&a, "gala").await;
    let mut expired = entries_of(&log, "HoldExpired");
    expired.sort();
    assert_eq!(
        expired,
        holds[2..].to_vec(),
        "one HoldExpired per expired hold: {log:?}"
    );
    assert_eq!(
        api.remaining(&a, "gala").await,
        8,
        "the confirmed seats stay sold"
    );
    let (status, body) = api.confirm(&b, &holds[3]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "hold_not_active");
    let (_, listed) = api.get(&a, "/events/gala/holds").await;
    assert_eq!(
        listed["holds"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
    assert_eq!(listed["confirmed"][0], holds[0].as_str());
}
