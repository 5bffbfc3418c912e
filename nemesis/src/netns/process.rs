//! Processes inside namespaces: start them detached, signal them, find and kill them all.

use crate::command::run;
use crate::error::{NemesisError, Result};
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `argv` inside namespace `ns`, in its own process group, appending its output to `log`;
/// returns its pid. A thread reaps it when it exits. It inherits no descriptor beyond 0-2: a node
/// outlives the command that started it and must not keep its files open (a `flock` lock held
/// by `flock /tmp/x.lock frenzy cluster up` would otherwise be held for as long as the node runs).
pub fn spawn_in(ns: &str, argv: &[String], log: &Path) -> Result<u32> {
    let file_err = |source| NemesisError::File {
        path: log.to_path_buf(),
        source,
    };
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(file_err)?;
    let err = out.try_clone().map_err(file_err)?;
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", ns])
        .args(argv)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    // SAFETY: the closure only makes one async-signal-safe system call.
    unsafe {
        command.pre_exec(|| {
            // CLOSE_RANGE_CLOEXEC: every descriptor from 3 on closes when `ip` execs.
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 4u32);
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(|source| NemesisError::Spawn {
        command: argv.first().cloned().unwrap_or_default(),
        source,
    })?;
    let pid = child.id();
    std::thread::spawn(move || child.wait());
    Ok(pid)
}

/// The pids of every process in namespace `ns`.
pub fn pids_in(ns: &str) -> Result<Vec<u32>> {
    let out = run("ip", &["netns", "pids", ns], None)?;
    Ok(out
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect())
}

/// Sends `signal` to `pid`; false when there is no such process.
pub fn signal(pid: u32, signal: i32) -> bool {
    // SAFETY: kill(2) has no memory effects; pid and signal are plain integers.
    unsafe { libc::kill(pid as libc::pid_t, signal) == 0 }
}

/// Signals every process in namespace `ns`; returns their pids.
pub fn signal_all(ns: &str, sig: i32) -> Result<Vec<u32>> {
    let pids = pids_in(ns)?;
    Ok(pids.into_iter().filter(|p| signal(*p, sig)).collect())
}

/// True when `pid` runs (exists and is not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
    })
}

/// SIGKILLs every process in `ns` and waits (up to 5 s) until they are gone; returns their pids.
pub fn kill_all(ns: &str) -> Result<Vec<u32>> {
    let pids = signal_all(ns, libc::SIGKILL)?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(pids)
}
