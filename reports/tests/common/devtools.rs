//! Driving headless Chromium through the DevTools protocol over `--remote-debugging-pipe` (JSON
//! messages ending in NUL on fds 3 and 4): real mouse events on a loaded page, and script results
//! read back. The browser is killed on drop and by a watchdog if it outlives the deadline.

use super::browser::{chromium, Guard, DEADLINE};
use super::TempDir;
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A page open in headless Chromium, driven over the DevTools pipe.
pub struct Page {
    to_browser: File,
    from_browser: BufReader<File>,
    session: String,
    next_id: u64,
    done: Arc<AtomicBool>,
    _guard: Guard,
    _profile: TempDir,
}

/// A pipe whose both ends close on exec (the child gets dup2'd copies that do not).
fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into the array it is given.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2 failed");
    (fds[0], fds[1])
}

impl Page {
    /// Opens a local page at 1280x900 and waits until its timeline script has run.
    pub fn open(page: &Path) -> Page {
        let profile = TempDir::new("chromium-devtools");
        let (to_read, to_write) = pipe();
        let (from_read, from_write) = pipe();
        let mut command = chromium(
            profile.path(),
            page,
            "",
            &[
                "--remote-debugging-pipe".into(),
                "--window-size=1280,900".into(),
            ],
        );
        command.stdout(Stdio::null());
        // SAFETY: only async-signal-safe fcntl and dup2 calls between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Move both ends above 4 first, so neither is clobbered by the other's dup2.
                let read = libc::fcntl(to_read, libc::F_DUPFD, 10);
                let write = libc::fcntl(from_write, libc::F_DUPFD, 10);
                if read < 0 || write < 0 || libc::dup2(read, 3) < 0 || libc::dup2(write, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start chromium");
        // SAFETY: the parent's ends are ours alone; the child's copies live in the child.
        let (to_browser, from_browser) = unsafe {
            libc::close(to_read);
            libc::close(from_write);
            (File::from_raw_fd(to_write), File::from_raw_fd(from_read))
        };
        let done = Arc::new(AtomicBool::new(false));
        let pid = child.id() as libc::pid_t;
        let watched = done.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            while !watched.load(Ordering::SeqCst) {
                if start.elapsed() > DEADLINE {
                    // SAFETY: signalling our own child process.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let mut page = Page {
            to_browser,
            from_browser: BufReader::new(from_browser),
            session: String::new(),
            next_id: 0,
            done,
            _guard: Guard(child),
            _profile: profile,
        };
        let targets = page.call("Target.getTargets", json!({}));
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .expect("a page target")["targetId"]
            .clone();
        let attached = page.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        page.session = attached["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        let started = Instant::now();
        while page
            .eval("document.getElementById('render-stats')?.dataset.ops ?? null")
            .is_null()
        {
            assert!(
                started.elapsed() < DEADLINE,
                "the page's script never finished"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        page
    }

    /// Sends one command (to the page's session once attached) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let mut message = json!({"id": self.next_id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("write to chromium");
        loop {
            let mut reply = Vec::new();
            let n = self
                .from_browser
                .read_until(0, &mut reply)
                .expect("read from chromium");
            assert!(n > 0, "chromium closed the pipe during {method}");
            reply.pop();
            let reply: Value = serde_json::from_slice(&reply).expect("a JSON message");
            if reply["id"] == json!(self.next_id) {
                assert!(reply.get("error").is_none(), "{method} failed: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates an expression in the page (awaiting it when it is a promise); returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression} threw: {r}"
        );
        r["result"]["value"].clone()
    }

    /// Lets the page paint twice (pending redraws run on animation frames).
    pub fn settle(&mut self) {
        self.eval(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
        );
    }

    /// A real mouse event at page coordinates: `mouseMoved`, `mousePressed`, `mouseReleased` or
    /// `mouseWheel` (with `delta_y`).
    pub fn mouse(&mut self, kind: &str, x: f64, y: f64, delta_y: f64) {
        let held = matches!(kind, "mousePressed" | "mouseReleased");
        let mut params = json!({"type": kind, "x": x, "y": y, "deltaX": 0, "deltaY": delta_y});
        if held || kind == "mouseMoved" {
            params["button"] = json!(if held { "left" } else { "none" });
            params["clickCount"] = json!(if held { 1 } else { 0 });
        }
        self.call("Input.dispatchMouseEvent", params);
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}
