//! `frenzy serve` as a process: SIGTERM and Ctrl-C stop it (exit 0) even while a client holds a
//! half-sent request.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn sigterm_and_sigint_stop_serve_despite_a_half_sent_request() {
    let store = std::env::temp_dir().join(format!("frenzy-cli-serve-{}", std::process::id()));
    std::fs::create_dir_all(&store).unwrap();
    for signal in ["TERM", "INT"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
            .args(["serve", "--addr", "127.0.0.1:0", "--store"])
            .arg(&store)
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
        let mut stalled = std::net::TcpStream::connect(&addr).expect("connecting");
        stalled
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Half: ")
            .expect("half a request");
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success());
        let status = child.wait().expect("waiting for frenzy serve");
        assert_eq!(status.code(), Some(0), "SIG{signal} ({banner})");
    }
    let _ = std::fs::remove_dir_all(&store);
}
