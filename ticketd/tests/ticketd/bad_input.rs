//! Bad input gets a 4xx with a JSON error naming the problem, and changes nothing.

use reqwest::StatusCode;
use ticketd::local_etcd::LocalEtcd;
use ticketd::ReadMode;

use crate::support::{etcd_config, start, Api, Reply};

fn assert_refused(reply: Reply, status: StatusCode, code: &str, what: &str) {
    let (got, body) = reply;
    assert_eq!(got, status, "{what}: {body}");
    assert_eq!(body["error"], code, "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_4xx_and_change_nothing() {
    let cluster = LocalEtcd::start(1).await.expect("a 1-member etcd cluster");
    let server = start(etcd_config(
        cluster.client_url(0).expect("member"),
        "bad/",
        ReadMode::Linearizable,
    ))
    .await;
    let base = server.url();
    let api = Api::new();
    assert_eq!(
        api.create_event(&base, "gala", 5).await.0,
        StatusCode::CREATED
    );
    let (_, before) = api.get(&base, "/events/gala").await;

    let bad = StatusCode::BAD_REQUEST;
    let holds = "/events/gala/holds";
    let cases: Vec<(&str, Reply, StatusCode, &str)> = vec![
        (
            "qty 0",
            api.post_raw(&base, holds, r#"{"user":"u","qty":0,"request_id":"a"}"#)
                .await,
            bad,
            "bad_request",
        ),
        (
            "qty above max",
            api.post_raw(&base, holds, r#"{"user":"u","qty":11,"request_id":"a"}"#)
                .await,
            bad,
            "bad_request",
        ),
        (
            "negative qty",
            api.post_raw(&base, holds, r#"{"user":"u","qty":-2,"request_id":"a"}"#)
                .await,
            bad,
            "bad_request",
        ),
        (
            "malformed JSON",
            api.post_raw(&base, holds, r#"{"user":"u","qty":"#).await,
            bad,
            "bad_request",
        ),
        (
            "no request id",
            api.post_raw(&base, holds, r#"{"user":"u","qty":1}"#).await,
            bad,
            "bad_request",
        ),
        (
            "oversized body",
            // A client of its own: ticketd answers before reading the body and closes the
            // connection, which a pooled client could otherwise try to reuse.
            Api::new()
                .post_raw(&base, holds, vec![b' '; 20 * 1024])
                .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            "unknown event",
            api.post_raw(
                &base,
                "/events/nope/holds",
                r#"{"user":"u","qty":1,"request_id":"a"}"#,
            )
            .await,
            StatusCode::NOT_FOUND,
            "unknown_event",
        ),
        (
            "bad event name",
            api.put_raw(&base, "/events/a%20b", r#"{"capacity":1}"#)
                .await,
            bad,
            "bad_request",
        ),
        (
            "negative capacity",
            api.put_raw(&base, "/events/other", r#"{"capacity":-1}"#)
                .await,
            bad,
            "bad_request",
        ),
        (
            "other capacity",
            api.put_raw(&base, "/events/gala", r#"{"capacity":7}"#)
                .await,
            StatusCode::CONFLICT,
            "event_exists",
        ),
        (
            "bad min_seq",
            api.get(&base, "/events/gala/holds?min_seq=soon").await,
            bad,
            "bad_request",
        ),
        (
            "unknown hold",
            api.confirm(&base, "gala:999999").await,
            StatusCode::NOT_FOUND,
            "unknown_hold",
        ),
        (
            "malformed hold",
            api.release(&base, "nocolon").await,
            StatusCode::NOT_FOUND,
            "unknown_hold",
        ),
        (
            "no such route",
            api.get(&base, "/tickets").await,
            StatusCode::NOT_FOUND,
            "no_route",
        ),
    ];
    for (what, reply, status, code) in cases {
        assert_refused(reply, status, code, what);
    }

    let (_, after) = api.get(&base, "/events/gala").await;
    assert_eq!(
        after, before,
        "no write happened (same remaining, same seq)"
    );
    assert!(api.log(&base, "gala").await.is_empty());
    assert_eq!(
        api.get(&base, "/events/other").await.0,
        StatusCode::NOT_FOUND
    );
}
