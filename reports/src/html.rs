//! report.html: one self-contained page (inline CSS, script, SVG; no network requests) with the
//! summary first, then the timeline, the evidence, the other anomalies and the charts.

use crate::escape::escape;
use crate::evidence::evidence_html;
use crate::faults::FaultWindow;
use crate::lanes::{lanes, Actor};
use crate::summary::{summary_html, verdict_word};
use crate::timeline_data::timeline_data;
use checker::history::History;
use checker::verdict::Results;
use std::fmt::Write;

const CSS: &str = include_str!("../assets/report.css");
const SCRIPT: &str = include_str!("../assets/timeline.js");

/// What the page is about, besides the history and results.
#[derive(Debug, Clone)]
pub struct PageInfo<'a> {
    /// The test's name.
    pub test_name: &'a str,
    /// The run's stamp (its folder name).
    pub run: &'a str,
    /// The latency chart, SVG text.
    pub latency_svg: &'a str,
    /// The throughput chart, SVG text.
    pub rate_svg: &'a str,
    /// Who each process was (processes.json); empty when unknown.
    pub actors: &'a [Actor],
}

/// Renders the whole page.
pub fn report_html(
    info: &PageInfo<'_>,
    history: &History,
    results: &Results,
    faults: &[FaultWindow],
) -> String {
    let lanes = lanes(history, info.actors);
    let data = timeline_data(history, results, faults, &lanes);
    let json = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".into())
        .replace("</", "<\\/");
    let mut h = String::with_capacity(json.len() + 200_000);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Frenzy: {test} {run}: {verdict}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <h1>Frenzy report: {test}</h1>\n<p class=\"meta\">run {run}{file}</p>\n",
        test = escape(info.test_name),
        run = escape(info.run),
        verdict = verdict_word(results.valid),
        file = results
            .file
            .as_deref()
            .map(|f| format!(" · history {}", escape(f)))
            .unwrap_or_default(),
    );
    h.push_str(&summary_html(history, results, faults, &lanes));
    h.push_str(TIMELINE);
    h.push_str(&evidence_html(history, results, &data.partitions, &lanes));
    let _ = write!(
        h,
        "<section id=\"plots\" class=\"plots\">\n<h2>Latency and throughput</h2>\n{}\n{}\n\
         <p class=\"hint\">Fault windows are shaded. Huge histories keep the fastest and slowest operation of each of 400 time slices per series.</p>\n</section>\n\
         <div id=\"render-stats\">The timeline needs JavaScript.</div>\n\
         <script type=\"application/json\" id=\"frenzy-data\">{json}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        strip_xml_declaration(info.latency_svg),
        strip_xml_declaration(info.rate_svg),
    );
    h
}

/// The timeline section: toolbar, legend, the drawing area and the fault list (filled by script).
const TIMELINE: &str = "<section id=\"timeline-section\">\n<h2>Timeline</h2>\n\
<div class=\"toolbar\"><button id=\"zoom-in\" type=\"button\">zoom in</button><button id=\"zoom-out\" type=\"button\">zoom out</button><button id=\"zoom-reset\" type=\"button\">whole history</button>\
<span class=\"hint\">wheel: zoom · drag: pan · shift+wheel: scroll users · hover: details</span></div>\n\
<div class=\"legend\"><span><i class=\"swatch ok\"></i>ok</span><span><i class=\"swatch fail\"></i>fail</span><span><i class=\"swatch info\"></i>info (runs to the end)</span>\
<span><i class=\"swatch pending\"></i>pending</span><span><i class=\"swatch stuck\"></i>cannot be linearized</span><span><i class=\"swatch point\"></i>linearization point</span>\
<span><i class=\"swatch fault\"></i>fault window</span></div>\n\
<div id=\"timeline\" class=\"timeline\"></div>\n<h3>Fault windows</h3>\n<ul id=\"fault-list\"></ul>\n</section>\n";

/// Inline SVG must not carry an XML declaration.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}
