//! `frenzy serve`'s router on a real loopback socket: the index, run files, and nothing else.

mod common;

use common::histories::store_oversold;
use common::TempDir;
use std::io::{Read, Write};
use std::net::TcpStream;

/// A plain HTTP/1.1 GET; returns (status, body).
fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (
        status,
        text.lines().take(12).collect::<Vec<_>>().join("\n") + "\n\n" + &body,
    )
}

#[test]
fn serves_the_index_and_run_files_but_nothing_outside_the_store() {
    let tmp = TempDir::new("serve");
    let store = tmp.path().join("store");
    let (_, run) = store_oversold(&store);
    fs_secret(tmp.path());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(reports::serve::serve_on(listener, store.clone(), async {
        let _ = stopped.await;
    }));

    let (status, index) = get(addr, "/");
    assert_eq!(status, 200);
    let link = format!("/runs/oversell/{}/report.html", run.stamp());
    assert!(index.contains(&link), "{index}");
    assert!(index.contains("<td class=\"invalid\">invalid</td><td class=\"num\">7</td>"));

    let (status, page) = get(addr, &link);
    assert_eq!(status, 200);
    assert!(page.contains("content-type: text/html"));
    assert!(page.contains("Frenzy report: oversell"));
    let (status, png) = get(addr, &format!("/runs/oversell/{}/latency.png", run.stamp()));
    assert_eq!(status, 200);
    assert!(png.contains("content-type: image/png"));
    assert_eq!(get(addr, "/runs/oversell/latest/results.json").0, 200);

    for outside in [
        "/runs/oversell/../../secret.txt",
        "/runs/oversell/%2e%2e/%2e%2e/secret.txt",
        "/runs/..%2f../secret.txt/x",
        "/runs/oversell/nope/report.html",
        "/secret.txt",
    ] {
        let (status, body) = get(addr, outside);
        assert_eq!(status, 404, "{outside} served: {body}");
        assert!(!body.contains("top secret"));
    }
    let _ = stop.send(());
    rt.block_on(server).unwrap().unwrap();
}

/// A file next to the store that must never be served.
fn fs_secret(dir: &std::path::Path) {
    std::fs::write(dir.join("secret.txt"), "top secret").unwrap();
}
