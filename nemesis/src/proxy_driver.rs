//! The proxy driver: faults decided in TCP proxies on the links between nodes and in front of
//! them. Needs no root; the system's peer addresses must point at the link proxies.

use crate::driver::{Driver, DriverFuture, LinkFault};
use crate::error::{NemesisError, Result};
use crate::fault::Partition;
use crate::proxy::Proxy;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Proxies on the links of a cluster: `links[(a, b)]` carries the connections `a` opens to `b`,
/// `fronts[n]` the connections clients open to `n`.
#[derive(Debug, Default)]
pub struct ProxyDriver {
    nodes: Vec<String>,
    links: BTreeMap<(String, String), Proxy>,
    fronts: BTreeMap<String, Proxy>,
}

impl ProxyDriver {
    /// A driver for these nodes, with no proxies yet.
    pub fn new(nodes: Vec<String>) -> Self {
        Self {
            nodes,
            ..Self::default()
        }
    }

    /// Starts the proxy for connections `from` opens to `to` (which listens on `upstream`) and
    /// returns the address `from` must use for `to`.
    pub async fn add_link(
        &mut self,
        from: &str,
        to: &str,
        upstream: SocketAddr,
    ) -> Result<SocketAddr> {
        self.known(from)?;
        self.known(to)?;
        let proxy = Proxy::start(loopback(), upstream).await?;
        let addr = proxy.local_addr();
        self.links.insert((from.to_string(), to.to_string()), proxy);
        Ok(addr)
    }

    /// Starts the proxy clients use to reach `node` (listening on `upstream`); returns its address.
    pub async fn add_front(&mut self, node: &str, upstream: SocketAddr) -> Result<SocketAddr> {
        self.known(node)?;
        let proxy = Proxy::start(loopback(), upstream).await?;
        let addr = proxy.local_addr();
        self.fronts.insert(node.to_string(), proxy);
        Ok(addr)
    }

    /// The proxy for connections `from` opens to `to`, if one was added.
    pub fn link(&self, from: &str, to: &str) -> Option<&Proxy> {
        self.links.get(&(from.to_string(), to.to_string()))
    }

    /// The proxy clients use to reach `node`, if one was added.
    pub fn front(&self, node: &str) -> Option<&Proxy> {
        self.fronts.get(node)
    }

    fn known(&self, node: &str) -> Result<()> {
        if self.nodes.iter().any(|n| n == node) {
            Ok(())
        } else {
            Err(NemesisError::Invalid(format!("unknown node `{node}`")))
        }
    }

    fn unsupported<T>(&self, fault: &str) -> DriverFuture<'_, T> {
        let err = NemesisError::Unsupported {
            driver: "proxy",
            fault: fault.to_string(),
            why: "proxies control traffic, not processes; use the netns or ssh driver".into(),
        };
        Box::pin(async move { Err(err) })
    }

    /// Every proxy touching `node`: its links in both directions and its front.
    fn touching<'a>(&'a self, node: &'a str) -> impl Iterator<Item = &'a Proxy> + 'a {
        self.links
            .iter()
            .filter(move |((a, b), _)| a == node || b == node)
            .map(|(_, p)| p)
            .chain(self.fronts.get(node))
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl Driver for ProxyDriver {
    fn name(&self) -> &'static str {
        "proxy"
    }

    fn nodes(&self) -> Vec<String> {
        self.nodes.clone()
    }

    fn leader(&self) -> DriverFuture<'_, Option<String>> {
        Box::pin(async { Ok(None) })
    }

    fn partition<'a>(&'a self, partition: &'a Partition) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let mut cut = Vec::new();
            for ((a, b), proxy) in &self.links {
                if partition.connected(a, b) {
                    proxy.heal();
                } else {
                    proxy.cut();
                    cut.push([a.clone(), b.clone()]);
                }
            }
            Ok(json!({ "cut_links": cut }))
        })
    }

    fn links<'a>(&'a self, nodes: &'a [String], fault: LinkFault) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let mut count = 0;
            for node in nodes {
                self.known(node)?;
                for proxy in self.touching(node) {
                    proxy.delay(fault.delay);
                    proxy.lossy(fault.loss);
                    count += 1;
                }
            }
            Ok(json!({ "proxies": count }))
        })
    }

    fn heal_network(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            for proxy in self.links.values().chain(self.fronts.values()) {
                proxy.heal();
            }
            Ok(json!({ "healed_proxies": self.links.len() + self.fronts.len() }))
        })
    }

    fn kill<'a>(&'a self, _node: &'a str) -> DriverFuture<'a, Value> {
        self.unsupported("kill")
    }

    fn restart<'a>(&'a self, _node: &'a str) -> DriverFuture<'a, Value> {
        self.unsupported("restart")
    }

    fn pause<'a>(&'a self, _node: &'a str) -> DriverFuture<'a, Value> {
        self.unsupported("pause")
    }

    fn resume<'a>(&'a self, _node: &'a str) -> DriverFuture<'a, Value> {
        self.unsupported("resume")
    }

    fn heal(&self) -> DriverFuture<'_, Value> {
        self.heal_network()
    }
}
