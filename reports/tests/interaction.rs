//! The timeline under a real mouse in headless Chromium: hovering shows an operation's details,
//! the wheel zooms around the cursor, dragging pans, "whole history" resets.

mod common;

use common::devtools::Page;
use common::histories::store_oversold;
use common::TempDir;
use serde_json::Value;

/// A number out of a script's result.
fn num(v: Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn hover_zoom_pan_and_reset_on_the_timeline() {
    let tmp = TempDir::new("interaction");
    let (o, run) = store_oversold(tmp.path());
    let mut page = Page::open(&run.path().join("report.html"));
    page.eval("document.getElementById('timeline').scrollIntoView({block: 'center'}); true");
    page.settle();
    let bob = format!(
        "document.querySelector('.op.stuck[data-op=\"{}\"]').getBoundingClientRect()",
        o.bob
    );
    let rect = |page: &mut Page, what: &str| num(page.eval(&format!("{bob}.{what}")));

    // Hover over bob's hold: the tooltip names it and says it cannot be linearized.
    let (x, y) = (
        rect(&mut page, "x") + rect(&mut page, "width") / 2.0,
        rect(&mut page, "y") + 5.0,
    );
    page.mouse("mouseMoved", x, y, 0.0);
    let tip = page.eval("(() => { const t = document.querySelector('.tooltip'); return t.style.display + '|' + t.textContent; })()");
    let tip = tip.as_str().unwrap().to_string();
    assert!(tip.starts_with("block|"), "tooltip hidden: {tip}");
    assert!(
        tip.contains(&format!(
            "op #{} · p 1 · place_hold · ok · CANNOT BE LINEARIZED",
            o.bob
        )),
        "{tip}"
    );
    assert!(tip.contains("\"user\":\"bob\""), "{tip}");

    // The wheel zooms in around the cursor: the bar gets wider by the zoom factor, and the point
    // under the cursor stays put.
    let width0 = rect(&mut page, "width");
    page.mouse("mouseWheel", x, y, -300.0);
    page.settle();
    let width1 = rect(&mut page, "width");
    let factor = width1 / width0;
    assert!(
        (1.7..1.9).contains(&factor),
        "zoomed by {factor} (expected e^0.6 = 1.82)"
    );
    let centre = rect(&mut page, "x") + width1 / 2.0;
    assert!(
        (centre - x).abs() < 3.0,
        "the bar moved from {x} to {centre} under the cursor"
    );

    // Dragging pans: the bar follows the mouse.
    let left0 = rect(&mut page, "x");
    page.mouse("mousePressed", x, y, 0.0);
    page.mouse("mouseMoved", x - 120.0, y, 0.0);
    page.mouse("mouseReleased", x - 120.0, y, 0.0);
    page.settle();
    let moved = rect(&mut page, "x") - left0;
    assert!(
        (moved + 120.0).abs() < 2.0,
        "panned by {moved} px, dragged by -120"
    );

    // "whole history" shows everything again at the first scale.
    page.eval("document.getElementById('zoom-reset').click(); true");
    page.settle();
    assert!((rect(&mut page, "width") - width0).abs() < 1.0);
}
