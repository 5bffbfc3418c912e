//! Real-component tests of the nemesis: etcd clusters in namespaces, connectivity under
//! partitions, the proxy on loopback, and the ssh driver against sshd in namespace hosts.

mod common;
mod connectivity;
mod etcd;
mod postgres;
mod proxy;
mod redis;
mod ssh;
