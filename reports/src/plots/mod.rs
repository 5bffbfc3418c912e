//! The charts (plotters): latency over time and throughput over time, fault windows shaded, as
//! PNG files and as SVG text for the page.

mod font;
mod latency;
mod rate;
mod series;

pub use series::{plot_data, LatencySeries, PlotData, RateSeries};

use crate::error::{ReportError, Result};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Chart size, pixels.
const SIZE: (u32, u32) = (1000, 420);

/// The two charts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Latency of each operation over time, per function and outcome, log scale.
    Latency,
    /// Completed operations per second over time, per outcome.
    Rate,
}

impl Chart {
    /// The file stem in a run folder: `latency` or `rate`.
    pub fn stem(self) -> &'static str {
        match self {
            Chart::Latency => "latency",
            Chart::Rate => "rate",
        }
    }
}

/// Draws a chart as SVG text.
pub fn chart_svg(chart: Chart, data: &PlotData) -> Result<String> {
    font::ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(chart, &root, data)?;
        root.present().map_err(|e| plot_error(chart, e))?;
    }
    Ok(svg)
}

/// Draws a chart as a PNG file.
pub fn chart_png(chart: Chart, data: &PlotData, path: &Path) -> Result<()> {
    font::ensure_font()?;
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    draw(chart, &root, data)?;
    root.present().map_err(|e| plot_error(chart, e))
}

fn draw<DB: DrawingBackend>(
    chart: Chart,
    root: &DrawingArea<DB, Shift>,
    data: &PlotData,
) -> Result<()> {
    let drawn = match chart {
        Chart::Latency => latency::draw(root, data),
        Chart::Rate => rate::draw(root, data),
    };
    drawn.map_err(|e| plot_error(chart, e))
}

fn plot_error(chart: Chart, e: impl std::fmt::Display) -> ReportError {
    ReportError::Plot {
        chart: chart.stem(),
        message: e.to_string(),
    }
}

/// The colour of a fault kind's shading.
fn fault_color(kind: &str) -> RGBColor {
    match kind {
        "partition" => RGBColor(230, 74, 25),
        "kill" => RGBColor(142, 36, 170),
        "pause" => RGBColor(0, 137, 123),
        _ => RGBColor(120, 120, 120),
    }
}

/// Shades each fault window over the whole height of a chart, with one legend entry per kind.
fn shade_faults<DB, Y>(
    chart: &mut TimeChart<'_, DB, Y>,
    data: &PlotData,
    bottom: Y::ValueType,
    top: Y::ValueType,
) -> DrawResult<(), DB>
where
    DB: DrawingBackend,
    Y: Ranged,
    Y::ValueType: Clone + 'static,
{
    let mut kinds: Vec<&str> = data.faults.iter().map(|f| f.0.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let color = fault_color(kind);
        let spans = merged(
            data.faults
                .iter()
                .filter(|f| f.0 == kind)
                .map(|f| (f.1, f.2)),
        );
        let windows = spans.into_iter().map(|(from, to)| {
            Rectangle::new(
                [(from, bottom.clone()), (to, top.clone())],
                color.mix(0.13).filled(),
            )
        });
        chart
            .draw_series(windows)?
            .label(format!("fault: {kind}"))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.mix(0.3).filled())
            });
    }
    Ok(())
}

/// Time spans with the overlapping ones joined, in order: overlapping windows of one kind are
/// shaded once, so a busy nemesis does not pile its shades up into a dark block.
fn merged(spans: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = spans.collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// A chart whose x axis is time in seconds.
type TimeChart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;
/// What drawing on a backend can fail with.
type DrawResult<T, DB> =
    std::result::Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The common frame: caption, margins, axis labels and a light mesh.
fn frame<'a, DB, Y>(
    root: &'a DrawingArea<DB, Shift>,
    caption: &str,
    end: f64,
    y: Y,
    y_desc: &str,
) -> DrawResult<TimeChart<'a, DB, Y::CoordDescType>, DB>
where
    DB: DrawingBackend,
    Y: AsRangedCoord,
    Y::CoordDescType:
        plotters::coord::ranged1d::ValueFormatter<<Y::CoordDescType as Ranged>::ValueType>,
{
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (font::FAMILY, 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..end * 1.02, y)?;
    chart
        .configure_mesh()
        .x_desc("time since the test started (s)")
        .y_desc(y_desc)
        .light_line_style(RGBColor(238, 238, 238))
        .label_style((font::FAMILY, 13))
        .draw()?;
    Ok(chart)
}

/// Draws the legend box in the top right corner.
fn legend<'a, DB, Y>(chart: &mut TimeChart<'a, DB, Y>) -> DrawResult<(), DB>
where
    DB: DrawingBackend + 'a,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((font::FAMILY, 13))
        .draw()
}

#[cfg(test)]
mod tests {
    use super::merged;

    #[test]
    fn overlapping_spans_are_joined_and_apart_ones_kept() {
        let spans = [(5.0, 6.0), (1.0, 3.0), (2.0, 4.0), (3.5, 3.6), (4.0, 4.5)];
        assert_eq!(merged(spans.into_iter()), [(1.0, 4.5), (5.0, 6.0)]);
    }
}
