//! Every command of README.md runs as written: each indented line that starts with `frenzy`,
//! `cargo` or `scripts/` is run through `sh` in a scratch folder laid out like a checkout
//! (`examples/` and `../shared/` where the README expects them), with the built `frenzy` (and the
//! `ticketd` beside it) first on the `PATH`. A command runs when it exits with a verdict (0 or 1),
//! not a usage error, a crash or "command not found". The etcd commands need root and etcd
//! (scripts/setup.sh), like the rest of the suite; run it under /tmp/frenzy-real.lock.

use std::path::{Path, PathBuf};
use std::process::Command;

/// README commands this test does not run, and why: installing and `cargo run --release` build
/// everything again in release mode (the test puts the same binaries on the `PATH` instead and
/// runs `frenzy demo`), and the test command is what runs this test.
const NOT_RUN: [&str; 4] = [
    "cargo run --release -- demo",
    "cargo install --path .",
    "cargo install --path ticketd",
    "scripts/test.sh",
];

/// The repository.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README's commands, in order, without their trailing `# comments`.
fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    text.lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| {
            ["frenzy ", "cargo ", "scripts/"]
                .iter()
                .any(|p| line.starts_with(p))
        })
        .map(|line| match line.find(" #") {
            Some(at) => line[..at].trim_end().to_string(),
            None => line.trim_end().to_string(),
        })
        .collect()
}

/// A scratch folder `<tmp>/readme-<pid>/repo` with `examples` linked in and `../shared` beside it.
struct Checkout(PathBuf);

impl Checkout {
    fn new() -> Checkout {
        let root = std::env::temp_dir().join(format!("frenzy-readme-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let repo_dir = root.join("repo");
        std::fs::create_dir_all(&repo_dir).expect("scratch folder");
        std::os::unix::fs::symlink(repo().join("examples"), repo_dir.join("examples"))
            .expect("link examples/");
        let shared = repo().join("../shared");
        std::os::unix::fs::symlink(
            shared
                .canonicalize()
                .expect("../shared beside the repository"),
            root.join("shared"),
        )
        .expect("link ../shared");
        Checkout(root)
    }

    fn dir(&self) -> PathBuf {
        self.0.join("repo")
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_readme_command_runs_as_written() {
    let commands = readme_commands();
    assert!(commands.len() >= 10, "too few commands found: {commands:?}");
    for skipped in NOT_RUN {
        assert!(
            commands.iter().any(|c| c == skipped),
            "README no longer has `{skipped}`: update NOT_RUN"
        );
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_frenzy"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let checkout = Checkout::new();
    let mut failures = Vec::new();
    for command in commands.iter().filter(|c| !NOT_RUN.contains(&c.as_str())) {
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(checkout.dir())
            .env("PATH", &path)
            .output()
            .expect("running sh");
        let code = out.status.code();
        if !matches!(code, Some(0) | Some(1)) {
            failures.push(format!(
                "`{command}` exited {code:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
