//! Labels a reader must read whole, measured in headless Chromium: the fault windows of a real
//! Jepsen run (Canonical Raft: 342 nemesis events, partitions invoked with bare grudge maps, kills
//! with lists of nodes) are named in words, each label whole inside the timeline and clear of
//! the others, at every zoom; the witness's labels stay inside its drawing.

mod common;

use checker::verdict::{Results, Verdict};
use common::devtools::Page;
use common::histories::{store_oversold, unchecked, Events};
use common::TempDir;
use serde_json::json;
use std::path::Path;

/// The visible fault labels of the timeline: text, and left/right/top/bottom relative to it.
const FAULT_LABELS: &str = r#"(() => {
  const box = document.getElementById('timeline').getBoundingClientRect();
  return Array.from(document.querySelectorAll('#timeline .fault-label'))
    .filter((s) => s.style.display !== 'none')
    .map((s) => { const r = s.getBoundingClientRect();
      return [s.textContent, r.left - box.left, r.right - box.left, r.top - box.top, r.bottom - box.top, box.width]; });
})()"#;

/// Asserts the visible labels are whole inside the lanes' width and no two of them overlap;
/// returns how many are visible.
fn assert_whole_and_apart(page: &mut Page) -> usize {
    let labels = page.eval(FAULT_LABELS);
    let labels: Vec<(String, f64, f64, f64, f64, f64)> =
        serde_json::from_value(labels).expect("label boxes");
    for (text, left, right, _, _, width) in &labels {
        assert!(
            *left >= 150.0 && *right <= *width,
            "{text:?} runs outside the timeline: {left}..{right} of {width}"
        );
    }
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let apart = a.2 <= b.1 || b.2 <= a.1 || a.4 <= b.3 || b.4 <= a.3;
            assert!(apart, "{:?} covers {:?}", a.0, b.0);
        }
    }
    labels.len()
}

/// Asserts every operation marked as stuck on the timeline shows its name whole or not at all.
fn assert_stuck_names_whole(page: &mut Page) {
    let cut = page.eval(
        r#"Array.from(document.querySelectorAll('#timeline .op.stuck'))
          .filter((d) => d.style.display !== 'none' && d.scrollWidth > d.clientWidth
            && getComputedStyle(d).color !== 'rgba(0, 0, 0, 0)')
          .map((d) => d.textContent)"#,
    );
    assert_eq!(cut, serde_json::json!([]), "stuck operations named in part");
}

#[test]
fn a_real_jepsen_runs_faults_are_labelled_in_words_whole_and_apart() {
    let tmp = TempDir::new("labels-jepsen");
    let edn = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../checker/tests/data/jepsen/canonical-raft/history.edn");
    let history = checker::formats::load(&edn, None).expect("the Jepsen history loads");
    let run = reports::write_run(tmp.path(), "raft", &history, &unchecked(&history), &[])
        .expect("store the run");
    let mut page = Page::open(&run.path().join("report.html"));
    page.settle();
    // Every window in words: no JSON map, list or quote, neither in the list nor on the timeline.
    let listed = page.eval(
        "Array.from(document.querySelectorAll('#fault-list li, #timeline .fault-label')).map((l) => l.textContent)",
    );
    let listed: Vec<String> = serde_json::from_value(listed).expect("texts");
    assert!(listed.len() > 100, "{} fault texts", listed.len());
    for text in &listed {
        assert!(
            !text.contains(['{', '[', '"']),
            "a fault shown as raw data: {text}"
        );
    }
    assert!(listed.iter().any(|t| t.ends_with(": n1, n5 / n2, n4 cut")));
    assert!(listed.iter().any(|t| t.ends_with(": n3, n4, n5 killed")));
    // The list shows the first twelve windows and folds the rest.
    let shown = page.eval(
        "[document.querySelectorAll('#fault-list > li.fault-item').length, \
          document.querySelector('#fault-list summary').textContent, \
          document.querySelectorAll('#fault-list details li.fault-item').length]",
    );
    let (shown, summary, folded): (usize, String, usize) =
        serde_json::from_value(shown).expect("the list");
    assert_eq!(shown, 12);
    assert_eq!(summary, format!("{folded} more fault windows"));
    assert!(folded > 20, "{folded}");
    // Whole and apart on the whole history, and zoomed in (more labels fit).
    let whole = assert_whole_and_apart(&mut page);
    assert!(whole >= 8, "only {whole} labels shown on the whole history");
    for _ in 0..3 {
        page.eval("document.getElementById('zoom-in').click(); true");
        page.settle();
        assert!(assert_whole_and_apart(&mut page) >= 2);
    }
}

/// A register whose values are long documents: one read returns a value nobody wrote (the
/// witness: that read, its value far wider than the drawing).
fn stored_register_with_long_values(store: &Path) -> reports::RunDir {
    use checker::check::{check, CheckOptions};
    use checker::history::{EventType::*, Process::Client};
    let doc = |who: &str| json!({"owner": who, "note": "x".repeat(60), "tags": ["a", "b", "c"]});
    let mut e = Events::default();
    e.push(0.0, Client(0), Invoke, "write", doc("alice"));
    e.push(10.0, Client(0), Ok, "write", doc("alice"));
    e.push(20.0, Client(1), Invoke, "read", json!(null));
    e.push(30.0, Client(1), Ok, "read", doc("mallory"));
    // Much later, so the read that cannot be placed is a few pixels wide on the whole history.
    e.push(3000.0, Client(2), Invoke, "write", doc("bob"));
    e.push(3010.0, Client(2), Ok, "write", doc("bob"));
    let history = e.history();
    let lin = check(
        &history,
        "register",
        &Default::default(),
        &CheckOptions::default(),
    )
    .expect("a register history");
    assert_eq!(lin.valid, Verdict::Invalid);
    let results = Results {
        valid: lin.valid,
        linearizability: Some(lin),
        ..unchecked(&history)
    };
    reports::write_run(store, "long-values", &history, &results, &[]).expect("store the run")
}

#[test]
fn the_witness_labels_stay_inside_its_drawing() {
    let tmp = TempDir::new("labels-witness");
    for run in [
        store_oversold(tmp.path()).1,
        stored_register_with_long_values(tmp.path()),
    ] {
        let mut page = Page::open(&run.path().join("report.html"));
        page.settle();
        assert_stuck_names_whole(&mut page);
        let boxes = page.eval(
            r#"Array.from(document.querySelectorAll('.witness-svg')).flatMap((svg) => {
              const width = svg.viewBox.baseVal.width;
              return Array.from(svg.querySelectorAll('text')).map((t) => { const b = t.getBBox();
                return [t.textContent, b.x, b.x + b.width, width]; }); })"#,
        );
        let boxes: Vec<(String, f64, f64, f64)> =
            serde_json::from_value(boxes).expect("text boxes");
        assert!(boxes.len() > 3, "{boxes:?}");
        // No operation's label stops in the middle of its value (the old labels showed its
        // first 40 characters).
        let ops = page.eval(
            r#"Array.from(document.querySelectorAll('.witness-svg g.op')).map((g) =>
              [g.querySelector('.op-label').textContent, g.querySelector('title').textContent.split('\n').pop()])"#,
        );
        let ops: Vec<(String, String)> = serde_json::from_value(ops).expect("op labels");
        assert!(!ops.is_empty());
        for (label, value) in &ops {
            let rest = label.splitn(3, ' ').nth(2).unwrap_or_default();
            assert!(
                rest == value || !value.starts_with(rest) || rest.is_empty(),
                "{label:?} cuts {value:?} short"
            );
        }
        // The caption counts the witness's operations in good grammar, one included.
        let caption = page.eval("document.querySelector('.witness-figure figcaption').textContent");
        let caption = caption.as_str().expect("a caption");
        let n: usize = caption
            .trim_start_matches("The shrunken witness: ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        let said = if n == 1 {
            "1 operation that still fails on its own,".to_owned()
        } else {
            format!("{n} operations that still fail on their own,")
        };
        assert!(caption.contains(&said), "{caption}");
        for (text, left, right, width) in &boxes {
            assert!(
                *left >= 0.0 && *right <= *width,
                "{text:?} runs outside the witness: {left}..{right} of {width}"
            );
        }
    }
}
