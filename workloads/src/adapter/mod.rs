//! Any system, driven from any language: the JSON-lines adapter protocol (docs/adapters.md).
//!
//! Frenzy starts the user's adapter as one child process and speaks JSON lines with it over
//! stdin/stdout: a handshake first, then one request line per operation and one answer line each,
//! in any order, many in flight at once. Frenzy keeps the history: it takes the times, turns a
//! missing or garbled answer into `info`, and restarts an adapter that died.

mod client;
mod command;
mod error;
mod hello;
mod log;
mod reply;
mod restart;
mod session;

pub use client::AdapterClient;
pub use error::AdapterError;
pub use hello::{Hello, PROTOCOL};
pub use log::AdapterLog;
