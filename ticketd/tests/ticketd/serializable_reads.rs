//! etcd mode with serializable reads: a member cut off from the cluster answers stale reads, and
//! `min_seq` refuses them (503) until the member has caught up, then reads its writes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use ticketd::local_etcd::LocalEtcd;
use ticketd::ReadMode;

use crate::support::{etcd_config, start, Api};

fn hold_ids(body: &Value) -> Vec<String> {
    body["holds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_member_reads_stale_and_min_seq_repairs_it() {
    let cluster = LocalEtcd::start(3).await.expect("a 3-member etcd cluster");
    let leader = cluster.leader().await.expect("the cluster has a leader");
    let cut = (leader + 1) % 3;
    let writer = start(etcd_config(
        cluster.client_url(leader).expect("member"),
        "rr/",
        ReadMode::Linearizable,
    ))
    .await;
    let mut reader_config = etcd_config(
        cluster.client_url(cut).expect("member"),
        "rr/",
        ReadMode::Serializable,
    );
    reader_config.min_seq_wait = Duration::from_secs(5);
    let reader = start(reader_config).await;
    let (w, r) = (writer.url(), reader.url());
    let api = Api::new();
    assert_eq!(
        api.create_event(&w, "gala", 10).await.0,
        StatusCode::CREATED
    );
    let (_, first) = api.place(&w, "gala", "dana", 1, "d1").await;
    let first_seq = first["seq"].as_i64().expect("a seq");
    let (status, body) = api
        .get(
            &r,
            &format!("/events/gala/holds?user=dana&min_seq={first_seq}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        hold_ids(&body),
        vec![first["hold"].as_str().expect("a hold").to_string()]
    );

    cluster.isolate(cut).expect("the member can be cut off");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, second) = api.place(&w, "gala", "dana", 1, "d2").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the majority still takes writes: {second}"
    );
    let second_seq = second["seq"].as_i64().expect("a seq");
    let second_hold = second["hold"].as_str().expect("a hold").to_string();

    let (status, stale) = api.get(&r, "/events/gala/holds?user=dana").await;
    assert_eq!(status, StatusCode::OK, "{stale}");
    assert!(
        stale["seq"].as_i64().expect("a seq") < second_seq,
        "{stale}"
    );
    assert!(
        !hold_ids(&stale).contains(&second_hold),
        "a stale read misses dana's own hold: {stale}"
    );
    let (_, inventory) = api.get(&r, "/events/gala").await;
    assert_eq!(
        inventory["remaining"], 9,
        "the stale inventory: {inventory}"
    );

    let with_token = format!("/events/gala/holds?user=dana&min_seq={second_seq}");
    let (status, refused) = api.get(&r, &with_token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{refused}");
    assert_eq!(refused["error"], "stale");

    cluster.heal();
    let (status, fresh) = api.get(&r, &with_token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "after healing min_seq waits for the write: {fresh}"
    );
    assert!(hold_ids(&fresh).contains(&second_hold), "{fresh}");
    assert!(fresh["seq"].as_i64().expect("a seq") >= second_seq);
}
