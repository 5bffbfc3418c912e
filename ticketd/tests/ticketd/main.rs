//! ticketd against real etcd clusters and real replicating regions, through its HTTP contract only.

mod bad_input;
mod etcd_race;
mod eventual_oversell;
mod expiry;
mod hostile;
mod non_atomic;
mod serializable_reads;
mod store_timeout;
mod support;
