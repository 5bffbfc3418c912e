//! The 100,000-operation report: how long Frenzy takes to write it, how big it is, and how long
//! headless Chromium takes to load and draw it.
//!
//! `cargo bench -p reports --bench large_report` (optionally `-- --ops N --runs R`). Under
//! `cargo test` (no `--bench` flag) it does nothing.

#[path = "../tests/common/mod.rs"]
mod common;

use common::browser::dump_dom;
use common::histories::{large, unchecked};
use common::TempDir;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!(
            "large_report: a benchmark; run it with `cargo bench -p reports --bench large_report`"
        );
        return;
    }
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (ops, runs) = (flag("--ops", 100_000), flag("--runs", 5));
    let tmp = TempDir::new("bench-large");

    let started = Instant::now();
    let history = large(ops, 40);
    let built = started.elapsed();
    let results = unchecked(&history);
    let started = Instant::now();
    let run = reports::write_run(tmp.path(), "large", &history, &results, &[]).expect("write run");
    let written = started.elapsed();
    let page = run.path().join("report.html");
    let size = std::fs::metadata(&page).expect("report.html").len();
    println!(
        "{ops} operations, {} processes; history built in {built:.2?}",
        history
            .operations
            .iter()
            .map(|o| o.process)
            .max()
            .unwrap_or(0)
            + 1
    );
    println!("write_run (history.jsonl, results, report.html, 4 charts, junit): {written:.2?}");
    println!(
        "report.html: {size} bytes ({:.2} MiB)",
        size as f64 / 1048576.0
    );

    // Chromium's own start-up and teardown, on an empty page, to tell apart from the report's cost.
    let blank = tmp.path().join("blank.html");
    std::fs::write(
        &blank,
        "<!doctype html><title>blank</title><div id=x>blank</div>",
    )
    .expect("blank page");
    let mut base = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        dump_dom(&blank);
        base.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut wall = Vec::new();
    let mut ready = Vec::new();
    let mut draw = Vec::new();
    let mut redraw = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let dom = dump_dom(&page);
        wall.push(t.elapsed().as_secs_f64() * 1e3);
        ready.push(attr(&dom, "data-ms"));
        draw.push(attr(&dom, "data-draw-ms"));
        redraw.push(attr(&dom, "data-redraw-ms"));
    }
    println!(
        "chromium --dump-dom, blank page:  median {:.0} ms wall",
        median(&mut base)
    );
    println!(
        "chromium --dump-dom, the report:  median {:.0} ms wall",
        median(&mut wall)
    );
    println!(
        "in the page, ready (parse + script + first draw) after navigation start: median {:.0} ms",
        median(&mut ready)
    );
    println!(
        "in the page, the first timeline draw (whole history): median {:.1} ms",
        median(&mut draw)
    );
    println!(
        "in the page, drawing that view again (the cost of a zoom or pan step): median {:.1} ms",
        median(&mut redraw)
    );
}

/// A numeric attribute of the render-stats element in a dumped DOM.
fn attr(dom: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = dom
        .find(&key)
        .map(|i| i + key.len())
        .expect("render stats in the DOM");
    dom[start..]
        .split('"')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a number")
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
