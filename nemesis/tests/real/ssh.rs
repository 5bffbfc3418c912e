//! The ssh driver against sshd running inside namespace hosts, with a throwaway key pair.

use crate::common::{connects_from, eventually, scratch, stopped, topology, Namespaces};
use nemesis::netns::process;
use nemesis::{partition, Driver, NemesisError, PartitionKind, SshDriver};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn keygen(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "ssh-keygen failed for {}", path.display());
}

/// Starts sshd in node `i`'s namespace on its address, trusting `dir/id.pub`.
fn start_sshd(ns: &Namespaces, i: usize, dir: &Path) {
    let config = dir.join(format!("sshd-n{i}.conf"));
    let text = format!(
        "ListenAddress {addr}\nPort 22\nHostKey {dir}/host\nPidFile {dir}/sshd-n{i}.pid\n\
         AuthorizedKeysFile {dir}/id.pub\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n\
         KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n",
        addr = ns.0.addr(i),
        dir = dir.display()
    );
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let argv = ["/usr/sbin/sshd", "-D", "-e", "-f"]
        .map(String::from)
        .into_iter();
    let argv: Vec<String> = argv
        .chain([config.to_string_lossy().into_owned()])
        .collect();
    process::spawn_in(
        &ns.0.namespace(i),
        &argv,
        &dir.join(format!("sshd-n{i}.log")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let addr = SocketAddr::from((ns.0.addr(i), 22));
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "sshd on n{i} did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ssh_driver_runs_fault_commands_on_the_nodes_and_checks_their_status() {
    let ns = Namespaces::create(topology(5, 2));
    let dir = scratch(&ns.0);
    std::fs::create_dir_all("/run/sshd").unwrap_or_else(|e| panic!("{e}"));
    keygen(&dir.join("host"));
    keygen(&dir.join("id"));
    start_sshd(&ns, 1, &dir);
    start_sshd(&ns, 2, &dir);
    let victim = ["sleep", "300"].map(String::from);
    let pid = process::spawn_in(&ns.0.namespace(1), &victim, &dir.join("sleep.log"))
        .unwrap_or_else(|e| panic!("{e}"));

    let file = dir.join("cluster.toml");
    std::fs::write(
        &file,
        format!(
            "identity = \"{dir}/id\"\noptions = [\"StrictHostKeyChecking=no\", \"UserKnownHostsFile=/dev/null\", \"LogLevel=ERROR\"]\n\n\
             [commands]\nkill = \"kill -KILL {{pid}}\"\npause = \"kill -STOP {{pid}}\"\nresume = \"kill -CONT {{pid}}\"\nstart = \"exit 3\"\n\n\
             [[nodes]]\nname = \"n1\"\nhost = \"{a1}\"\nvars = {{ pid = \"{pid}\" }}\n\n\
             [[nodes]]\nname = \"n2\"\nhost = \"{a2}\"\n",
            dir = dir.display(),
            a1 = ns.0.addr(1),
            a2 = ns.0.addr(2),
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let driver = SshDriver::open(&file).unwrap_or_else(|e| panic!("{e}"));

    // Partition with the default nftables commands, checked by connections between the hosts.
    let to = |i: usize| SocketAddr::from((ns.0.addr(i), 22));
    assert!(connects_from(&ns.0.namespace(2), to(1)));
    let plan = partition::isolate(PartitionKind::IsolateOne, &driver.nodes(), "n1");
    driver
        .partition(&plan)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !connects_from(&ns.0.namespace(2), to(1)),
        "n2 reached n1 across the partition"
    );
    assert!(
        !connects_from(&ns.0.namespace(1), to(2)),
        "n1 reached n2 across the partition"
    );
    driver
        .heal_network()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        connects_from(&ns.0.namespace(2), to(1)),
        "heal did not restore n2 -> n1"
    );

    // Pause, resume and kill through overridden commands.
    driver.pause("n1").await.unwrap_or_else(|e| panic!("{e}"));
    let five = Duration::from_secs(5);
    eventually(five, "n1 stopped by pause", || async move { stopped(pid) }).await;
    driver.resume("n1").await.unwrap_or_else(|e| panic!("{e}"));
    eventually(
        five,
        "n1 continued by resume",
        || async move { !stopped(pid) },
    )
    .await;
    driver.kill("n1").await.unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while process::alive(pid) {
        assert!(
            Instant::now() < deadline,
            "kill over ssh left the process running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // A failing command is an error naming the node, the command and its status.
    let err = driver.restart("n1").await;
    assert!(
        matches!(&err, Err(NemesisError::Command { command, status, .. }) if command.contains("n1") && command.contains("exit 3") && status.contains('3')),
        "{err:?}"
    );
}
