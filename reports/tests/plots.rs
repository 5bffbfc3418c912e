//! The charts render their text (axis labels, legends) with the bundled font, in SVG and PNG.

mod common;

use common::histories::oversold;
use common::TempDir;
use reports::faults::fault_windows;
use reports::plots::{chart_png, chart_svg, plot_data, Chart};

#[test]
fn svg_charts_carry_axis_labels_legends_and_fault_shading() {
    let o = oversold();
    let data = plot_data(&o.history, &fault_windows(&o.history.nemesis));
    let latency = chart_svg(Chart::Latency, &data).expect("latency svg");
    let texts = svg_texts(&latency);
    for text in [
        "Latency by operation and outcome",
        "time since the test started (s)",
        "latency (ms, log scale)",
        "place_hold ok",
        "read_inventory info",
        "release fail",
        "fault: partition",
    ] {
        assert!(
            texts.contains(&text),
            "latency.svg lacks {text:?}: {texts:?}"
        );
    }
    let rate = chart_svg(Chart::Rate, &data).expect("rate svg");
    let texts = svg_texts(&rate);
    for text in [
        "Throughput by outcome",
        "completed operations per second (1.0 ms buckets)",
        "ok",
        "fail",
        "info",
        "fault: partition",
    ] {
        assert!(texts.contains(&text), "rate.svg lacks {text:?}: {texts:?}");
    }
}

/// Every operation taking exactly 10 ms (a Jepsen history's whole-millisecond times): the axis
/// starts a decade lower, so the points are not drawn on the axis line.
#[test]
fn latencies_on_a_whole_decade_sit_above_the_axis() {
    use checker::history::{EventType::*, Process::Client};
    use serde_json::json;
    let mut e = common::histories::Events::default();
    for k in 0..4 {
        let t = 20.0 * k as f64;
        e.push(t, Client(k), Invoke, "write", json!(k));
        e.push(t + 10.0, Client(k), Ok, "write", json!(k));
    }
    let history = e.history();
    let data = plot_data(&history, &[]);
    let latency = chart_svg(Chart::Latency, &data).expect("latency svg");
    let texts = svg_texts(&latency);
    assert!(
        texts.contains(&"1.0"),
        "the axis starts at 10 ms: {texts:?}"
    );
}

/// The content of every `<text>` element of an SVG, trimmed.
fn svg_texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim()))
        .collect()
}

/// Decodes a PNG into (width, height, RGB rows).
fn decode(path: &std::path::Path) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("open png"));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, buf)
}

/// Dark pixels (text, axes) in a rectangle of the image.
fn dark_pixels(
    img: &(usize, usize, Vec<u8>),
    x: std::ops::Range<usize>,
    y: std::ops::Range<usize>,
) -> usize {
    let (w, _, px) = img;
    y.flat_map(|row| x.clone().map(move |col| (row * w + col) * 3))
        .filter(|&i| px[i] < 100 && px[i + 1] < 100 && px[i + 2] < 100)
        .count()
}

#[test]
fn png_charts_render_text_without_system_fonts() {
    let tmp = TempDir::new("plots");
    let o = oversold();
    let data = plot_data(&o.history, &fault_windows(&o.history.nemesis));
    for chart in [Chart::Latency, Chart::Rate] {
        let path = tmp.path().join(format!("{}.png", chart.stem()));
        chart_png(chart, &data, &path).expect("png");
        let img = decode(&path);
        let (w, h) = (img.0, img.1);
        // The caption (top centre), the x axis label (bottom centre) and the rotated y axis label
        // (left edge) each have dark text pixels; an empty chart would have only the axis lines.
        assert!(
            dark_pixels(&img, w / 3..2 * w / 3, 0..30) > 100,
            "{} caption not drawn",
            chart.stem()
        );
        assert!(
            dark_pixels(&img, w / 3..2 * w / 3, h - 22..h) > 100,
            "{} x label not drawn",
            chart.stem()
        );
        assert!(
            dark_pixels(&img, 0..22, h / 4..3 * h / 4) > 100,
            "{} y label not drawn",
            chart.stem()
        );
        // Coloured marks (series, shading) exist besides black and white.
        let coloured = img
            .2
            .chunks(3)
            .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60)
            .count();
        assert!(coloured > 200, "{} has no coloured marks", chart.stem());
        if let Ok(dir) = std::env::var("FRENZY_KEEP_PLOTS") {
            std::fs::copy(
                &path,
                std::path::Path::new(&dir).join(format!("{}.png", chart.stem())),
            )
            .expect("keep");
        }
    }
}
