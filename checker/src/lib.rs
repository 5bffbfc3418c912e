//! Frenzy's checker: reads a history and proves or refutes linearizability and other guarantees.
//!
//! Pure and synchronous: no async runtime, no network.

pub mod check;
mod event_line;
pub mod evidence;
pub mod fast_hash;
pub mod faults;
pub mod formats;
mod grouping;
pub mod history;
pub mod json;
pub mod jsonl;
pub mod ledger;
pub mod model;
pub mod models;
pub mod search;
pub mod session;
pub mod shrink;
pub mod suite;
mod ticket_fields;
pub mod timing;
pub mod validate;
pub mod verdict;
