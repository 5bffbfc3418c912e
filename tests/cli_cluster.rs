//! `frenzy cluster` end to end, as root: up, a refused second up, status, heal after a kill, down.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A cluster name, subnet and state folder unique to this process.
struct Names {
    prefix: String,
    subnet: String,
    dir: PathBuf,
}

impl Names {
    /// Names for the test called `test` (prefixes and folders differ between tests: each test's
    /// name starts with a letter of its own).
    fn new_named(test: &str) -> Self {
        let pid = std::process::id();
        let prefix = format!("fz{}{:04x}", &test[..1], pid & 0xffff);
        Self {
            subnet: format!("10.120.{}.0/24", pid % 251),
            dir: std::env::temp_dir().join(format!("frenzy-cli-cluster-{test}-{pid}")),
            prefix,
        }
    }

    fn frenzy(&self, args: &[&str]) -> Output {
        let dir = self.dir.to_string_lossy().into_owned();
        let mut all = vec!["cluster"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--prefix", &self.prefix, "--dir", &dir]);
        Command::new(env!("CARGO_BIN_EXE_frenzy"))
            .args(&all)
            .output()
            .unwrap_or_else(|e| panic!("running frenzy: {e}"))
    }
}

impl Drop for Names {
    fn drop(&mut self) {
        let _ = self.frenzy(&["down"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The status code ticketd at `addr` answers `GET /health` with, or what went wrong.
fn health_status(addr: &str) -> String {
    use std::io::{Read, Write};
    let attempt = || -> std::io::Result<String> {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.write_all(b"GET /health HTTP/1.0\r\nHost: n\r\n\r\n")?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply
            .split_whitespace()
            .nth(1)
            .unwrap_or("no status")
            .to_string())
    };
    attempt().unwrap_or_else(|e| e.to_string())
}

#[test]
fn cluster_up_status_heal_down_leave_nothing_behind() {
    let names = Names::new_named("up");
    let up = names.frenzy(&[
        "up",
        "--nodes",
        "3",
        "--subnet",
        &names.subnet,
        "--system",
        "ticketd",
    ]);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    assert!(text(&up).contains("up in"), "{}", text(&up));

    let again = names.frenzy(&["up", "--nodes", "3", "--subnet", &names.subnet]);
    assert_eq!(again.status.code(), Some(254), "{}", text(&again));
    assert!(text(&again).contains("in the way"), "{}", text(&again));

    let status = names.frenzy(&["status"]);
    assert_eq!(
        text(&status).matches(" healthy").count(),
        3,
        "{}",
        text(&status)
    );

    let ns = format!("{}-n2", names.prefix);
    let pids = Command::new("ip")
        .args(["netns", "pids", &ns])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    for pid in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = names.frenzy(&["status"]);
    assert!(text(&status).contains("UNHEALTHY"), "{}", text(&status));

    let heal = names.frenzy(&["heal"]);
    assert_eq!(heal.status.code(), Some(0), "{}", text(&heal));
    assert!(text(&heal).contains("every node serves"), "{}", text(&heal));
    // heal returns only once every node serves: ticketd restarted and answering, at once.
    let base = names.subnet.trim_end_matches("0/24");
    for i in 1..=3 {
        let addr = format!("{base}{i}:8080");
        assert_eq!(
            health_status(&addr),
            "200",
            "ticketd on n{i} right after heal"
        );
    }

    // The state file lost, `down` still removes what `up` made: it carries Frenzy's mark.
    std::fs::remove_file(names.dir.join(&names.prefix).join("cluster.json")).unwrap();
    let down = names.frenzy(&["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert!(!std::path::Path::new("/run/netns").join(&ns).exists());
    assert!(!std::path::Path::new("/sys/class/net")
        .join(format!("{}br", names.prefix))
        .exists());
    let again = names.frenzy(&["down"]);
    assert!(
        text(&again).contains("nothing to take down"),
        "{}",
        text(&again)
    );
}

#[test]
fn down_and_up_leave_a_folder_of_user_files_untouched() {
    let names = Names::new_named("foreign");
    let folder = names.dir.join(&names.prefix);
    std::fs::create_dir_all(folder.join("photos")).unwrap();
    std::fs::write(folder.join("photos/cat.jpg"), "meow").unwrap();
    let files = ["photos/cat.jpg"];

    for args in [&["down"][..], &["up", "--subnet", &names.subnet][..]] {
        let out = names.frenzy(args);
        assert_eq!(out.status.code(), Some(254), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("was not made by `frenzy cluster up`"),
            "{}",
            text(&out)
        );
        assert_eq!(text(&out).trim().lines().count(), 1, "{}", text(&out));
        for f in files {
            assert!(folder.join(f).exists(), "{args:?} removed {f}");
        }
    }

    // A namespace that only carries a cluster's name is not Frenzy's: with no state, `down`
    // leaves it and the process in it.
    let ns = format!("{}-n1", names.prefix);
    let made = Command::new("ip").args(["netns", "add", &ns]).status();
    assert!(made.is_ok_and(|s| s.success()), "ip netns add {ns}");
    let mut inside = Command::new("ip")
        .args(["netns", "exec", &ns, "sleep", "60"])
        .spawn()
        .expect("a process in the namespace");
    let elsewhere = Names {
        prefix: names.prefix.clone(),
        subnet: names.subnet.clone(),
        dir: names.dir.join("elsewhere"),
    };
    let out = elsewhere.frenzy(&["down"]);
    let kept = std::path::Path::new("/run/netns").join(&ns).exists();
    let alive = inside.try_wait().is_ok_and(|s| s.is_none());
    let _ = inside.kill();
    let _ = inside.wait();
    let _ = Command::new("ip").args(["netns", "del", &ns]).status();
    assert_eq!(out.status.code(), Some(254), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("namespace {ns} not made by `frenzy cluster up`")),
        "{}",
        text(&out)
    );
    assert!(
        kept && alive,
        "the namespace and its process were left alone"
    );

    // A state file there (copied, or the user's own cluster.json) is no proof either.
    std::fs::write(folder.join("cluster.json"), "{\"mine\": true}").unwrap();
    let out = names.frenzy(&["down"]);
    assert_eq!(out.status.code(), Some(254), "{}", text(&out));
    assert!(folder.join("photos/cat.jpg").exists());
    assert!(folder.join("cluster.json").exists());
}

/// `frenzy cluster up` with `args`, in a mount namespace of its own where an empty tmpfs hides
/// `hidden` (so the system's package looks uninstalled there; the machine is untouched).
fn up_without(names: &Names, hidden: &str, args: &[&str]) -> Output {
    let dir = names.dir.to_string_lossy();
    let up = format!(
        "mount -t tmpfs frenzy-hidden {hidden} && exec {} cluster up --prefix {} --dir {dir} --subnet {} {}",
        env!("CARGO_BIN_EXE_frenzy"),
        names.prefix,
        names.subnet,
        args.join(" ")
    );
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c", &up])
        .output()
        .unwrap_or_else(|e| panic!("running unshare: {e}"))
}

#[test]
fn a_system_whose_package_is_missing_is_named_and_nothing_is_made() {
    let names = Names::new_named("missing");
    for (system, hidden, package) in [
        ("redis", "/usr/bin", "Debian's redis-server"),
        ("postgres", "/usr/lib/postgresql", "Debian's postgresql"),
        ("etcd", "/usr/bin", "Debian's etcd-server"),
    ] {
        let out = up_without(&names, hidden, &["--system", system]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(254), "{system}: {shown}");
        assert_eq!(shown.trim().lines().count(), 1, "{system}: {shown}");
        assert!(
            shown.contains(&format!("install {package}")),
            "{system}: {shown}"
        );
        assert!(!names.dir.join(&names.prefix).exists(), "{system}: {shown}");
        assert!(!std::path::Path::new("/run/netns")
            .join(format!("{}-n1", names.prefix))
            .exists());
    }
}
