//! One running adapter process: the handshake, then a writer task that batches request lines
//! into its stdin and a reader task that hands each answer to the operation waiting for it.
//!
//! A line that breaks the protocol, an answer to an id never sent, or the process ending ends
//! the session: every operation still waiting learns why (and is recorded `info`), and the
//! process is killed.

use super::command::{self, Group, Started};
use super::error::AdapterError;
use super::hello::{AdapterHello, Hello};
use super::log::AdapterLog;
use super::reply::{self, Answer};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How long an adapter has to answer the hello.
pub const HANDSHAKE_TIME: Duration = Duration::from_secs(10);
/// How long a failed write waits for the reader to see the adapter's exit.
const EXIT_NOTICE: Duration = Duration::from_millis(500);
/// How long a closing adapter has to exit on its own after its stdin closes.
const CLOSE_TIME: Duration = Duration::from_secs(2);

/// How an operation sent to the adapter ended.
#[derive(Debug)]
pub enum Outcome {
    /// The adapter answered.
    Answer(Answer),
    /// The session ended first, for this reason.
    Lost(String),
}

/// The operations in flight and whether the session still runs.
#[derive(Default)]
struct Table {
    waiting: HashMap<u64, oneshot::Sender<Outcome>>,
    /// Ids whose caller gave up (the op timeout): a late answer to one is not an error.
    abandoned: HashSet<u64>,
    ended: Option<String>,
    answered: bool,
    /// The writer task's queue; `None` once the session is closing.
    requests: Option<mpsc::UnboundedSender<String>>,
}

type Shared = Arc<Mutex<Table>>;

fn lock(table: &Shared) -> MutexGuard<'_, Table> {
    table.lock().unwrap_or_else(|p| p.into_inner())
}

/// Ends the session for `reason`: every waiting operation learns it.
fn end(table: &Shared, reason: String) {
    let mut t = lock(table);
    if t.ended.is_some() {
        return;
    }
    for (_, waiter) in t.waiting.drain() {
        let _ = waiter.send(Outcome::Lost(reason.clone()));
    }
    t.ended = Some(reason);
}

/// A running adapter that has answered the handshake.
pub struct Session {
    table: Shared,
    reader: Mutex<Option<JoinHandle<()>>>,
}

impl Session {
    /// Starts `command`, sends `hello` and waits for the adapter's hello; refuses an adapter that
    /// lacks one of `needed`.
    pub async fn open(
        command: &str,
        hello: &Hello,
        needed: &[&str],
        log: &AdapterLog,
    ) -> Result<(Session, AdapterHello), AdapterError> {
        let Started {
            mut child,
            group,
            stdin,
            stdout,
        } = command::start(command, log)?;
        let mut stdin = BufWriter::new(stdin);
        let mut stdout = BufReader::new(stdout);
        let mut head = Vec::new();
        let io = |e: std::io::Error| AdapterError::Io {
            command: command.to_owned(),
            reason: e.to_string(),
        };
        let greeting = format!("{}\n", hello.to_json());
        // An adapter that exits at once closes its stdin: that shows as its exit below.
        let sent = async {
            stdin.write_all(greeting.as_bytes()).await?;
            stdin.flush().await
        };
        let sent = sent.await;
        let first = tokio::time::timeout(HANDSHAKE_TIME, first_line(&mut stdout, &mut head)).await;
        let answer = match first {
            Ok(Ok(Some(line))) => {
                AdapterHello::parse(&line).ok_or_else(|| AdapterError::BadHello {
                    command: command.to_owned(),
                    line: line.chars().take(200).collect(),
                    stderr: stderr_note(log),
                })?
            }
            Ok(Ok(None)) => return Err(exited(command, &mut child, log).await),
            Ok(Err(e)) => return Err(io(e)),
            Err(_) => {
                let partial: String = String::from_utf8_lossy(&head).chars().take(200).collect();
                let printed = match log.tail() {
                    _ if !partial.trim().is_empty() => {
                        format!("it printed {partial:?} and no end of line")
                    }
                    t if t.is_empty() => "it printed nothing".to_owned(),
                    t => format!("it printed only to stderr: {t:?}"),
                };
                return Err(AdapterError::Silent {
                    command: command.to_owned(),
                    seconds: HANDSHAKE_TIME.as_secs(),
                    printed,
                });
            }
        };
        sent.map_err(io)?;
        let missing = answer.missing(needed);
        if !missing.is_empty() {
            return Err(AdapterError::MissingFs {
                name: answer.name.clone(),
                workload: hello.workload.clone(),
                missing: missing.join(", "),
                supported: answer.fs.join(", "),
            });
        }
        let (requests, queue) = mpsc::unbounded_channel();
        let table = Arc::new(Mutex::new(Table {
            requests: Some(requests),
            ..Table::default()
        }));
        tokio::spawn(write_loop(stdin, queue, table.clone()));
        let reader = tokio::spawn(read_loop(stdout.lines(), (child, group), table.clone()));
        let reader = Mutex::new(Some(reader));
        Ok((Session { table, reader }, answer))
    }

    /// Sends one request line for operation `id`; the receiver gets its outcome. Fails with the
    /// reason when the session has already ended (then nothing was sent).
    pub fn submit(&self, id: u64, line: String) -> Result<oneshot::Receiver<Outcome>, String> {
        let (tx, rx) = oneshot::channel();
        let mut t = lock(&self.table);
        if let Some(why) = &t.ended {
            return Err(why.clone());
        }
        let sent = t.requests.as_ref().is_some_and(|r| r.send(line).is_ok());
        if !sent {
            return Err("the adapter's stdin is closed".to_owned());
        }
        t.waiting.insert(id, tx);
        Ok(rx)
    }

    /// The caller of `id` stopped waiting (timed out): a late answer to it is dropped quietly.
    pub fn abandon(&self, id: u64) {
        let mut t = lock(&self.table);
        if t.waiting.remove(&id).is_some() {
            t.abandoned.insert(id);
        }
    }

    /// Why the session ended, or `None` while it runs.
    pub fn ended(&self) -> Option<String> {
        lock(&self.table).ended.clone()
    }

    /// Whether the adapter answered any operation in this session.
    pub fn answered(&self) -> bool {
        lock(&self.table).answered
    }

    /// Closes the adapter's stdin, gives it a moment to exit on its own, then kills it.
    pub async fn close(&self) {
        lock(&self.table).requests = None;
        let reader = self.reader.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(reader) = reader {
            let abort = reader.abort_handle();
            // Aborting the reader drops the child, which kills it.
            if tokio::time::timeout(CLOSE_TIME, reader).await.is_err() {
                abort.abort();
            }
        }
        end(&self.table, "the run ended".to_owned());
    }
}

/// The first non-blank line, or `None` at end of output. Bytes of a line not yet ended stay in
/// `head` (also when the wait is cut short), to say what a silent adapter did print.
async fn first_line(
    stdout: &mut BufReader<ChildStdout>,
    head: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    loop {
        if stdout.read_until(b'\n', head).await? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(head)
            .trim_end_matches(['\n', '\r'])
            .to_owned();
        head.clear();
        if !line.trim().is_empty() {
            return Ok(Some(line));
        }
    }
}

/// The error for an adapter that closed its stdout before the hello.
async fn exited(command: &str, child: &mut Child, log: &AdapterLog) -> AdapterError {
    let status = match tokio::time::timeout(Duration::from_secs(1), child.wait()).await {
        Ok(Ok(status)) => status.to_string(),
        _ => "it closed its stdout".to_owned(),
    };
    // Let the stderr pump catch the last words.
    tokio::time::sleep(Duration::from_millis(50)).await;
    AdapterError::Exited {
        command: command.to_owned(),
        status,
        stderr: stderr_note(log),
    }
}

/// "; its stderr ends: ..." when the adapter wrote to stderr.
fn stderr_note(log: &AdapterLog) -> String {
    match log.tail() {
        t if t.is_empty() => String::new(),
        t => format!("; its stderr ends: {t:?}"),
    }
}

/// Writes request lines to the adapter, flushing whenever the queue is empty.
async fn write_loop(
    mut stdin: BufWriter<ChildStdin>,
    mut queue: mpsc::UnboundedReceiver<String>,
    table: Shared,
) {
    while let Some(first) = queue.recv().await {
        let mut line = Some(first);
        let mut written = Ok(());
        while let Some(l) = line {
            written = stdin.write_all(l.as_bytes()).await;
            if written.is_err() {
                break;
            }
            line = queue.try_recv().ok();
        }
        if let Err(e) = written.and(stdin.flush().await) {
            // Usually the adapter exited: give the reader the moment it needs to say so with
            // the exit status, the better reason.
            tokio::time::sleep(EXIT_NOTICE).await;
            end(&table, format!("writing to the adapter failed ({e})"));
            return;
        }
    }
}

/// Hands each answer to its operation until the session ends; then makes sure the process and
/// its group are gone (also when the task is aborted: dropping them kills them).
async fn read_loop(
    mut lines: Lines<BufReader<ChildStdout>>,
    (mut child, group): (Child, Group),
    table: Shared,
) {
    let reason = loop {
        let line = match lines.next_line().await {
            Ok(Some(line)) => line,
            Ok(None) => {
                let status = tokio::time::timeout(Duration::from_secs(1), child.wait()).await;
                break match status {
                    Ok(Ok(s)) => format!("the adapter exited ({s})"),
                    _ => "the adapter closed its stdout".to_owned(),
                };
            }
            Err(e) => break format!("reading the adapter's output failed ({e})"),
        };
        if line.trim().is_empty() {
            continue;
        }
        match reply::parse(&line) {
            Ok((id, answer)) => {
                let mut t = lock(&table);
                if let Some(waiter) = t.waiting.remove(&id) {
                    t.answered = true;
                    let _ = waiter.send(Outcome::Answer(answer));
                } else if !t.abandoned.remove(&id) {
                    break format!("the adapter answered id {id}, which is not in flight");
                }
            }
            Err(why) => {
                let shown: String = line.chars().take(120).collect();
                break format!("the adapter broke the protocol: {why} in {shown:?}");
            }
        }
    };
    end(&table, reason);
    drop(group);
    let _ = child.start_kill();
    let _ = child.wait().await;
}
