//! `frenzy serve` as a process: the index links only files a run has, and SIGTERM and Ctrl-C stop
//! it (exit 0) even while a client holds a half-sent request.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A store folder unique to this test, removed when dropped.
struct Store(PathBuf);

impl Store {
    fn new(name: &str) -> Store {
        let dir =
            std::env::temp_dir().join(format!("frenzy-cli-serve-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Store(dir)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `frenzy serve` on a free loopback port; the process and its address.
fn serve(store: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["serve", "--addr", "127.0.0.1:0", "--store"])
        .arg(store)
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting frenzy serve");
    let mut banner = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut banner)
        .expect("the serving line");
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    (child, addr)
}

#[test]
fn the_index_links_only_the_files_a_run_has() {
    let store = Store::new("index");
    // A run killed mid-way: its folder holds the history alone.
    let run = store.0.join("tickets").join("20261130T101500");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(
        run.join("history.jsonl"),
        "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n",
    )
    .unwrap();
    let (mut child, addr) = serve(&store.0);
    let mut stream = std::net::TcpStream::connect(&addr).expect("connecting");
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: t\r\n\r\n")
        .expect("asking for the index");
    let mut page = String::new();
    let _ = stream.read_to_string(&mut page);
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("20261130T101500/history.jsonl"), "{page}");
    assert!(
        !page.contains("results.json"),
        "no link to a missing file: {page}"
    );
    assert!(
        !page.contains("junit.xml"),
        "no link to a missing file: {page}"
    );
}

#[test]
fn sigterm_and_sigint_stop_serve_despite_a_half_sent_request() {
    let store = Store::new("signals");
    for signal in ["TERM", "INT"] {
        let (mut child, addr) = serve(&store.0);
        let mut stalled = std::net::TcpStream::connect(&addr).expect("connecting");
        stalled
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Half: ")
            .expect("half a request");
        // Time for the server to take the connection in, so the shutdown finds it half-read.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success());
        let status = child.wait().expect("waiting for frenzy serve");
        assert_eq!(status.code(), Some(0), "SIG{signal}");
    }
}
