//! Headless Chromium (Debian's `chromium`): dump a page's DOM after its scripts ran, or take a
//! screenshot. Each call gets a fresh profile; the browser is killed if it outlives a deadline or
//! the test panics.

use super::TempDir;
use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where scripts/setup.sh installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Longest a page may take before the browser is killed and the test fails.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// Kills the browser when dropped (also when the test panics).
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The headless Chromium command every test uses: the flags, a fresh profile under
/// `profile`, and the page's `file://` URL (plus a `#fragment`, may be empty) last.
pub fn chromium(profile: &Path, page: &Path, fragment: &str, extra: &[String]) -> Command {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)"
    );
    let url = format!(
        "file://{}{fragment}",
        page.canonicalize().expect("page exists").display()
    );
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Runs Chromium headless on a local file (plus a `#fragment`, may be empty) with extra flags;
/// returns its stdout.
fn run(page: &Path, fragment: &str, extra: &[String]) -> String {
    let profile = TempDir::new("chromium-profile");
    let out_path = profile.path().join("stdout.txt");
    let out = File::create(&out_path).expect("create stdout file");
    let child = chromium(profile.path(), page, fragment, extra)
        .stdout(Stdio::from(out))
        .spawn()
        .expect("start chromium");
    let mut guard = Guard(child);
    let started = Instant::now();
    loop {
        if let Some(status) = guard.0.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "chromium did not finish within {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&out_path).expect("read chromium output")
}

/// The DOM after the page's scripts ran.
pub fn dump_dom(page: &Path) -> String {
    dump_dom_at(page, "")
}

/// The DOM after the page's scripts ran, opened at a `#fragment`.
pub fn dump_dom_at(page: &Path, fragment: &str) -> String {
    run(
        page,
        fragment,
        &["--dump-dom".into(), "--window-size=1280,1800".into()],
    )
}

/// A screenshot of the page's first `height` pixels at 1280 wide.
pub fn screenshot(page: &Path, png: &Path, height: u32) {
    run(
        page,
        "",
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size=1280,{height}"),
        ],
    );
    assert!(png.is_file(), "chromium wrote no screenshot");
}
