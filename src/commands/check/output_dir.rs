//! `--out DIR`: the history as JSONL, results.json, one witness history per invalid partition, and
//! the report (report.html, charts, junit.xml) built from them.

use crate::exit::user_error;
use anyhow::Context;
use checker::history::History;
use checker::jsonl::write_events;
use checker::verdict::Results;
use std::collections::{HashSet, VecDeque};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// Where each history's results go: `DIR` itself for one history, `DIR/<file stem>` for several.
pub struct OutputDirs {
    /// The folder of each history, in the order the histories are written.
    planned: VecDeque<PathBuf>,
}

/// The files written into a history's folder besides its witnesses (`witness*.jsonl`).
const WRITTEN: [&str; 8] = [
    reports::store::HISTORY_FILE,
    reports::store::RESULTS_FILE,
    reports::render::REPORT_FILE,
    reports::render::JUNIT_FILE,
    "latency.svg",
    "latency.png",
    "rate.svg",
    "rate.png",
];

/// The files written for one history.
pub struct Written {
    /// The results.json path.
    pub results: PathBuf,
    /// Each invalid partition's key and its witness history file.
    pub witnesses: Vec<(String, PathBuf)>,
    /// The report, when it could be built.
    pub report: Option<PathBuf>,
}

impl OutputDirs {
    /// Output under `root` for `histories`, written in that order. Refuses, before anything is
    /// checked or written, when a file it would write is one of the histories (the same file by
    /// device and inode, whatever path names it): an input is never overwritten.
    pub fn new(root: &Path, histories: &[PathBuf]) -> anyhow::Result<Self> {
        let mut used = HashSet::new();
        let planned: VecDeque<PathBuf> = histories
            .iter()
            .map(|path| dir_for(root, path, histories.len() > 1, &mut used))
            .collect();
        for dir in &planned {
            refuse_overwriting(root, dir, histories)?;
        }
        Ok(OutputDirs { planned })
    }

    /// Writes `results` and the witnesses of its invalid partitions for the next history.
    pub fn write(&mut self, history: &History, results: &Results) -> anyhow::Result<Written> {
        let dir = self
            .planned
            .pop_front()
            .context("more histories written than planned (a Frenzy bug)")?;
        fs::create_dir_all(&dir).map_err(|e| {
            user_error(format!(
                "cannot create the output directory {}: {e}; pass --out a directory you can write",
                dir.display()
            ))
        })?;
        let results_path = dir.join("results.json");
        let text = serde_json::to_string_pretty(results)?;
        fs::write(&results_path, text + "\n")
            .with_context(|| format!("writing {}", results_path.display()))?;
        let mut witnesses = Vec::new();
        let partitions = results.linearizability.iter().flat_map(|l| &l.partitions);
        for partition in partitions {
            let Some(evidence) = partition
                .evidence
                .as_ref()
                .filter(|e| !e.witness.is_empty())
            else {
                continue;
            };
            let file = dir.join(witness_name(&partition.key));
            let events = history.sub_history_events(&evidence.witness);
            File::create(&file)
                .and_then(|f| write_events(&events, f))
                .with_context(|| format!("writing {}", file.display()))?;
            witnesses.push((partition.key.clone(), file));
        }
        let history_path = dir.join("history.jsonl");
        File::create(&history_path)
            .and_then(|f| write_events(&history.events(), f))
            .with_context(|| format!("writing {}", history_path.display()))?;
        // The history and results are in memory already: render from them, not from the files.
        let rendered = reports::RunDir::open(&dir)
            .and_then(|run| reports::render_run(&run, history, results).map(|()| run));
        let report = match rendered {
            Ok(run) => Some(run.path().join(reports::render::REPORT_FILE)),
            Err(e) => {
                eprintln!("warning: the HTML report could not be written: {e}");
                None
            }
        };
        Ok(Written {
            results: results_path,
            witnesses,
            report,
        })
    }
}

/// The directory for the history at `path`: `root` itself, or `root/<stem>` (unique among `used`)
/// when there are several histories.
fn dir_for(root: &Path, path: &Path, per_history: bool, used: &mut HashSet<String>) -> PathBuf {
    if !per_history {
        return root.to_path_buf();
    }
    let stem = path.file_stem().map_or_else(
        || "history".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let mut name = safe_name(&stem);
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{}-{n}", safe_name(&stem));
        n += 1;
    }
    root.join(name)
}

/// Fails when a file Frenzy would write in `dir` is one of the `inputs`.
fn refuse_overwriting(root: &Path, dir: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let witnesses = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("witness") && name.ends_with(".jsonl")
        });
    let targets: Vec<PathBuf> = WRITTEN
        .iter()
        .map(|name| dir.join(name))
        .chain(witnesses.map(|e| e.path()))
        .collect();
    for input in inputs {
        let Some(input_id) = identity(input) else {
            continue;
        };
        if let Some(target) = targets.iter().find(|t| identity(t) == Some(input_id)) {
            return Err(user_error(format!(
                "--out {} would overwrite the input {} (it is {}), and Frenzy never overwrites a \
                 history it checks: pass --out a folder that holds none of the inputs, e.g. --out {}",
                root.display(),
                input.display(),
                target.display(),
                root.join("checked").display()
            )));
        }
    }
    Ok(())
}

/// A file's device and inode: the same for every path that names it (links, `..`, symlinks).
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// `witness-<key>.jsonl`, or `witness.jsonl` for an unpartitioned history.
fn witness_name(key: &str) -> String {
    if key.is_empty() {
        "witness.jsonl".to_string()
    } else {
        format!("witness-{}.jsonl", safe_name(key))
    }
}

/// `name` with every character but letters, digits, `.`, `-` and `_` replaced by `_`.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
