//! Local clusters in network namespaces (root only), the systems they run (etcd, PostgreSQL,
//! Redis: one module each), and the driver that breaks them.

pub mod cluster;
pub mod driver;
pub mod etcd;
pub mod firewall;
pub mod health;
pub mod marker;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod system;
pub mod topology;

pub use cluster::{ClusterSpec, ClusterState, NodeStatus};
pub use driver::NetnsDriver;
pub use etcd::TicketdSpec;
pub use system::{System, SystemSpec};
pub use topology::Topology;
