//! The run store: `store/<test name>/<YYYYmmddTHHMMSS>/`, one folder per run, and a `latest`
//! link per test pointing at the newest run.

use crate::error::{ReportError, Result};
use crate::stamp::now_stamp;
use checker::history::History;
use checker::verdict::Results;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The history file of a run folder.
pub const HISTORY_FILE: &str = "history.jsonl";
/// The results file of a run folder (`checker::verdict::Results` as JSON).
pub const RESULTS_FILE: &str = "results.json";
/// The folder that holds the nodes' logs in a run folder.
pub const LOGS_DIR: &str = "logs";
/// The name of the link to the newest run of a test.
pub const LATEST: &str = "latest";

/// A node's log file to keep with the run, as `logs/<node>.log`.
#[derive(Debug, Clone)]
pub struct NodeLog {
    /// The node's name, e.g. `n1`.
    pub node: String,
    /// Where the log is now.
    pub path: PathBuf,
}

/// One run's folder in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates `store/<test>/<now>/` (with `-2`, `-3`... appended when a run of the same test
    /// started in the same second) and points `store/<test>/latest` at it. Create it before the
    /// test starts so the recorder can write [`RunDir::history_path`] as it goes.
    pub fn create(store: &Path, test_name: &str) -> Result<RunDir> {
        check_test_name(test_name)?;
        let test_dir = store.join(test_name);
        fs::create_dir_all(&test_dir).map_err(ReportError::io("cannot create", &test_dir))?;
        let stamp = now_stamp();
        let mut attempt = 1;
        let path = loop {
            let name = if attempt == 1 {
                stamp.clone()
            } else {
                format!("{stamp}-{attempt}")
            };
            let path = test_dir.join(&name);
            match fs::create_dir(&path) {
                Ok(()) => break path,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => attempt += 1,
                Err(e) => return Err(ReportError::io("cannot create", &path)(e)),
            }
        };
        let run = RunDir { path };
        run.link_latest()?;
        Ok(run)
    }

    /// Opens an existing run folder (one that has a history and results).
    pub fn open(path: &Path) -> Result<RunDir> {
        let run = RunDir {
            path: path.to_path_buf(),
        };
        if run.history_path().is_file() && run.results_path().is_file() {
            Ok(run)
        } else {
            Err(ReportError::NotARun(path.to_path_buf()))
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The test's name: the name of the folder above the run's.
    pub fn test_name(&self) -> String {
        name_of(self.path.parent().unwrap_or(&self.path))
    }

    /// The run's stamp: the folder's own name.
    pub fn stamp(&self) -> String {
        name_of(&self.path)
    }

    /// Where the history goes: `history.jsonl`.
    pub fn history_path(&self) -> PathBuf {
        self.path.join(HISTORY_FILE)
    }

    /// Where the results go: `results.json`.
    pub fn results_path(&self) -> PathBuf {
        self.path.join(RESULTS_FILE)
    }

    /// Writes the history as history.jsonl, one event per line.
    pub fn write_history(&self, history: &History) -> Result<()> {
        let path = self.history_path();
        let file = fs::File::create(&path).map_err(ReportError::io("cannot write", &path))?;
        let mut out = BufWriter::new(file);
        for event in &history.events() {
            serde_json::to_writer(&mut out, event)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .map_err(ReportError::io("cannot write", &path))?;
        }
        out.flush().map_err(ReportError::io("cannot write", &path))
    }

    /// Writes the results as results.json (pretty-printed; the schema is docs/results.md).
    pub fn write_results(&self, results: &Results) -> Result<()> {
        let mut json =
            serde_json::to_string_pretty(results).map_err(|e| ReportError::BadInput {
                path: self.results_path(),
                message: format!("cannot serialize the results: {e}"),
            })?;
        json.push('\n');
        self.write_file(RESULTS_FILE, json.as_bytes())
    }

    /// Reads results.json back.
    pub fn read_results(&self) -> Result<Results> {
        let path = self.results_path();
        let text = fs::read_to_string(&path).map_err(ReportError::io("cannot read", &path))?;
        serde_json::from_str(&text).map_err(|e| ReportError::BadInput {
            path,
            message: format!("not a Frenzy results file ({e}); see docs/results.md for the schema"),
        })
    }

    /// Copies the nodes' logs into `logs/<node>.log`.
    pub fn copy_logs(&self, logs: &[NodeLog]) -> Result<()> {
        if logs.is_empty() {
            return Ok(());
        }
        check_node_names(logs)?;
        let dir = self.path.join(LOGS_DIR);
        fs::create_dir_all(&dir).map_err(ReportError::io("cannot create", &dir))?;
        for log in logs {
            let to = dir.join(format!("{}.log", log.node));
            fs::copy(&log.path, &to).map_err(ReportError::io("cannot copy the log", &log.path))?;
        }
        Ok(())
    }

    /// Writes one file of the run folder.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path.join(name);
        fs::write(&path, bytes).map_err(ReportError::io("cannot write", &path))
    }

    /// Points `<test>/latest` at this run, replacing the old link atomically.
    fn link_latest(&self) -> Result<()> {
        let Some(test_dir) = self.path.parent() else {
            return Ok(());
        };
        let tmp = test_dir.join(format!(".{LATEST}.{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        symlink(Path::new(&self.stamp()), &tmp).map_err(ReportError::io("cannot link", &tmp))?;
        let latest = test_dir.join(LATEST);
        fs::rename(&tmp, &latest).map_err(ReportError::io("cannot replace", &latest))
    }
}

/// Stores a finished run in one call: creates the folder, writes history.jsonl, results.json and
/// the logs, renders report.html, the plots and junit.xml, and returns the folder.
pub fn write_run(
    store: &Path,
    test_name: &str,
    history: &History,
    results: &Results,
    logs: &[NodeLog],
) -> Result<RunDir> {
    check_node_names(logs)?;
    let run = RunDir::create(store, test_name)?;
    run.write_history(history)?;
    run.write_results(results)?;
    run.copy_logs(logs)?;
    crate::render::render_run(&run, history, results)?;
    Ok(run)
}

/// Names that become file or folder names: letters, digits, `-`, `_`, `.`, not starting with a dot.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Node names become log file names.
fn check_node_names(logs: &[NodeLog]) -> Result<()> {
    match logs.iter().find(|l| !is_safe_name(&l.node)) {
        Some(bad) => Err(ReportError::BadNodeName(bad.node.clone())),
        None => Ok(()),
    }
}

/// Test names become folder names: safe names other than `latest`.
fn check_test_name(name: &str) -> Result<()> {
    if is_safe_name(name) && name != LATEST {
        Ok(())
    } else {
        Err(ReportError::BadTestName(name.to_string()))
    }
}

/// The last component of a path, as text.
fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    fs::write(link, target.to_string_lossy().as_bytes())
}
