//! Latency over time: one point per completed operation (thinned for huge histories), coloured by
//! function, shaped by outcome, on a log scale.

use super::{frame, legend, shade_faults, PlotData};
use checker::history::Outcome;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Colours of functions, distinguishable on white (Tableau 10 order).
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];

/// Draws the latency chart.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &PlotData,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let all = data
        .latency
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo > hi { (0.1, 10.0) } else { (lo, hi) };
    // Whole decades, so the axis always has labelled ticks, and one spare decade on top for the
    // legend to sit above the points; a latency on a whole decade gets the decade under it, so
    // it is not drawn on the axis line.
    let (lo, hi) = (
        10f64.powf((lo / 1.01).log10().floor()),
        10f64.powf((hi * 1.01).log10().ceil() + 1.0),
    );
    let mut chart = frame(
        root,
        "Latency by operation and outcome",
        data.end,
        (lo..hi).log_scale(),
        "latency (ms, log scale)",
    )?;
    shade_faults(&mut chart, data, lo, hi)?;
    let mut functions: Vec<&str> = data.latency.iter().map(|s| s.f.as_str()).collect();
    functions.dedup();
    for series in &data.latency {
        let color =
            PALETTE[functions.iter().position(|f| *f == series.f).unwrap_or(0) % PALETTE.len()];
        let label = format!("{} {}", series.f, outcome_word(series.outcome));
        let points = series.points.iter().copied();
        let drawn = match series.outcome {
            Outcome::Ok => chart.draw_series(points.map(|p| Circle::new(p, 2, color.filled())))?,
            Outcome::Fail => {
                chart.draw_series(points.map(|p| Cross::new(p, 3, color.stroke_width(1))))?
            }
            _ => chart.draw_series(points.map(|p| TriangleMarker::new(p, 4, color.filled())))?,
        };
        drawn
            .label(label)
            .legend(move |(x, y)| match series.outcome {
                Outcome::Ok => Circle::new((x + 8, y), 3, color.filled()).into_dyn(),
                Outcome::Fail => Cross::new((x + 8, y), 4, color.stroke_width(2)).into_dyn(),
                _ => TriangleMarker::new((x + 8, y), 4, color.filled()).into_dyn(),
            });
    }
    legend(&mut chart)
}

/// The outcome's word in legends.
pub fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Fail => "fail",
        Outcome::Info => "info",
        Outcome::Pending => "pending",
    }
}
