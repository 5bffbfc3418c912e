//! PostgreSQL 15 (Debian's `postgresql`): a primary and streaming replicas, one per namespace,
//! asynchronous by default or with a synchronous standby. The cluster plays its own failover
//! manager: `promote` fences the lost primary, promotes the most advanced replica and points the
//! others at it; a former primary rejoins as a replica through `pg_rewind` when it starts again.

use crate::command::{blocking, run};
use crate::driver::DriverFuture;
use crate::error::{NemesisError, Result};
use crate::netns::cluster::{node_addr, wait_for, ClusterState, NodeProcess, NodeState};
use crate::netns::process;
use crate::netns::system::{NodePlan, System};
use crate::netns::topology::Topology;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where Debian's PostgreSQL 15 keeps its programs.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";
/// PostgreSQL's port on every node.
pub const PORT: u16 = 5432;
/// The operating-system user PostgreSQL runs as (it refuses root).
const USER: &str = "postgres";

/// A primary and streaming replicas; `sync` makes every commit wait for one standby.
#[derive(Debug, Clone)]
pub struct Postgres {
    /// `synchronous_standby_names = 'ANY 1 (n1, …)'` with `synchronous_commit = on`.
    pub sync: bool,
}

fn bin(program: &str) -> String {
    format!("{BIN}/{program}")
}

/// `argv` run as the postgres user (setpriv execs, so signals reach PostgreSQL itself).
fn as_postgres(argv: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = [
        "/usr/bin/setpriv",
        "--reuid=postgres",
        "--regid=postgres",
        "--init-groups",
        "--",
    ]
    .map(String::from)
    .to_vec();
    all.extend(argv.iter().map(|a| a.to_string()));
    all
}

fn run_as_postgres(argv: &[&str]) -> Result<String> {
    let all = as_postgres(argv);
    let args: Vec<&str> = all[1..].iter().map(String::as_str).collect();
    run(&all[0], &args, None)
}

/// The data directory of node `i`.
fn data_dir(root: &Path, i: usize) -> PathBuf {
    root.join(format!("n{i}")).join("pgdata")
}

/// The libpq connection string of the node at `addr`.
fn conninfo(addr: &str) -> String {
    format!("host={addr} port={PORT} user={USER} dbname=postgres connect_timeout=2")
}

/// Runs `sql` on the node at `addr` with psql (bounded to 3 s: a paused node never answers);
/// its unaligned output, trimmed.
pub fn query(addr: &str, sql: &str) -> Result<String> {
    let psql = bin("psql");
    let info = conninfo(addr);
    let out = run(
        "timeout",
        &["3", &psql, "-X", "-A", "-t", "-q", "-d", &info, "-c", sql],
        None,
    )?;
    Ok(out.trim().to_string())
}

/// An LSN `X/Y` as a number, for comparisons.
fn lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.trim().split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

fn chown_postgres(path: &Path) -> Result<()> {
    let uid = run("id", &["-u", USER], None)?;
    let gid = run("id", &["-g", USER], None)?;
    let parse = |s: &str| s.trim().parse::<u32>().ok();
    std::os::unix::fs::chown(path, parse(&uid), parse(&gid)).map_err(|source| NemesisError::File {
        path: path.to_path_buf(),
        source,
    })
}

/// An empty directory owned by postgres, mode 0700 (PostgreSQL insists).
fn empty_data_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let file_err = |source| NemesisError::File {
        path: dir.to_path_buf(),
        source,
    };
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(file_err)?;
    }
    std::fs::create_dir_all(dir).map_err(file_err)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(file_err)?;
    chown_postgres(dir)
}

fn append(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let file_err = |source| NemesisError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(file_err)?;
    file.write_all(text.as_bytes()).map_err(file_err)
}

/// Makes the data dir of node `i` a standby of `primary`: `standby.signal` and `primary_conninfo`
/// (with the node's name as application_name, which synchronous_standby_names lists).
fn make_standby(state: &ClusterState, i: usize, primary: &str) -> Result<()> {
    let dir = data_dir(&state.root, i);
    let signal = dir.join("standby.signal");
    std::fs::write(&signal, "").map_err(|source| NemesisError::File {
        path: signal.clone(),
        source,
    })?;
    chown_postgres(&signal)?;
    let auto = dir.join("postgresql.auto.conf");
    let kept: String = std::fs::read_to_string(&auto)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with("primary_conninfo"))
        .map(|l| format!("{l}\n"))
        .collect();
    let line = format!(
        "primary_conninfo = 'host={} port={PORT} user={USER} application_name=n{i}'\n",
        primary_addr(state, primary)?
    );
    std::fs::write(&auto, kept + &line).map_err(|source| NemesisError::File {
        path: auto.clone(),
        source,
    })?;
    chown_postgres(&auto)
}

fn primary_addr(state: &ClusterState, node: &str) -> Result<String> {
    Ok(state.topology.addr(state.topology.index(node)?).to_string())
}

/// Copies the primary's data into node `i`'s (empty) data dir and makes it a standby.
fn base_backup(state: &ClusterState, i: usize, primary: &str) -> Result<()> {
    let dir = data_dir(&state.root, i);
    empty_data_dir(&dir)?;
    let addr = primary_addr(state, primary)?;
    run_as_postgres(&[
        &bin("pg_basebackup"),
        "-h",
        &addr,
        "-p",
        &PORT.to_string(),
        "-U",
        USER,
        "-D",
        &dir.to_string_lossy(),
        "-X",
        "stream",
        "-c",
        "fast",
    ])?;
    make_standby(state, i, primary)
}

/// The node's role and WAL position: `(in recovery, position)`, the position being the replay
/// LSN of a replica and the current LSN of a primary.
fn position(addr: &str) -> Result<(bool, String)> {
    let out = query(
        addr,
        "select pg_is_in_recovery(), case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end",
    )?;
    let (recovery, lsn) = out.split_once('|').unwrap_or((&out, ""));
    Ok((recovery == "t", lsn.to_string()))
}

fn addrs(state: &ClusterState) -> Vec<(String, String)> {
    (1..=state.topology.size)
        .map(|i| (format!("n{i}"), state.topology.addr(i).to_string()))
        .collect()
}

/// The nodes that answer as primaries (not in recovery).
fn primaries(state: &ClusterState) -> Vec<String> {
    addrs(state)
        .into_iter()
        .filter(|(_, a)| position(a).is_ok_and(|(recovery, _)| !recovery))
        .map(|(n, _)| n)
        .collect()
}

impl System for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn check_installed(&self) -> Result<()> {
        let missing = ["postgres", "initdb", "pg_basebackup", "pg_rewind", "psql"]
            .into_iter()
            .find(|p| !Path::new(&bin(p)).exists());
        match missing {
            Some(p) => Err(NemesisError::Invalid(format!(
                "{} is missing: install Debian's postgresql (PostgreSQL 15; scripts/setup.sh)",
                bin(p)
            ))),
            None => Ok(()),
        }
    }

    fn plan(&self, top: &Topology, root: &Path, i: usize) -> NodePlan {
        let addr = top.addr(i).to_string();
        let names: Vec<String> = top.nodes();
        let mut settings = vec![
            format!("listen_addresses={addr}"),
            format!("port={PORT}"),
            "unix_socket_directories=".to_string(),
            format!("cluster_name=n{i}"),
            "wal_log_hints=on".to_string(),
            "wal_keep_size=64MB".to_string(),
            "max_wal_size=64MB".to_string(),
            "min_wal_size=32MB".to_string(),
            "max_connections=200".to_string(),
        ];
        if self.sync {
            settings.push(format!(
                "synchronous_standby_names=ANY 1 ({})",
                names.join(", ")
            ));
        }
        let dir = data_dir(root, i);
        let mut argv = vec![bin("postgres"), "-D".into(), dir.to_string_lossy().into()];
        for s in settings {
            argv.push("-c".into());
            argv.push(s);
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        NodePlan {
            processes: vec![NodeProcess {
                role: "postgres".into(),
                argv: as_postgres(&argv),
                log: root.join(format!("n{i}")).join("postgres.log"),
                pid: None,
            }],
            url: format!("postgresql://{addr}:{PORT}"),
            ticketd_url: None,
        }
    }

    fn bring_up<'a>(
        &'a self,
        state: &'a mut ClusterState,
        progress: &'a mut (dyn FnMut(&str) + Send),
    ) -> DriverFuture<'a, ()> {
        Box::pin(async move {
            progress("initdb on n1");
            let snapshot = state.clone();
            blocking(move || init_primary(&snapshot)).await?;
            state.primary = Some("n1".into());
            progress("starting the primary");
            let top = state.topology.clone();
            let at = |node: NodeState| answers(node_addr(&top, &node.name));
            state.start_and_wait("postgres", &[1], at).await?;
            let replicas: Vec<usize> = (2..=state.topology.size).collect();
            progress("base backups of the replicas");
            let snapshot = state.clone();
            let copied = replicas.clone();
            blocking(move || {
                copied
                    .iter()
                    .try_for_each(|i| base_backup(&snapshot, *i, "n1"))
            })
            .await?;
            progress("starting the replicas");
            state.start_and_wait("postgres", &replicas, at).await?;
            progress("waiting until every replica streams");
            let addr = state.topology.addr(1).to_string();
            let want = replicas.len().to_string();
            wait_for(
                Duration::from_secs(30),
                "every replica streaming from n1",
                move || {
                    query(
                        &addr,
                        "select count(*) from pg_stat_replication where state = 'streaming'",
                    )
                    .is_ok_and(|n| n == want)
                },
            )
            .await
        })
    }

    fn before_start(&self, state: &ClusterState, i: usize) -> Result<()> {
        let dir = data_dir(&state.root, i);
        let name = format!("n{i}");
        let Some(primary) = state.primary.as_deref().filter(|p| *p != name) else {
            return Ok(());
        };
        if !dir.join("PG_VERSION").exists() || dir.join("standby.signal").exists() {
            return if dir.join("PG_VERSION").exists() {
                make_standby(state, i, primary)
            } else {
                Ok(())
            };
        }
        // A former primary: its WAL may hold commits the new primary never saw. Rewind it to
        // the new timeline (discarding them, as a failover manager does), or copy it afresh.
        let source = conninfo(&primary_addr(state, primary)?);
        let rewound = run_as_postgres(&[
            &bin("pg_rewind"),
            "--target-pgdata",
            &dir.to_string_lossy(),
            "--source-server",
            &source,
        ]);
        match rewound {
            Ok(_) => make_standby(state, i, primary),
            Err(_) => base_backup(state, i, primary),
        }
    }

    fn healthy<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, bool> {
        let addr = state.topology.addr(i).to_string();
        Box::pin(async move { blocking(move || Ok(query(&addr, "select 1").is_ok())).await })
    }

    fn leader<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        let snapshot = state.clone();
        Box::pin(async move {
            blocking(move || {
                let found = primaries(&snapshot);
                let recorded = snapshot.primary.clone().filter(|p| found.contains(p));
                Ok(recorded.or_else(|| found.first().cloned()))
            })
            .await
        })
    }

    fn describe<'a>(&'a self, state: &'a ClusterState, i: usize) -> DriverFuture<'a, String> {
        let addr = state.topology.addr(i).to_string();
        Box::pin(async move {
            blocking(move || {
                Ok(match position(&addr) {
                    Ok((true, lsn)) => format!("replica, replayed {lsn}"),
                    Ok((false, lsn)) => format!("primary, at {lsn}"),
                    Err(_) => "not answering".into(),
                })
            })
            .await
        })
    }

    fn converged<'a>(&'a self, state: &'a ClusterState) -> DriverFuture<'a, Option<String>> {
        let snapshot = state.clone();
        Box::pin(async move {
            blocking(move || {
                let mut at = Vec::new();
                for (_, addr) in addrs(&snapshot) {
                    match position(&addr) {
                        Ok(p) => at.push(p),
                        Err(_) => return Ok(None),
                    }
                }
                let primaries: Vec<&String> =
                    at.iter().filter(|(r, _)| !r).map(|(_, l)| l).collect();
                let [primary] = primaries[..] else {
                    return Ok(None);
                };
                let caught_up = at.iter().all(|(_, l)| l == primary);
                Ok(caught_up.then(|| {
                    format!("one primary, every replica has replayed its WAL up to {primary}")
                }))
            })
            .await
        })
    }

    fn promote(&self, state: &mut ClusterState, from: &str) -> Result<serde_json::Value> {
        let mut candidates: Vec<(u64, String, String)> = addrs(state)
            .into_iter()
            .filter(|(n, _)| n != from)
            .filter_map(|(n, a)| {
                let received = query(&a, "select pg_last_wal_receive_lsn()").ok()?;
                Some((lsn(&received).unwrap_or(0), n, received))
            })
            .collect();
        // The most advanced replica; the first by name among equals.
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let Some((_, to, received)) = candidates.first().cloned() else {
            return Err(NemesisError::Invalid(format!(
                "no replica of {from} answers: nothing to promote"
            )));
        };
        let fenced = process::kill_all(&state.topology.namespace(state.topology.index(from)?))?;
        let to_addr = primary_addr(state, &to)?;
        query(&to_addr, "select pg_promote(true, 30)")?;
        state.primary = Some(to.clone());
        let mut repointed = Vec::new();
        for (n, a) in addrs(state) {
            if n == to || n == from {
                continue;
            }
            let i = state.topology.index(&n)?;
            let info = format!("host={to_addr} port={PORT} user={USER} application_name=n{i}");
            query(&a, &format!("alter system set primary_conninfo = '{info}'"))?;
            query(&a, "select pg_reload_conf()")?;
            repointed.push(n);
        }
        Ok(json!({
            "fenced": { "node": from, "pids": fenced },
            "promoted": to,
            "received_lsn": received,
            "repointed": repointed,
        }))
    }
}

/// initdb for node 1, with replication and the cluster's subnet allowed in.
fn init_primary(state: &ClusterState) -> Result<()> {
    let dir = data_dir(&state.root, 1);
    empty_data_dir(&dir)?;
    run_as_postgres(&[
        &bin("initdb"),
        "-D",
        &dir.to_string_lossy(),
        "-U",
        USER,
        "--auth=trust",
        "--locale=C",
        "-E",
        "UTF8",
    ])?;
    let subnet = format!("{}/24", state.topology.addr(0));
    append(
        &dir.join("pg_hba.conf"),
        &format!("host all all {subnet} trust\nhost replication all {subnet} trust\n"),
    )
}

/// True when the node at `addr` answers a query (run on the blocking pool).
async fn answers(addr: String) -> bool {
    blocking(move || Ok(query(&addr, "select 1").is_ok()))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_compare_as_numbers() {
        assert!(lsn("0/3000148") < lsn("0/30001A0"));
        assert!(lsn("0/FFFFFFFF") < lsn("1/0"));
        assert_eq!(lsn("garbage"), None);
    }
}
