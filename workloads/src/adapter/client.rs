//! The adapter as a workload [`Client`]: each operation one request line, its answer the
//! completion; a dead adapter is restarted (with a pause, a bounded number of times in a row).

use super::error::AdapterError;
use super::hello::{AdapterHello, Hello};
use super::log::AdapterLog;
use super::restart::{Restarts, MAX_RESTARTS};
use super::session::{Outcome, Session};
use crate::client::Client;
use crate::op::{Completion, Op};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a caller waits before it is told the adapter is down for good, so that workers
/// do not spin on refusals.
const DOWN_PAUSE: Duration = Duration::from_secs(1);

/// Drives any system through a user's adapter process (docs/adapters.md).
pub struct AdapterClient {
    command: String,
    hello: Hello,
    needed: Vec<&'static str>,
    name: String,
    log: AdapterLog,
    next_id: AtomicU64,
    current: Mutex<Arc<Session>>,
    restarts: tokio::sync::Mutex<Restarts>,
}

impl AdapterClient {
    /// Starts `command` and shakes hands with it; refuses an adapter that cannot run the
    /// workload (not startable, silent, or lacking one of `needed`). Its stderr goes to `log`.
    pub async fn start(
        command: &str,
        hello: Hello,
        needed: Vec<&'static str>,
        log: AdapterLog,
    ) -> Result<AdapterClient, AdapterError> {
        let (session, AdapterHello { name, .. }) =
            Session::open(command, &hello, &needed, &log).await?;
        Ok(AdapterClient {
            command: command.to_owned(),
            hello,
            needed,
            name,
            log,
            next_id: AtomicU64::new(1),
            current: Mutex::new(Arc::new(session)),
            restarts: tokio::sync::Mutex::new(Restarts::default()),
        })
    }

    /// The name the adapter gave in its hello.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the adapter's stderr goes.
    pub fn log(&self) -> &AdapterLog {
        &self.log
    }

    /// Closes the adapter: its stdin is closed, then it is killed if it has not exited.
    pub async fn close(&self) {
        self.session_now().close().await;
    }

    fn session_now(&self) -> Arc<Session> {
        self.lock_current().clone()
    }

    fn lock_current(&self) -> MutexGuard<'_, Arc<Session>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A running session: the current one, or a restarted one when it ended. `Err` says why
    /// no adapter runs (then the operation was never sent).
    async fn session(&self) -> Result<Arc<Session>, String> {
        let session = self.session_now();
        let Some(why) = session.ended() else {
            return Ok(session);
        };
        let mut restarts = self.restarts.lock().await;
        // Another caller may have restarted it while this one waited.
        let latest = self.session_now();
        if !Arc::ptr_eq(&latest, &session) && latest.ended().is_none() {
            return Ok(latest);
        }
        if latest.answered() {
            restarts.answered();
        }
        let Some(pause) = restarts.next() else {
            drop(restarts);
            tokio::time::sleep(DOWN_PAUSE).await;
            return Err(format!(
                "the adapter is down: it was restarted {MAX_RESTARTS} times in a row without \
                 answering (last: {why}); see adapter.log"
            ));
        };
        self.log
            .note(&format!("{why}; restarting the adapter in {pause:?}"));
        tokio::time::sleep(pause).await;
        match Session::open(&self.command, &self.hello, &self.needed, &self.log).await {
            Ok((fresh, _)) => {
                let fresh = Arc::new(fresh);
                *self.lock_current() = fresh.clone();
                Ok(fresh)
            }
            Err(e) => {
                self.log.note(&format!("the restart failed: {e}"));
                Err(format!("the adapter could not be restarted: {e}"))
            }
        }
    }
}

/// Gives up on an id when its caller stops waiting (the op timeout drops the call).
struct Waiting<'a> {
    session: &'a Session,
    id: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.session.abandon(self.id);
    }
}

impl Client for AdapterClient {
    async fn call(&self, node: usize, op: &Op) -> Completion {
        let Some(address) = self.hello.nodes.get(node) else {
            return Completion::refused(op, format!("no node number {node}"));
        };
        let session = match self.session().await {
            Ok(s) => s,
            Err(why) => return Completion::refused(op, why),
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request =
            json!({"id": id, "node": address, "node_index": node, "f": op.f, "value": op.value});
        let answer = match session.submit(id, format!("{request}\n")) {
            Ok(answer) => answer,
            Err(why) => return Completion::refused(op, format!("not sent: {why}")),
        };
        let _waiting = Waiting {
            session: &session,
            id,
        };
        match answer.await {
            Ok(Outcome::Answer(a)) => a.completion(op),
            Ok(Outcome::Lost(why)) => Completion::unknown(op, why),
            Err(_) => Completion::unknown(op, "the adapter session ended"),
        }
    }
}
