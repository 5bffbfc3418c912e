//! The index of a store: every run of every test, newest first, with its verdict and size.

use crate::error::{ReportError, Result};
use crate::escape::escape;
use crate::render::{JUNIT_FILE, REPORT_FILE};
use crate::stamp::display_stamp;
use crate::store::{RunDir, HISTORY_FILE, LATEST, RESULTS_FILE};
use crate::summary::verdict_word;
use checker::verdict::Verdict;
use std::fmt::Write;
use std::fs;
use std::path::Path;

/// One run of the store, as the index shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEntry {
    /// The test's name (its folder).
    pub test: String,
    /// The run's folder name, `YYYYmmddTHHMMSS`.
    pub stamp: String,
    /// When it started, for a person (`2026-11-25 10:49:20 UTC`).
    pub time: String,
    /// The verdict, when results.json could be read.
    pub verdict: Option<Verdict>,
    /// Operations invoked, when results.json could be read.
    pub ops: Option<usize>,
    /// Whether report.html exists.
    pub has_report: bool,
    /// Which of results.json, history.jsonl and junit.xml exist (a killed run may have only its
    /// history): the index links these and no others.
    pub files: Vec<&'static str>,
}

/// The files the index links besides the report, in the order shown, with their labels.
const LINKED: [(&str, &str); 3] = [
    (RESULTS_FILE, "results"),
    (HISTORY_FILE, "history"),
    (JUNIT_FILE, "junit"),
];

/// Lists the runs of a store, newest first (the `latest` links are skipped).
pub fn list_runs(store: &Path) -> Result<Vec<RunEntry>> {
    let mut runs = Vec::new();
    for test in read_dir_names(store)? {
        let test_dir = store.join(&test);
        if !test_dir.is_dir() {
            continue;
        }
        for stamp in read_dir_names(&test_dir)? {
            let Some(time) = display_stamp(&stamp).filter(|_| stamp != LATEST) else {
                continue;
            };
            let dir = test_dir.join(&stamp);
            let run = RunDir::open(&dir).ok();
            let results = run.as_ref().and_then(|r| r.read_results().ok());
            runs.push(RunEntry {
                test: test.clone(),
                verdict: results.as_ref().map(|r| r.valid),
                ops: results.as_ref().map(|r| r.op_counts.invoke),
                has_report: dir.join(REPORT_FILE).is_file(),
                files: LINKED
                    .iter()
                    .map(|(file, _)| *file)
                    .filter(|file| dir.join(file).is_file())
                    .collect(),
                stamp,
                time,
            });
        }
    }
    runs.sort_by(|a, b| b.stamp.cmp(&a.stamp).then(a.test.cmp(&b.test)));
    Ok(runs)
}

/// The names in a folder, skipping hidden ones.
fn read_dir_names(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(ReportError::io("cannot list", dir))?;
    Ok(entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect())
}

/// The index page: a table of runs linking to their reports under `/runs/<test>/<stamp>/`.
pub fn index_html(store_label: &str, runs: &[RunEntry]) -> String {
    let mut h = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Frenzy runs</title>\n<style>\n\
         body {{ font: 14px/1.45 sans-serif; margin: 20px auto; max-width: 1000px; padding: 0 20px; }}\n\
         table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }}\n\
         .valid {{ color: #2e7d32; font-weight: bold; }} .invalid {{ color: #c62828; font-weight: bold; }} .unknown {{ color: #8d6e00; font-weight: bold; }}\n\
         td.num {{ text-align: right; }}\n</style>\n</head>\n<body>\n<h1>Frenzy runs</h1>\n<p>Store: <code>{}</code> · {} runs</p>\n",
        escape(store_label),
        runs.len()
    );
    if runs.is_empty() {
        h.push_str("<p>No runs yet: <code>frenzy test</code> or <code>frenzy check --out</code> store them here.</p>\n");
    } else {
        h.push_str("<table id=\"runs\">\n<tr><th>test</th><th>time</th><th>verdict</th><th>operations</th><th>files</th></tr>\n");
        for r in runs {
            let base = format!("/runs/{}/{}", escape(&r.test), escape(&r.stamp));
            let verdict = r.verdict.map_or("no results", verdict_word);
            let link = if r.has_report {
                format!("<a href=\"{base}/report.html\">{}</a>", escape(&r.test))
            } else {
                escape(&r.test)
            };
            let files: Vec<String> = LINKED
                .iter()
                .filter(|(file, _)| r.files.contains(file))
                .map(|(file, label)| format!("<a href=\"{base}/{file}\">{label}</a>"))
                .collect();
            let _ = writeln!(
                h,
                "<tr class=\"run\"><td>{link}</td><td>{}</td><td class=\"{verdict}\">{verdict}</td><td class=\"num\">{}</td>\
                 <td>{}</td></tr>",
                escape(&r.time),
                r.ops.map_or(String::new(), |n| n.to_string()),
                files.join(" · "),
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}
