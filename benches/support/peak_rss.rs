//! Waiting for a child process with `wait4`, for its own peak resident set: the benches and
//! tests that measure `frenzy check`'s memory share it (`#[path]`).

use std::process::Child;

/// Waits for `child` and gives its exit code (`None` when a signal ended it) and its own peak
/// resident set in bytes (other children of this process do not count).
pub fn wait_with_peak_rss(child: Child) -> (Option<i32>, u64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child by its pid, writing only into the two locals; std never
    // waits for it afterwards (the Child is dropped without a wait).
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(waited > 0, "wait4: {}", std::io::Error::last_os_error());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, usage.ru_maxrss as u64 * 1024)
}
