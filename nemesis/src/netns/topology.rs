//! Names, addresses and plumbing of a local cluster: one network namespace per node, each with a
//! veth into one bridge in the host, on a /24 of its own (`10.a.b.i` for node i, the host `.254`).

use crate::command::run;
use crate::error::{NemesisError, Result};
use crate::netns::process;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The alias `up` gives every link it makes (the bridge, each veth on both ends): what tells a
/// namespace or link Frenzy made from one that only carries a name like it.
const MARK: &str = "frenzy-cluster";

/// The shape of a local cluster: a name prefix, a subnet `10.a.b.0/24` and a size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    /// Prefix of every name made (namespaces `{prefix}-n1`, bridge `{prefix}br`, veths `{prefix}h1`).
    pub prefix: String,
    /// The second and third octets of the subnet `10.a.b.0/24`.
    pub subnet: [u8; 2],
    /// Number of nodes.
    pub size: usize,
}

impl Topology {
    /// Checks the prefix (1 to 9 lowercase letters or digits: interface names are short) and size.
    pub fn new(prefix: &str, subnet: [u8; 2], size: usize) -> Result<Self> {
        let ok = !prefix.is_empty()
            && prefix.len() <= 9
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !ok {
            return Err(NemesisError::Invalid(format!(
                "cluster prefix `{prefix}` must be 1 to 9 lowercase letters or digits"
            )));
        }
        if !(1..=32).contains(&size) {
            return Err(NemesisError::Invalid(format!(
                "a local cluster has 1 to 32 nodes, not {size}"
            )));
        }
        Ok(Self {
            prefix: prefix.to_string(),
            subnet,
            size,
        })
    }

    /// The node names, `n1` … `nN`.
    pub fn nodes(&self) -> Vec<String> {
        (1..=self.size).map(|i| format!("n{i}")).collect()
    }

    /// The 1-based index of a node name.
    pub fn index(&self, node: &str) -> Result<usize> {
        node.strip_prefix('n')
            .and_then(|i| i.parse().ok())
            .filter(|i| (1..=self.size).contains(i))
            .ok_or_else(|| NemesisError::Invalid(format!("unknown node `{node}`")))
    }

    /// The namespace of node `i` (1-based).
    pub fn namespace(&self, i: usize) -> String {
        format!("{}-n{i}", self.prefix)
    }

    /// The address of node `i` (1-based).
    pub fn addr(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(10, self.subnet[0], self.subnet[1], i as u8)
    }

    /// The host's address on the bridge.
    pub fn host_addr(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, self.subnet[0], self.subnet[1], 254)
    }

    /// The bridge in the host namespace.
    pub fn bridge(&self) -> String {
        format!("{}br", self.prefix)
    }

    fn veth(&self, i: usize) -> String {
        format!("{}h{i}", self.prefix)
    }

    fn cidr(&self) -> String {
        format!("10.{}.{}.0/24", self.subnet[0], self.subnet[1])
    }

    /// Builds the bridge, the namespaces and their links. On failure, removes what it made.
    pub fn create(&self) -> Result<()> {
        let made = self.try_create();
        if made.is_err() {
            let _ = self.destroy();
        }
        made
    }

    fn try_create(&self) -> Result<()> {
        let bridge = self.bridge();
        let host = format!("{}/24", self.host_addr());
        run("ip", &["link", "add", &bridge, "type", "bridge"], None)?;
        run("ip", &["link", "set", &bridge, "alias", MARK], None)?;
        run("ip", &["addr", "add", &host, "dev", &bridge], None)?;
        run("ip", &["link", "set", &bridge, "up"], None)?;
        for i in 1..=self.size {
            let (ns, veth) = (self.namespace(i), self.veth(i));
            let addr = format!("{}/24", self.addr(i));
            run("ip", &["netns", "add", &ns], None)?;
            run(
                "ip",
                &[
                    "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns,
                ],
                None,
            )?;
            run("ip", &["link", "set", &veth, "alias", MARK], None)?;
            run(
                "ip",
                &["-n", &ns, "link", "set", "eth0", "alias", MARK],
                None,
            )?;
            run("ip", &["link", "set", &veth, "master", &bridge, "up"], None)?;
            run(
                "ip",
                &["-n", &ns, "addr", "add", &addr, "dev", "eth0"],
                None,
            )?;
            run("ip", &["-n", &ns, "link", "set", "eth0", "up"], None)?;
            run("ip", &["-n", &ns, "link", "set", "lo", "up"], None)?;
        }
        Ok(())
    }

    /// Kills every process in the namespaces, then deletes the links, the namespaces and the
    /// bridge. Links are deleted explicitly: a namespace whose sockets are still closing lingers
    /// in the kernel for a while after `ip netns del`, and would keep its veth pair alive.
    /// Idempotent; returns what it removed.
    pub fn destroy(&self) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        let existing: Vec<String> = (1..=self.size)
            .map(|i| self.namespace(i))
            .filter(|ns| namespace_exists(ns))
            .collect();
        for ns in &existing {
            let pids = process::kill_all(ns)?;
            if !pids.is_empty() {
                removed.push(format!("processes {pids:?} in {ns}"));
            }
        }
        for i in 1..=self.size {
            if link_exists(&self.veth(i)) {
                run("ip", &["link", "del", &self.veth(i)], None)?;
                removed.push(format!("link {}", self.veth(i)));
            }
        }
        for ns in &existing {
            run("ip", &["netns", "del", ns], None)?;
            removed.push(format!("namespace {ns}"));
        }
        if link_exists(&self.bridge()) {
            run("ip", &["link", "del", &self.bridge()], None)?;
            removed.push(format!("bridge {}", self.bridge()));
        }
        Ok(removed)
    }

    /// The namespaces and links with this cluster's names that `create` did not make (they lack
    /// its mark): what a `down` without the cluster's state must leave alone.
    pub fn not_made_here(&self) -> Vec<String> {
        let namespaces = (1..=self.size)
            .map(|i| self.namespace(i))
            .filter(|ns| namespace_exists(ns))
            .filter(|ns| {
                !run("ip", &["-n", ns, "-o", "link", "show", "dev", "eth0"], None)
                    .is_ok_and(|line| line.contains(&format!("alias {MARK}")))
            })
            .map(|ns| format!("namespace {ns}"));
        let links = std::iter::once(self.bridge())
            .chain((1..=self.size).map(|i| self.veth(i)))
            .filter(|link| link_exists(link))
            .filter(|link| {
                let alias = std::path::Path::new("/sys/class/net")
                    .join(link)
                    .join("ifalias");
                std::fs::read_to_string(alias).map_or(true, |a| a.trim() != MARK)
            })
            .map(|link| format!("link {link}"));
        namespaces.chain(links).collect()
    }

    /// What already exists that `create` would collide with.
    pub fn leftovers(&self) -> Vec<String> {
        let mut found: Vec<String> = (1..=self.size)
            .map(|i| self.namespace(i))
            .filter(|ns| namespace_exists(ns))
            .map(|ns| format!("namespace {ns}"))
            .collect();
        for link in std::iter::once(self.bridge()).chain((1..=self.size).map(|i| self.veth(i))) {
            if link_exists(&link) {
                found.push(format!("link {link}"));
            }
        }
        let routed = run("ip", &["-4", "route", "show"], None)
            .is_ok_and(|r| r.lines().any(|l| l.starts_with(&self.cidr())));
        if routed {
            found.push(format!("a route to {}", self.cidr()));
        }
        found
    }
}

/// True when a named network namespace exists.
pub fn namespace_exists(ns: &str) -> bool {
    std::path::Path::new("/run/netns").join(ns).exists()
}

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}
