//! Partitions as nftables rules inside a node's namespace: a table `inet frenzy` whose input
//! chain drops packets from the addresses in the node's grudge. The host is never in a grudge,
//! so it keeps reaching every node.

use crate::command::run;
use crate::error::Result;
use std::net::Ipv4Addr;

/// Replaces the node's rules (atomically) so it drops every packet from `from`; an empty list heals.
pub fn drop_from(ns: &str, from: &[Ipv4Addr]) -> Result<()> {
    let mut script = String::from("add table inet frenzy\ndelete table inet frenzy\n");
    if !from.is_empty() {
        let set = from
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        script.push_str(&format!(
            "table inet frenzy {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    ip saddr {{ {set} }} drop\n  }}\n}}\n"
        ));
    }
    run(
        "ip",
        &["netns", "exec", ns, "nft", "-f", "-"],
        Some(&script),
    )
    .map(|_| ())
}
