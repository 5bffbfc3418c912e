//! The ssh driver: a TOML file lists the nodes of a live cluster and the shell command for each
//! fault; Frenzy runs them over ssh on the node concerned and checks their exit status.

use crate::command::run;
use crate::driver::{Driver, DriverFuture, LinkFault};
use crate::error::{NemesisError, Result};
use crate::etcd;
use crate::fault::Partition;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ssh file: how to log in, the nodes, and the commands (defaults in [`Commands`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshConfig {
    /// Login user (default `root`).
    #[serde(default = "default_user")]
    pub user: String,
    /// ssh port (default 22).
    #[serde(default = "default_port")]
    pub port: u16,
    /// Private key file (default: ssh's own choice).
    #[serde(default)]
    pub identity: Option<PathBuf>,
    /// Extra `-o` options for ssh, e.g. `"StrictHostKeyChecking=accept-new"`.
    #[serde(default)]
    pub options: Vec<String>,
    /// Seconds ssh may take to connect (default 5).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: u64,
    /// The commands run for each fault.
    #[serde(default)]
    pub commands: Commands,
    /// The nodes.
    pub nodes: Vec<SshNode>,
}

/// One node of a live cluster.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshNode {
    /// Its name in histories.
    pub name: String,
    /// Host name or address to ssh to; also the source address its peers drop in a partition.
    pub host: String,
    /// The service the default kill/start/pause/resume commands act on (default `etcd`).
    #[serde(default = "default_service")]
    pub service: String,
    /// The network interface for latency and loss (default `eth0`).
    #[serde(default = "default_interface")]
    pub interface: String,
    /// etcd's client URL on this node, for isolate-leader and leader targets (optional).
    #[serde(default)]
    pub etcd_url: Option<String>,
    /// Extra `{placeholders}` for this node's commands.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

/// Shell commands per fault. Placeholders: `{node}`, `{host}`, `{service}`, `{interface}`,
/// `{sources}` (comma-separated hosts to drop), `{delay_ms}`, `{loss_percent}`, and the node's vars.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Commands {
    /// Drop every packet from `{sources}`.
    pub partition: String,
    /// Remove the partition rules.
    pub heal: String,
    /// SIGKILL the service.
    pub kill: String,
    /// Start the service (after a kill; also run by a full heal).
    pub start: String,
    /// SIGSTOP the service.
    pub pause: String,
    /// SIGCONT the service.
    pub resume: String,
    /// Delay the interface's traffic by `{delay_ms}`.
    pub latency: String,
    /// Lose `{loss_percent}` of the interface's traffic.
    pub loss: String,
    /// Remove latency and loss.
    pub heal_links: String,
}

impl Default for Commands {
    fn default() -> Self {
        let s = String::from;
        Self {
            partition: s("nft add table inet frenzy && nft add chain inet frenzy input '{ type filter hook input priority 0; policy accept; }' && nft flush chain inet frenzy input && nft add rule inet frenzy input ip saddr '{ {sources} }' drop"),
            heal: s("nft delete table inet frenzy 2>/dev/null || true"),
            kill: s("systemctl kill -s KILL {service}"),
            start: s("systemctl start {service}"),
            pause: s("systemctl kill -s STOP {service}"),
            resume: s("systemctl kill -s CONT {service}"),
            latency: s("tc qdisc replace dev {interface} root netem delay {delay_ms}ms"),
            loss: s("tc qdisc replace dev {interface} root netem loss {loss_percent}%"),
            heal_links: s("tc qdisc del dev {interface} root 2>/dev/null || true"),
        }
    }
}

fn default_user() -> String {
    "root".into()
}
fn default_port() -> u16 {
    22
}
fn default_connect_timeout() -> u64 {
    5
}
fn default_service() -> String {
    "etcd".into()
}
fn default_interface() -> String {
    "eth0".into()
}

impl SshConfig {
    /// Reads and checks an ssh file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| NemesisError::File {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|e| NemesisError::Invalid(format!("{}: {e}", path.display())))
    }

    /// Parses and checks the TOML text of an ssh file.
    pub fn parse(text: &str) -> Result<Self> {
        let config: SshConfig = toml::from_str(text)
            .map_err(|e| NemesisError::Invalid(e.to_string().trim().to_string()))?;
        if config.nodes.is_empty() {
            return Err(NemesisError::Invalid(
                "the ssh file lists no [[nodes]]".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = config.nodes.iter().find(|n| !seen.insert(&n.name)) {
            return Err(NemesisError::Invalid(format!(
                "node `{}` is listed twice",
                dup.name
            )));
        }
        Ok(config)
    }
}

/// Applies faults by running the ssh file's commands on the nodes.
#[derive(Debug, Clone)]
pub struct SshDriver {
    config: SshConfig,
    client: reqwest::Client,
}

impl SshDriver {
    /// A driver for the nodes of `config`.
    pub fn new(config: SshConfig) -> Self {
        Self {
            config,
            client: etcd::client(Duration::from_secs(2)),
        }
    }

    /// A driver for the nodes of the ssh file at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        SshConfig::load(path).map(Self::new)
    }

    fn node(&self, name: &str) -> Result<&SshNode> {
        self.config
            .nodes
            .iter()
            .find(|n| n.name == name)
            .ok_or_else(|| NemesisError::Invalid(format!("unknown node `{name}`")))
    }

    /// `template` with the node's placeholders (and `extra`) filled in.
    fn fill(&self, template: &str, node: &SshNode, extra: &[(&str, String)]) -> String {
        let mut vars: Vec<(&str, String)> = vec![
            ("node", node.name.clone()),
            ("host", node.host.clone()),
            ("service", node.service.clone()),
            ("interface", node.interface.clone()),
        ];
        vars.extend(node.vars.iter().map(|(k, v)| (k.as_str(), v.clone())));
        vars.extend(extra.iter().cloned());
        vars.iter().fold(template.to_string(), |s, (k, v)| {
            s.replace(&format!("{{{k}}}"), v)
        })
    }

    /// Runs `command` on `node` over ssh; its exit status must be 0.
    async fn on(&self, node: &SshNode, command: String) -> Result<Value> {
        let mut args: Vec<String> = vec![
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            format!("ConnectTimeout={}", self.config.connect_timeout),
            "-p".into(),
            self.config.port.to_string(),
        ];
        if let Some(key) = &self.config.identity {
            args.extend(["-i".into(), key.to_string_lossy().into_owned()]);
        }
        for o in &self.config.options {
            args.extend(["-o".into(), o.clone()]);
        }
        args.extend([
            format!("{}@{}", self.config.user, node.host),
            "--".into(),
            command.clone(),
        ]);
        let name = node.name.clone();
        crate::command::blocking(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            run("ssh", &refs, None).map_err(|e| match e {
                NemesisError::Command { status, stderr, .. } => NemesisError::Command {
                    command: format!("ssh {name}: {command}"),
                    status,
                    stderr,
                },
                other => other,
            })
        })
        .await?;
        Ok(json!({ "host": node.host }))
    }

    /// Runs the command chosen by `pick` on `node`.
    fn simple<'a>(
        &'a self,
        node: &'a str,
        pick: fn(&Commands) -> &String,
    ) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let n = self.node(node)?;
            let cmd = self.fill(pick(&self.config.commands), n, &[]);
            self.on(n, cmd).await
        })
    }
}

impl Driver for SshDriver {
    fn name(&self) -> &'static str {
        "ssh"
    }

    fn nodes(&self) -> Vec<String> {
        self.config.nodes.iter().map(|n| n.name.clone()).collect()
    }

    fn leader(&self) -> DriverFuture<'_, Option<String>> {
        Box::pin(async move {
            let members: Option<Vec<(String, String)>> = self
                .config
                .nodes
                .iter()
                .map(|n| n.etcd_url.clone().map(|u| (n.name.clone(), u)))
                .collect();
            Ok(match members {
                Some(m) => etcd::leader(&self.client, &m).await,
                None => None,
            })
        })
    }

    fn partition<'a>(&'a self, partition: &'a Partition) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            let mut done = serde_json::Map::new();
            for node in &self.config.nodes {
                let heal = self.fill(&self.config.commands.heal, node, &[]);
                self.on(node, heal).await?;
                let drops = partition
                    .grudge
                    .get(&node.name)
                    .cloned()
                    .unwrap_or_default();
                if drops.is_empty() {
                    continue;
                }
                let hosts = drops
                    .iter()
                    .map(|d| self.node(d).map(|n| n.host.clone()))
                    .collect::<Result<Vec<_>>>()?;
                let cmd = self.fill(
                    &self.config.commands.partition,
                    node,
                    &[("sources", hosts.join(", "))],
                );
                self.on(node, cmd).await?;
                done.insert(node.name.clone(), json!(hosts));
            }
            Ok(json!({ "dropped_sources": done }))
        })
    }

    fn links<'a>(&'a self, nodes: &'a [String], fault: LinkFault) -> DriverFuture<'a, Value> {
        Box::pin(async move {
            for name in nodes {
                let n = self.node(name)?;
                let extra = [
                    ("delay_ms", fault.delay.as_millis().to_string()),
                    ("loss_percent", format!("{}", fault.loss * 100.0)),
                ];
                let template = if fault.loss > 0.0 {
                    &self.config.commands.loss
                } else {
                    &self.config.commands.latency
                };
                self.on(n, self.fill(template, n, &extra)).await?;
            }
            Ok(json!({ "nodes": nodes }))
        })
    }

    fn heal_network(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            for n in &self.config.nodes {
                self.on(n, self.fill(&self.config.commands.heal, n, &[]))
                    .await?;
                self.on(n, self.fill(&self.config.commands.heal_links, n, &[]))
                    .await?;
            }
            Ok(json!({ "healed": self.nodes() }))
        })
    }

    fn kill<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.simple(node, |c| &c.kill)
    }

    fn restart<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.simple(node, |c| &c.start)
    }

    fn pause<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.simple(node, |c| &c.pause)
    }

    fn resume<'a>(&'a self, node: &'a str) -> DriverFuture<'a, Value> {
        self.simple(node, |c| &c.resume)
    }

    fn heal(&self) -> DriverFuture<'_, Value> {
        Box::pin(async move {
            let network = self.heal_network().await?;
            for n in self.nodes() {
                self.resume(&n).await?;
                self.restart(&n).await?;
            }
            Ok(json!({ "network": network, "resumed_and_started": self.nodes() }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_file_gets_the_defaults() {
        let c = SshConfig::parse("[[nodes]]\nname = \"a\"\nhost = \"10.0.0.1\"\n");
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.user.as_str(), c.port), ("root", 22));
        assert_eq!(c.nodes[0].service, "etcd");
        assert!(c.commands.kill.contains("systemctl"));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let dup = "[[nodes]]\nname=\"a\"\nhost=\"h\"\n[[nodes]]\nname=\"a\"\nhost=\"i\"\n";
        assert!(
            matches!(SshConfig::parse(dup), Err(NemesisError::Invalid(m)) if m.contains("twice"))
        );
        assert!(
            matches!(SshConfig::parse("user = \"x\"\nnodes = []"), Err(NemesisError::Invalid(m)) if m.contains("no [[nodes]]"))
        );
        assert!(
            matches!(SshConfig::parse("[[nodes]]\nname=\"a\"\nhost=\"h\"\nbogus=1\n"), Err(NemesisError::Invalid(m)) if m.contains("bogus"))
        );
    }

    #[test]
    fn placeholders_are_filled_from_the_node_and_its_vars() {
        let c = SshConfig::parse("[[nodes]]\nname=\"a\"\nhost=\"h1\"\nvars = { pid = \"42\" }\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let d = SshDriver::new(c.clone());
        let s = d.fill(
            "kill {pid} on {node}@{host} {delay_ms} {other}",
            &c.nodes[0],
            &[("delay_ms", "5".into())],
        );
        assert_eq!(s, "kill 42 on a@h1 5 {other}");
    }
}
