//! What the PostgreSQL and Redis tests share: a `frenzy cluster up --system …` cluster with names
//! unique to the test process (taken down when dropped), and `frenzy test` runs through an
//! example adapter against it.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A local cluster made by `frenzy cluster up`, removed by `frenzy cluster down` on drop.
pub struct SystemCluster {
    prefix: String,
    subnet: String,
    /// The state folder (`--dir`); the run store lives in it too.
    pub dir: PathBuf,
}

impl SystemCluster {
    /// Names for test binary `tag` (a letter): prefix, subnet and folder unique to this process.
    pub fn new(tag: char, octet: u8) -> Self {
        let pid = std::process::id();
        Self {
            prefix: format!("fz{tag}{:04x}", pid & 0xffff),
            subnet: format!("10.{octet}.{}.0/24", pid % 251),
            dir: std::env::temp_dir().join(format!("frenzy-{tag}-{pid}")),
        }
    }

    /// Runs `frenzy cluster ACTION` on this cluster with `extra` flags.
    pub fn cluster(&self, action: &str, extra: &[&str]) -> Output {
        let dir = self.dir.to_string_lossy().into_owned();
        let mut args = vec!["cluster", action, "--prefix", &self.prefix, "--dir", &dir];
        if action == "up" {
            args.extend(["--subnet", &self.subnet]);
        }
        args.extend_from_slice(extra);
        frenzy(&args)
    }

    /// `frenzy cluster up` with `extra` flags, asserting it worked.
    pub fn up(&self, extra: &[&str]) {
        let up = self.cluster("up", extra);
        assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    }

    /// `frenzy test` against this cluster through `adapter` (a file of examples/adapters) with
    /// `extra` flags; its output.
    pub fn test(&self, adapter: &str, extra: &[&str]) -> Output {
        let adapter = format!("{}/examples/adapters/{adapter}", env!("CARGO_MANIFEST_DIR"));
        let root = self.dir.join(&self.prefix).to_string_lossy().into_owned();
        let store = self.dir.join("store").to_string_lossy().into_owned();
        let mut args = vec![
            "test",
            "--adapter",
            &adapter,
            "--cluster",
            &root,
            "--store",
            &store,
        ];
        args.extend_from_slice(extra);
        frenzy(&args)
    }
}

impl Drop for SystemCluster {
    fn drop(&mut self) {
        let _ = self.cluster("down", &[]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the frenzy binary under test.
pub fn frenzy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running frenzy: {e}"))
}

/// stdout and stderr together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
