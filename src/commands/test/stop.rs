//! The terminating signals of a run (SIGINT, SIGTERM, SIGHUP). The first one stops the workload:
//! faults are healed, the stop is recorded in the history, and the history, results (verdict
//! unknown) and report are written before Frenzy exits 128 + the signal's number. Later ones are
//! explained, not obeyed: cutting the heal short would leave the cluster broken.

use crate::exit::Stopped;
use anyhow::Context;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::signal::unix::{signal, Signal as UnixSignal, SignalKind};
use tokio::sync::watch;
use workloads::Recorder;

/// A terminating signal Frenzy received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    /// Its number (2, 15, 1).
    pub number: i32,
    /// Its name, e.g. `SIGTERM`.
    pub name: &'static str,
}

impl Signal {
    /// The conventional exit code of a process stopped by this signal: 128 + its number.
    pub fn exit_code(self) -> u8 {
        (128 + self.number) as u8
    }
}

/// SIGINT, SIGTERM and SIGHUP (their numbers are the same on every Linux architecture).
const SIGINT: Signal = Signal {
    number: 2,
    name: "SIGINT",
};
const SIGTERM: Signal = Signal {
    number: 15,
    name: "SIGTERM",
};
const SIGHUP: Signal = Signal {
    number: 1,
    name: "SIGHUP",
};

/// Listens for the terminating signals for as long as it lives (from before the preflight to the
/// end of the run), so none of them kills Frenzy with faults in place.
pub struct Stop {
    received: watch::Receiver<Option<Signal>>,
    stopped: watch::Receiver<bool>,
    recorder: Arc<Mutex<Option<Recorder>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stop {
    /// Installs the handlers on `runtime`.
    pub fn listen(runtime: &tokio::runtime::Runtime) -> anyhow::Result<Stop> {
        let _inside = runtime.enter();
        let mut streams = Streams::new()?;
        let (tell, received) = watch::channel(None);
        let (stop, stopped) = watch::channel(false);
        let recorder: Arc<Mutex<Option<Recorder>>> = Arc::default();
        let record_to = recorder.clone();
        let task = tokio::spawn(async move {
            loop {
                let sig = streams.next().await;
                if tell.borrow().is_some() {
                    eprintln!(
                        "received {} again: Frenzy is still healing the faults and writing the run, \
                         which another signal does not cut short (nothing else would heal the \
                         cluster); it exits {} when done. SIGKILL stops it at once and leaves the \
                         faults for `frenzy cluster heal`.",
                        sig.name,
                        tell.borrow().map_or(sig, |first| first).exit_code()
                    );
                    continue;
                }
                eprintln!(
                    "\nreceived {}: stopping the workload, healing every fault, then writing the \
                     history, results (verdict unknown) and report; exit code {}",
                    sig.name,
                    sig.exit_code()
                );
                if let Some(r) = lock(&record_to).as_ref() {
                    r.nemesis("stop", json!({ "signal": sig.name }));
                }
                let _ = tell.send(Some(sig));
                let _ = stop.send(true);
            }
        });
        Ok(Stop {
            received,
            stopped,
            recorder,
            task,
        })
    }

    /// Records the stop into `recorder` when it comes (or at once when it already came).
    pub fn record_into(&self, recorder: &Recorder) {
        if let Some(sig) = self.received() {
            recorder.nemesis("stop", json!({ "signal": sig.name }));
        }
        *lock(&self.recorder) = Some(recorder.clone());
    }

    /// The first signal received so far.
    pub fn received(&self) -> Option<Signal> {
        *self.received.borrow()
    }

    /// Turns true at the first signal: what the workload runner watches.
    pub fn stopped(&self) -> watch::Receiver<bool> {
        self.stopped.clone()
    }

    /// The error that ends a command stopped by `sig` before it recorded anything.
    pub fn before_the_run(sig: Signal) -> anyhow::Error {
        anyhow::Error::new(Stopped {
            code: sig.exit_code(),
            message: format!(
                "stopped by {} before the run started: nothing was recorded, and nothing Frenzy \
                 started is left behind",
                sig.name
            ),
        })
    }

    /// Waits for the first signal.
    pub async fn wait(&self) -> Signal {
        let mut received = self.received.clone();
        loop {
            if let Some(sig) = *received.borrow_and_update() {
                return sig;
            }
            if received.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The three handled signals' streams.
struct Streams {
    interrupt: UnixSignal,
    terminate: UnixSignal,
    hangup: UnixSignal,
}

impl Streams {
    fn new() -> anyhow::Result<Streams> {
        let listen = |kind: SignalKind, sig: Signal| {
            signal(kind).with_context(|| format!("installing the handler of {}", sig.name))
        };
        Ok(Streams {
            interrupt: listen(SignalKind::interrupt(), SIGINT)?,
            terminate: listen(SignalKind::terminate(), SIGTERM)?,
            hangup: listen(SignalKind::hangup(), SIGHUP)?,
        })
    }

    /// The next signal on any of the streams.
    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.interrupt.recv() => SIGINT,
            _ = self.terminate.recv() => SIGTERM,
            _ = self.hangup.recv() => SIGHUP,
        }
    }
}

fn lock(r: &Mutex<Option<Recorder>>) -> std::sync::MutexGuard<'_, Option<Recorder>> {
    r.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
