//! `--out DIR`: the history as JSONL, results.json, one witness history per invalid partition, and
//! the report (report.html, charts, junit.xml) built from them.

use crate::exit::user_error;
use anyhow::Context;
use checker::history::History;
use checker::jsonl::write_events;
use checker::verdict::Results;
use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// Where each history's results go: `DIR` itself for one history, `DIR/<file stem>` for several.
pub struct OutputDirs {
    root: PathBuf,
    per_history: bool,
    used: HashSet<String>,
}

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
    /// Output under `root` for `histories` histories.
    pub fn new(root: &Path, histories: usize) -> Self {
        OutputDirs {
            root: root.to_path_buf(),
            per_history: histories > 1,
            used: HashSet::new(),
        }
    }

    /// Writes `results` and the witnesses of its invalid partitions for the history at `path`.
    pub fn write(
        &mut self,
        path: &Path,
        history: &History,
        results: &Results,
    ) -> anyhow::Result<Written> {
        let dir = self.dir_for(path);
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
            .and_then(|f| write_events(&history.events, f))
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

    /// The directory for the history at `path`, unique among those handed out so far.
    fn dir_for(&mut self, path: &Path) -> PathBuf {
        if !self.per_history {
            return self.root.clone();
        }
        let stem = path.file_stem().map_or_else(
            || "history".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let mut name = safe_name(&stem);
        let mut n = 2;
        while !self.used.insert(name.clone()) {
            name = format!("{}-{n}", safe_name(&stem));
            n += 1;
        }
        self.root.join(name)
    }
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
