//! Workloads: clients for the systems under test, generators, and the history recorder.
//!
//! A run follows Jepsen's process model: `concurrency` logical processes, each with at most one
//! operation in flight. An operation whose outcome is unknown completes `info` and its process is
//! replaced by a fresh id; the worker keeps its user and its node, so sessions survive.

pub mod access;
pub mod adapter;
pub mod client;
pub mod error;
pub mod etcd;
pub mod op;
pub mod pacing;
pub mod recorder;
pub mod runner;
pub mod tickets;
pub mod transport;
pub mod weights;
pub mod workload;

pub use client::Client;
pub use error::PreflightError;
pub use op::{Completion, Op};
pub use recorder::{EventSink, ProcessRole, Recorder};
pub use runner::{run, Phases, RunHooks, RunReport};
pub use workload::{WorkerCtx, Workload};
