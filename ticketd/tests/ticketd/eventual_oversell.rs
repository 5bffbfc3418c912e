//! eventual mode: regions that check a lagging copy of the inventory oversell, and a hold reported
//! failed during a partition becomes real when the partition heals.

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{entries_of, eventually, Api, Regions};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_regions_oversell_the_last_seats() {
    let lag = Duration::from_millis(1000);
    let regions = Regions::start(&["eu", "na"], lag, Some(Duration::from_secs(3))).await;
    let (eu, na) = (regions.url(0), regions.url(1));
    let api = Api::new();
    assert_eq!(
        api.create_event(&eu, "gala", 50).await.0,
        StatusCode::CREATED
    );
    let (status, body) = api.place(&eu, "gala", "early", 10, "early0").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for i in 1..4 {
        assert_eq!(
            api.place(&eu, "gala", "early", 10, &format!("early{i}"))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    eventually(WAIT, "na sees the last 10 seats", || async {
        api.get(&na, "/events/gala").await.1["remaining"] == 10
    })
    .await;

    let racers = (0..100).map(|k| {
        let (api, base) = (Api::new(), regions.url(k % 2));
        tokio::spawn(async move {
            api.place(&base, "gala", &format!("u{k}"), 1, &format!("r{k}"))
                .await
        })
    });
    let mut held = 0;
    for racer in racers.collect::<Vec<_>>() {
        let (status, body) = racer.await.expect("a racer finishes");
        match status {
            StatusCode::CREATED => held += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"], "sold_out", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(
        held > 10,
        "the regions sold {held} of the last 10 seats: expected an oversell"
    );

    let oversold = 10 - held as i64;
    for base in [&eu, &na] {
        eventually(WAIT, "the regions converge", || async {
            api.remaining(base, "gala").await == oversold
        })
        .await;
        let placed = entries_of(&api.log(base, "gala").await, "HoldPlaced");
        assert_eq!(
            placed.len(),
            4 + held,
            "every sold hold is in every region's log"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_reported_failed_in_a_partition_is_placed_when_it_heals() {
    let regions = Regions::start(
        &["eu", "na"],
        Duration::from_millis(20),
        Some(Duration::from_millis(500)),
    )
    .await;
    let (eu, na) = (regions.url(0), regions.url(1));
    let api = Api::new();
    assert_eq!(
        api.create_event(&eu, "gala", 5).await.0,
        StatusCode::CREATED
    );
    eventually(WAIT, "na knows the event", || async {
        api.get(&na, "/events/gala").await.0 == StatusCode::OK
    })
    .await;

    regions.inbound[1].cut();
    let (status, body) = api.place(&eu, "gala", "carol", 2, "carol1").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["error"], "sold_out",
        "ConcertFrenzy tells carol her hold failed: {body}"
    );
    assert!(
        api.log(&na, "gala").await.is_empty(),
        "na has not heard of it yet"
    );

    regions.inbound[1].heal();
    eventually(WAIT, "the failed hold reaches na", || async {
        !api.log(&na, "gala").await.is_empty()
    })
    .await;
    let log = api.log(&na, "gala").await;
    assert_eq!(log[0]["type"], "HoldPlaced");
    assert_eq!(
        log[0]["request_id"], "carol1",
        "the payment service will charge carol: {log:?}"
    );
    assert_eq!(api.remaining(&na, "gala").await, 3);
    let (_, holds) = api.get(&eu, "/events/gala/holds?user=carol").await;
    assert_eq!(holds["holds"].as_array().map(Vec::len), Some(1), "{holds}");
}
