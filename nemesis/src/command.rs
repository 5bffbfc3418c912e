//! Running an external command and checking its exit status.

use crate::error::{NemesisError, Result};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `program args…` (feeding `stdin` when given) and returns its stdout; a non-zero exit is
/// an error carrying the command line and its stderr.
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String> {
    let line = || {
        std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let spawn_err = |source| NemesisError::Spawn {
        command: program.to_string(),
        source,
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_err)?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes()).map_err(spawn_err)?;
    }
    let out = child.wait_with_output().map_err(spawn_err)?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(NemesisError::Command {
            command: line(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// Runs a blocking closure on tokio's blocking pool (commands must not stall the runtime).
pub async fn blocking<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| NemesisError::Invalid(format!("a background task failed: {e}")))?
}
