//! etcd mode: 100 clients race for the last 10 seats across three ticketd instances on three members.

use std::collections::{BTreeSet, HashMap};

use reqwest::StatusCode;
use ticketd::local_etcd::LocalEtcd;
use ticketd::ReadMode;

use crate::support::{entries_of, etcd_config, start, Api};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_clients_race_for_the_last_ten_seats_and_exactly_ten_are_held() {
    let cluster = LocalEtcd::start(3).await.expect("a 3-member etcd cluster");
    let mut servers = Vec::new();
    for i in 0..3 {
        let endpoint = cluster.client_url(i).expect("member exists");
        servers.push(start(etcd_config(endpoint, "race/", ReadMode::Linearizable)).await);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();
    let api = Api::new();
    assert_eq!(
        api.create_event(&urls[0], "gala", 50).await.0,
        StatusCode::CREATED
    );
    for i in 0..4 {
        let (status, body) = api
            .place(&urls[i % 3], "gala", "early", 10, &format!("early{i}"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_eq!(api.remaining(&urls[2], "gala").await, 10);

    let racers = (0..100).map(|k| {
        let (api, base) = (Api::new(), urls[k % 3].clone());
        tokio::spawn(async move {
            let reply = api
                .place_until_known(&base, "gala", &format!("u{k}"), &format!("r{k}"))
                .await;
            (k, reply)
        })
    });
    let mut won = HashMap::new();
    for racer in racers.collect::<Vec<_>>() {
        let (k, (status, body)) = racer.await.expect("a racer finishes");
        match status {
            StatusCode::CREATED | StatusCode::OK => {
                won.insert(k, body["hold"].as_str().expect("a hold id").to_string());
            }
            StatusCode::CONFLICT => assert_eq!(body["error"], "sold_out", "{body}"),
            other => panic!("racer {k} got {other}: {body}"),
        }
    }
    assert_eq!(won.len(), 10, "exactly the last 10 seats are held: {won:?}");
    let distinct: BTreeSet<&String> = won.values().collect();
    assert_eq!(distinct.len(), 10, "every winner got its own hold");
    assert_eq!(api.remaining(&urls[1], "gala").await, 0);

    let log = api.log(&urls[2], "gala").await;
    let placed = entries_of(&log, "HoldPlaced");
    assert_eq!(placed.len(), 14, "one HoldPlaced per hold: {placed:?}");
    assert_eq!(placed.iter().collect::<BTreeSet<_>>().len(), 14);
    assert!(distinct.iter().all(|h| placed.contains(h)));
    let seqs: Vec<i64> = log.iter().filter_map(|e| e["seq"].as_i64()).collect();
    // Holds placed by one batched txn share its seq.
    assert!(
        seqs.windows(2).all(|w| w[0] <= w[1]),
        "the log is in seq order: {seqs:?}"
    );

    // Every request retried with its request id, on another instance, creates nothing new.
    for k in 0..100 {
        let base = &urls[(k + 1) % 3];
        let (status, body) = api
            .place(base, "gala", &format!("u{k}"), 1, &format!("r{k}"))
            .await;
        match won.get(&k) {
            Some(hold) => {
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(body["replayed"], true);
                assert_eq!(body["hold"].as_str(), Some(hold.as_str()));
            }
            None => assert_eq!(status, StatusCode::CONFLICT, "{body}"),
        }
    }
    assert_eq!(
        api.log(&urls[0], "gala").await.len(),
        log.len(),
        "retries logged nothing"
    );
    assert_eq!(api.remaining(&urls[0], "gala").await, 0);
    let (_, holds) = api.get(&urls[0], "/events/gala/holds").await;
    assert_eq!(holds["holds"].as_array().map(Vec::len), Some(14));
}
