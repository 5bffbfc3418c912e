//! The nemesis: faults as plain data, the drivers that apply them (netns, ssh, proxy), the
//! schedule that starts and stops them, and local clusters in network namespaces.

pub mod command;
pub mod driver;
pub mod error;
pub mod etcd;
pub mod fault;
pub mod netns;
pub mod partition;
pub mod proxy;
pub mod proxy_driver;
pub mod rng;
pub mod schedule;
pub mod ssh;

pub use driver::{Driver, DriverFuture, LinkFault};
pub use error::{NemesisError, Result};
pub use fault::{Fault, FaultKind, Partition, PartitionKind, Target};
pub use netns::NetnsDriver;
pub use proxy::Proxy;
pub use proxy_driver::ProxyDriver;
pub use schedule::{run, NemesisEvent, Schedule};
pub use ssh::{SshConfig, SshDriver};
