//! Frenzy's checker: reads a history and proves or refutes linearizability and other guarantees.
//!
//! Pure and synchronous: no async runtime, no network.

pub mod check;
pub mod evidence;
pub mod history;
pub mod model;
pub mod models;
pub mod search;
pub mod shrink;
pub mod verdict;
