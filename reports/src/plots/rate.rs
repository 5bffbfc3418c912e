//! Throughput over time: completed operations per second, one line per outcome.

use super::latency::outcome_word;
use super::{frame, legend, shade_faults, PlotData};
use checker::history::Outcome;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws the throughput chart.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &PlotData,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let hi = data
        .rate
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0, f64::max)
        * 1.6; // headroom: the legend sits above the lines
    let y_desc = format!(
        "completed operations per second ({} buckets)",
        bucket_words(data.bucket)
    );
    let mut chart = frame(root, "Throughput by outcome", data.end, 0.0..hi, &y_desc)?;
    shade_faults(&mut chart, data, 0.0, hi)?;
    for series in &data.rate {
        let color = match series.outcome {
            Outcome::Ok => RGBColor(46, 125, 50),
            Outcome::Fail => RGBColor(230, 140, 20),
            _ => RGBColor(92, 107, 192),
        };
        chart
            .draw_series(LineSeries::new(
                series.points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(outcome_word(series.outcome))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
    }
    legend(&mut chart)
}

/// A bucket width for the axis label: `100 ms`, `1 s`.
fn bucket_words(secs: f64) -> String {
    crate::duration::format_ns(secs * 1e9)
}
