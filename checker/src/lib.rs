//! Frenzy's checker: reads a history and proves or refutes linearizability and other guarantees.
//!
//! Pure and synchronous: no async runtime, no network.

pub mod history;
pub mod verdict;
