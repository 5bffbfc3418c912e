//! The history recorder: numbers and timestamps every event, hands it to a sink as it happens (so
//! a crash or Ctrl-C leaves a checkable history), and keeps the events for the checks at the end.

use crate::op::{Completion, Op};
use checker::history::{Event, EventType, Process};
use checker::jsonl::HistoryWriter;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Where recorded events go as they happen.
pub trait EventSink: Send {
    /// Writes one event durably enough that a crash right after keeps it (a flushed line).
    fn write(&mut self, event: &Event) -> io::Result<()>;
}

/// The JSONL history writer, which flushes each event.
impl<W: Write + Send> EventSink for HistoryWriter<W> {
    fn write(&mut self, event: &Event) -> io::Result<()> {
        self.append(event)
    }
}

/// A sink that drops events: for runs that only keep the history in memory (and the benchmark).
pub struct Discard;

impl EventSink for Discard {
    fn write(&mut self, _: &Event) -> io::Result<()> {
        Ok(())
    }
}

/// Records the events of one run; cheap to clone and share between processes.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    state: Arc<Mutex<State>>,
}

struct State {
    /// The next event's index; never reused, even after [`Recorder::finish`].
    next: u64,
    events: Vec<Event>,
    sink: Box<dyn EventSink>,
    /// The first write error, reported at the end; recording in memory goes on.
    write_error: Option<io::Error>,
    /// Who each client process was, for the report's labels.
    roles: BTreeMap<u64, ProcessRole>,
}

/// Who a client process was: the worker it ran for (a worker continues as a fresh process after
/// an unknown outcome), the user it acted as and the node it talked to. Setup operations have
/// neither worker nor node; the final reads a node but no worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessRole {
    /// The worker slot, `0..concurrency`.
    pub worker: Option<usize>,
    /// The node, an index into the run's node list.
    pub node: Option<usize>,
    /// The user the worker acts as, when the workload has users.
    pub user: Option<String>,
}

impl Recorder {
    /// A recorder whose clock starts now, writing every event to `sink`.
    pub fn new(sink: impl EventSink + 'static) -> Recorder {
        Recorder {
            start: Instant::now(),
            state: Arc::new(Mutex::new(State {
                next: 0,
                events: Vec::new(),
                sink: Box::new(sink),
                write_error: None,
                roles: BTreeMap::new(),
            })),
        }
    }

    /// Notes who client `process` is (kept apart from the history, for the report's labels).
    pub fn describe(&self, process: u64, role: ProcessRole) {
        self.lock().roles.insert(process, role);
    }

    /// Who each client process described so far was.
    pub fn roles(&self) -> BTreeMap<u64, ProcessRole> {
        self.lock().roles.clone()
    }

    /// Records that client `process` invoked `op`.
    pub fn invoke(&self, process: u64, op: &Op) {
        self.record(
            Process::Client(process),
            EventType::Invoke,
            op.f,
            op.value.clone(),
        );
    }

    /// Records how client `process`'s operation `f` ended.
    pub fn complete(&self, process: u64, f: &'static str, completion: &Completion) {
        let value = completion.value().clone();
        self.record(Process::Client(process), completion.kind(), f, value);
    }

    /// Records a nemesis event (`info`, with `f` like `start-partition`) and what was done.
    pub fn nemesis(&self, f: &str, value: Value) {
        self.record(Process::Nemesis, EventType::Info, f, value);
    }

    fn record(&self, process: Process, kind: EventType, f: &str, value: Value) {
        let mut state = self.lock();
        let event = Event {
            index: state.next,
            time: self.start.elapsed().as_nanos() as u64,
            process,
            kind,
            f: f.into(),
            value: value.into(),
        };
        if let Err(e) = state.sink.write(&event) {
            state.write_error.get_or_insert(e);
        }
        state.next += 1;
        state.events.push(event);
    }

    /// The number of events recorded so far.
    pub fn len(&self) -> usize {
        self.lock().next as usize
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the events recorded so far (call it when the run is over), and the first error the sink reported, if any.
    pub fn finish(&self) -> (Vec<Event>, Option<io::Error>) {
        let mut state = self.lock();
        let events = std::mem::take(&mut state.events);
        (events, state.write_error.take())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state consistent (each record is one push).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
