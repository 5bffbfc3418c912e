//! ticketd: the ConcertFrenzy hold service, the system Frenzy tests over HTTP.
//!
//! One HTTP contract (docs/http-contract.md) served in two designs:
//! - [`config::ModeConfig::Eventual`]: regions that accept holds against their own copy of the
//!   inventory and replicate asynchronously, the design that double-sells;
//! - [`config::ModeConfig::Etcd`]: every placeHold is one etcd transaction, so etcd's Raft log is the
//!   single ordered source of truth (or, with `non_atomic`, three separate writes that a crash can tear).
//!
//! Run it as the `ticketd` binary or in-process with [`serve`]. [`local_etcd`] starts throwaway etcd
//! clusters on loopback for tests and demos.

pub mod config;
mod error;
mod etcd;
mod eventual;
mod http;
pub mod idle_timeout;
mod json_errors;
pub mod local_etcd;
pub mod loopback_proxy;
mod model;
mod server;
mod tickets;
pub mod tls;
mod validate;

pub use config::{Config, EtcdConfig, EventualConfig, ModeConfig, ReadMode};
pub use error::TicketError;
pub use server::{serve, ServeError, Server};
