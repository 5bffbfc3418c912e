//! Scale: a 100,000-operation history gives a report under 20 MB that a browser loads and draws.
//! (Load time is measured by `cargo bench -p reports --bench large_report`, not asserted here.)

mod common;

use common::browser::dump_dom;
use common::histories::{large, unchecked};
use common::TempDir;
use reports::write_run;

const OPS: usize = 100_000;
const LIMIT: u64 = 20 * 1024 * 1024;

#[test]
fn a_100k_operation_report_stays_under_20_mb_and_draws_in_chromium() {
    let tmp = TempDir::new("large");
    let history = large(OPS, 40);
    assert_eq!(history.operations.len(), OPS);
    let results = unchecked(&history);
    let run = write_run(tmp.path(), "large", &history, &results, &[]).expect("store the run");
    let page = run.path().join("report.html");
    let size = std::fs::metadata(&page).unwrap().len();
    println!("report.html for {OPS} operations: {size} bytes");
    assert!(size < LIMIT, "report.html is {size} bytes, over {LIMIT}");
    for chart in ["latency.svg", "rate.svg"] {
        let svg = std::fs::metadata(run.path().join(chart)).unwrap().len();
        assert!(
            svg < 2 * 1024 * 1024,
            "{chart} is {svg} bytes: the charts are not thinned"
        );
    }

    let dom = dump_dom(&page);
    assert!(
        dom.contains(&format!("data-ops=\"{OPS}\"")),
        "the timeline did not draw"
    );
    // 50 partitions of 1,000 operations each: every window is in the DOM.
    assert_eq!(dom.matches("class=\"fault-item\"").count(), 50);
    // The page's DOM does not grow with the history: no element per operation.
    assert!(
        dom.matches("<div").count() < 400,
        "one DOM node per operation?"
    );
}
