//! Rendering a run folder: report.html, the charts (PNG and SVG) and junit.xml, from a history and
//! its results, in memory or read back from the folder.

use crate::error::{ReportError, Result};
use crate::faults::fault_windows;
use crate::html::{report_html, PageInfo};
use crate::junit::junit_xml;
use crate::lanes::read_actors;
use crate::plots::{chart_png, chart_svg, plot_data, Chart};
use crate::stamp::display_stamp;
use crate::store::RunDir;
use checker::history::History;
use checker::verdict::Results;

/// The page's file name in a run folder.
pub const REPORT_FILE: &str = "report.html";
/// The JUnit file's name in a run folder.
pub const JUNIT_FILE: &str = "junit.xml";

/// Writes report.html, latency.png/.svg, rate.png/.svg and junit.xml into a run folder.
pub fn render_run(run: &RunDir, history: &History, results: &Results) -> Result<()> {
    let faults = fault_windows(&history.nemesis);
    let data = plot_data(history, &faults);
    let mut svgs = Vec::new();
    for chart in [Chart::Latency, Chart::Rate] {
        let svg = chart_svg(chart, &data)?;
        run.write_file(&format!("{}.svg", chart.stem()), svg.as_bytes())?;
        chart_png(
            chart,
            &data,
            &run.path().join(format!("{}.png", chart.stem())),
        )?;
        svgs.push(svg);
    }
    let test_name = title(run, results);
    let stamp = run.stamp();
    let info = PageInfo {
        test_name: &test_name,
        run: &stamp,
        latency_svg: &svgs[0],
        rate_svg: &svgs[1],
        actors: &read_actors(run),
    };
    run.write_file(
        REPORT_FILE,
        report_html(&info, history, results, &faults).as_bytes(),
    )?;
    run.write_file(JUNIT_FILE, junit_xml(&test_name, results).as_bytes())
}

/// What the report and junit.xml are named after: the test, for a run in a store
/// (`store/<test>/<stamp>`, also when reached through `latest`); the history file checked, for
/// any other folder (`frenzy check --out`).
fn title(run: &RunDir, results: &Results) -> String {
    let folder = std::fs::canonicalize(run.path()).unwrap_or_else(|_| run.path().to_owned());
    let stamp = folder.file_name().map(|n| n.to_string_lossy().into_owned());
    let checked = results
        .file
        .as_deref()
        .and_then(|file| std::path::Path::new(file).file_name())
        .map(|name| name.to_string_lossy().into_owned());
    match (stamp.as_deref().and_then(display_stamp), checked) {
        (None, Some(file)) => file,
        _ => run.test_name(),
    }
}

/// Rebuilds a run folder's report, charts and junit.xml from its history.jsonl and results.json.
pub fn render_report(run_dir: &std::path::Path) -> Result<RunDir> {
    let run = RunDir::open(run_dir)?;
    let history = read_history(&run)?;
    let results = run.read_results()?;
    render_run(&run, &history, &results)?;
    Ok(run)
}

/// Reads a run's history.jsonl.
fn read_history(run: &RunDir) -> Result<History> {
    let path = run.history_path();
    checker::formats::load(&path, None).map_err(|e| ReportError::BadInput {
        path,
        message: e.to_string(),
    })
}
