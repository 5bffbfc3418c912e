//! The report in a real browser: an invalid history's report, loaded from disk in headless
//! Chromium, must show the anomaly sentence, the operations that cannot be linearized (red) and
//! the fault windows, all built into the DOM by the page's script.

mod common;

use common::browser::{dump_dom, screenshot};
use common::histories::{oversold, oversold_results, OVERSELL_SENTENCE, VANISHED_SENTENCE};
use common::TempDir;
use reports::write_run;

#[test]
fn invalid_report_shows_anomaly_stuck_ops_and_fault_windows_in_chromium() {
    let tmp = TempDir::new("browser");
    let o = oversold();
    let results = oversold_results(&o);
    let run = write_run(tmp.path(), "oversell", &o.history, &results, &[]).expect("store the run");
    let page = run.path().join("report.html");

    let dom = dump_dom(&page);
    // The script ran to the end (it writes the stats last).
    let ops = format!("data-ops=\"{}\"", o.history.operations.len());
    assert!(
        dom.contains(&ops),
        "timeline script did not finish:\n{}",
        tail(&dom)
    );
    // The anomaly sentences, summary first.
    let summary_at = dom.find("id=\"summary\"").expect("summary section");
    let sentence_at = dom.find(OVERSELL_SENTENCE).expect("the oversell sentence");
    assert!(
        sentence_at > summary_at && sentence_at < dom.find("id=\"timeline\"").expect("timeline")
    );
    assert!(dom.contains(VANISHED_SENTENCE));
    // Bob's hold cannot be linearized: red on the timeline and in the witness, both built by script.
    let stuck_overlay = format!("class=\"op stuck\" data-op=\"{}\"", o.bob);
    assert!(
        dom.contains(&stuck_overlay),
        "no red overlay for op {}",
        o.bob
    );
    let witness = &dom[dom.find("class=\"witness-svg\"").expect("witness drawn")..];
    assert!(witness.contains(&format!("class=\"op ok stuck\" data-op=\"{}\"", o.bob)));
    assert!(witness.contains(&format!("class=\"op ok\" data-op=\"{}\"", o.alice)));
    // Alice's hold is not red.
    assert!(!dom.contains(&format!("class=\"op stuck\" data-op=\"{}\"", o.alice)));
    // The partition's fault window, shaded over the timeline and listed under it.
    assert!(dom.contains("class=\"fault-window fault-partition\" data-kind=\"partition\""));
    assert!(dom.contains("partition {\"groups\":[[\"n1\"],[\"n2\",\"n3\"]],\"kind\":\"isolate\"}"));
    assert!(dom.contains(
        "<li class=\"fault-item\"><a href=\"#fault-0\">partition</a> from 10.0 ms to 80.0 ms"
    ));
    // Session anomaly links to carol's operations.
    assert!(dom.contains(&format!("href=\"#op-{}\"", o.carol_list)));
    // Self-contained: nothing is fetched (no src, no stylesheet link, no url()), and the page forbids it.
    let html = std::fs::read_to_string(&page).expect("report.html");
    for fetch in [" src=", "<link", "url(", "@import"] {
        assert!(
            !html.contains(fetch),
            "report.html fetches something: {fetch}"
        );
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));

    let png = tmp.path().join("report.png");
    screenshot(&page, &png, 1500);
    let bytes = std::fs::read(&png).expect("screenshot");
    assert!(
        bytes.len() > 20_000,
        "screenshot suspiciously small: {} bytes",
        bytes.len()
    );
    if let Ok(keep) = std::env::var("FRENZY_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("keep screenshot");
    }
}

fn tail(s: &str) -> &str {
    &s[s.len().saturating_sub(2000)..]
}
