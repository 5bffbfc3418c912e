//! The report in a real browser: an invalid history's report, loaded from disk in headless
//! Chromium, must show the anomaly sentence, the operations that cannot be linearized (red) and
//! the fault windows, all built into the DOM by the page's script.

mod common;

use checker::verdict::Verdict;
use common::browser::{dump_dom, dump_dom_at, screenshot};
use common::histories::{checked, oversold, oversold_capacities};
use common::TempDir;
use reports::write_run;

#[test]
fn invalid_report_shows_anomaly_stuck_ops_and_fault_windows_in_chromium() {
    let tmp = TempDir::new("browser");
    let o = oversold();
    let results = checked(&o.history, &oversold_capacities());
    assert_eq!(results.valid, Verdict::Invalid);
    let lin = results
        .linearizability
        .as_ref()
        .expect("linearizability ran");
    let e7 = lin
        .partitions
        .iter()
        .find(|p| p.key == "e7")
        .expect("partition e7");
    let evidence = e7.evidence.as_ref().expect("e7 is invalid, with evidence");
    assert!(evidence.stuck.contains(&o.bob) || evidence.stuck.contains(&o.alice));
    let stuck_op = evidence.stuck[0];
    let other_op = if stuck_op == o.bob { o.alice } else { o.bob };
    let sentence = dom_text(&evidence.explanation);
    assert!(sentence.contains("alice and bob were both told they hold seats of e7"));
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
    let sentence_at = dom.find(&sentence).expect("the oversell sentence");
    assert!(
        sentence_at > summary_at && sentence_at < dom.find("id=\"timeline\"").expect("timeline")
    );
    let sessions = results.sessions.as_ref().expect("sessions ran");
    for anomaly in &sessions.anomalies {
        assert!(
            dom.contains(&dom_text(&anomaly.explanation)),
            "missing session anomaly {}",
            anomaly.explanation
        );
    }
    // One of the two holds cannot be linearized: red on the timeline and in the witness, both
    // built by the script; the other is not red.
    let overlay = |op: u64| format!("class=\"op stuck\" data-op=\"{op}\"");
    assert!(
        dom.contains(&overlay(stuck_op)),
        "no red overlay for op {stuck_op}"
    );
    assert!(!dom.contains(&overlay(other_op)), "op {other_op} is red");
    let witness = &dom[dom.find("class=\"witness-svg\"").expect("witness drawn")..];
    assert!(witness.contains(&format!("class=\"op ok stuck\" data-op=\"{stuck_op}\"")));
    assert!(witness.contains(&format!("class=\"op ok\" data-op=\"{other_op}\"")));
    // The partition's fault window, shaded over the timeline and listed under it.
    assert!(dom.contains("class=\"fault-window fault-partition\" data-kind=\"partition\""));
    // In words, whole.
    assert!(dom.contains(">n1 / n2, n3 cut (isolate)</span>"));
    assert!(dom.contains("<span class=\"fault-label row-0\" style=\"left: "));
    assert!(dom.contains(
        "<li class=\"fault-item\"><a href=\"#fault-0\">partition</a> from 10.0 ms to 80.0 ms"
    ));
    // The anomalies link to their operations on the timeline.
    assert!(dom.contains(&format!("href=\"#op-{stuck_op}\"")));
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

    // The jump-to-anomaly link focuses the timeline on the stuck operation: a visible ring
    // around it, and the view zoomed from the whole history (100 ms) to its neighbourhood.
    let jumped = dump_dom_at(&page, "#anomaly-0");
    let ring = jumped
        .find("class=\"focus-ring\" style=\"display: block;")
        .expect("focus ring shown");
    assert!(ring > 0);
    // Zoomed into the partition's window: its shading now starts at the lanes' left edge (150 px),
    // where on the whole history it started further right.
    let left = |dom: &str| {
        let at = dom
            .find("class=\"fault-window fault-partition\"")
            .expect("fault window");
        let style = &dom[at..][dom[at..].find("left: ").expect("positioned") + 6..];
        style[..style.find("px").expect("px")]
            .parse::<f64>()
            .expect("a number")
    };
    assert_eq!(left(&jumped), 150.0);
    assert!(left(&dom) > 180.0);
    assert_eq!(
        jumped.matches("class=\"focus-ring\"").count(),
        evidence.stuck.len() + evidence.prefix.len().min(1)
    );

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

/// Text as Chromium serializes it in `--dump-dom` (only `&`, `<` and `>` escaped).
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
