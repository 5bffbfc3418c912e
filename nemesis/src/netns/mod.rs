//! Local clusters in network namespaces (root only), and the driver that breaks them.

pub mod cluster;
pub mod driver;
pub mod firewall;
pub mod health;
pub mod marker;
pub mod process;
pub mod topology;

pub use cluster::{ClusterSpec, ClusterState, NodeStatus, TicketdSpec};
pub use driver::NetnsDriver;
pub use topology::Topology;
