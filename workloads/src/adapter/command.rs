//! Starting the adapter program: the command line split into words as a shell would (no shell
//! runs), stdin/stdout piped for the protocol, stderr into the [`AdapterLog`].

use super::error::AdapterError;
use super::log::AdapterLog;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A started adapter process and its protocol pipes.
pub struct Started {
    /// The process (killed when dropped).
    pub child: Child,
    /// Its process group (every process in it killed when dropped).
    pub group: Group,
    /// Its stdin: Frenzy's requests.
    pub stdin: ChildStdin,
    /// Its stdout: the adapter's answers.
    pub stdout: ChildStdout,
}

/// Starts `command`, its stderr pumped into `log`. The adapter runs in a process group of its
/// own, so a Ctrl-C meant for Frenzy reaches it only through Frenzy's orderly stop.
pub fn start(command: &str, log: &AdapterLog) -> Result<Started, AdapterError> {
    let bad = |reason: &str| AdapterError::BadCommand {
        command: command.to_owned(),
        reason: reason.to_owned(),
    };
    let words = shlex::split(command).ok_or_else(|| bad("its quotes do not balance"))?;
    let (program, args) = words.split_first().ok_or_else(|| bad("it is empty"))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| AdapterError::Spawn {
            program: program.clone(),
            reason: e.to_string(),
            hint: match e.kind() {
                std::io::ErrorKind::NotFound => "is it installed, on PATH, or given by its path?",
                std::io::ErrorKind::PermissionDenied => {
                    "make it executable (chmod +x) or name its interpreter, e.g. \"python3 adapter.py\""
                }
                _ => "check the --adapter command",
            },
        })?;
    let io = |what: &str| AdapterError::Io {
        command: command.to_owned(),
        reason: format!("its {what} was not piped"),
    };
    let group = Group(child.id().and_then(|pid| i32::try_from(pid).ok()));
    let stdin = child.stdin.take().ok_or_else(|| io("stdin"))?;
    let stdout = child.stdout.take().ok_or_else(|| io("stdout"))?;
    if let Some(mut stderr) = child.stderr.take() {
        let log = log.clone();
        tokio::spawn(async move {
            let mut chunk = vec![0u8; 8192];
            while let Ok(n) = stderr.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                log.append(&chunk[..n]);
            }
        });
    }
    Ok(Started {
        child,
        group,
        stdin,
        stdout,
    })
}

/// The adapter's process group: dropping it kills every process in it, so what the adapter
/// started (a shell's child, a helper, a `sleep`) does not outlive it. The group's id is the
/// adapter's pid, which the kernel does not hand out again while any process of the group lives.
pub struct Group(Option<i32>);

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pgid) = self.0.filter(|p| *p > 1) {
            // SAFETY: kill(2) with a negative pid signals that process group; it touches no memory.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}
