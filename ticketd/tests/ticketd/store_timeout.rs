//! A store that does not answer in time gives 503 "outcome unknown", never sold_out; a retry with
//! the same request id afterwards finds exactly one hold, whichever way the first attempt went.

use std::time::Duration;

use reqwest::StatusCode;
use ticketd::local_etcd::LocalEtcd;
use ticketd::{ModeConfig, ReadMode};

use crate::support::{entries_of, etcd_config, start, Api};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_store_answers_unavailable_and_a_retry_places_one_hold() {
    let cluster = LocalEtcd::start(1).await.expect("a 1-member etcd cluster");
    let mut config = etcd_config(
        cluster.client_url(0).expect("member"),
        "slow/",
        ReadMode::Linearizable,
    );
    if let ModeConfig::Etcd(etcd) = &mut config.mode {
        etcd.store_timeout = Duration::from_millis(500);
    }
    let server = start(config).await;
    let base = server.url();
    let api = Api::new();
    assert_eq!(
        api.create_event(&base, "gala", 1).await.0,
        StatusCode::CREATED
    );

    cluster.pause(0).expect("the member pauses");
    let (status, body) = api.place(&base, "gala", "gus", 1, "g1").await;
    cluster.resume(0).expect("the member resumes");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "unavailable");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("unknown")),
        "{body}"
    );

    let (status, body) = api.place_until_known(&base, "gala", "gus", "g1").await;
    assert!(status.is_success(), "the retry gets the hold: {body}");
    let placed = entries_of(&api.log(&base, "gala").await, "HoldPlaced");
    assert_eq!(
        placed,
        vec![body["hold"].as_str().expect("a hold").to_string()]
    );
    assert_eq!(api.remaining(&base, "gala").await, 0);
}
