//! The numbers behind the charts: latency points per (function, outcome), throughput per outcome,
//! fault windows, all in seconds since the test started.

use crate::faults::FaultWindow;
use checker::history::{History, Outcome};
use std::collections::BTreeMap;

/// Above this many points a latency series keeps only the fastest and slowest point of each of
/// this many time buckets, so charts of huge histories stay small and outliers stay visible.
const LATENCY_BUCKETS: usize = 400;
/// Throughput is counted in about this many buckets.
const RATE_BUCKETS: f64 = 100.0;

/// Latencies of the operations of one function that ended one way.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySeries {
    /// The function name.
    pub f: String,
    /// How they ended (ok, fail or info; pending operations have no latency).
    pub outcome: Outcome,
    /// (completion time s, latency ms).
    pub points: Vec<(f64, f64)>,
}

/// Completions per second of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSeries {
    /// How they ended.
    pub outcome: Outcome,
    /// (bucket start s, operations per second).
    pub points: Vec<(f64, f64)>,
}

/// Everything both charts draw.
#[derive(Debug, Clone)]
pub struct PlotData {
    /// The history's length, s.
    pub end: f64,
    /// Latency series, by function then outcome.
    pub latency: Vec<LatencySeries>,
    /// Throughput series, ok then fail then info.
    pub rate: Vec<RateSeries>,
    /// Width of a throughput bucket, s.
    pub bucket: f64,
    /// Fault windows as (kind, start s, end s).
    pub faults: Vec<(String, f64, f64)>,
}

/// Gathers the chart data of a history.
pub fn plot_data(history: &History, faults: &[FaultWindow]) -> PlotData {
    let secs = |ns: u64| ns as f64 / 1e9;
    let end = secs(history.end_time()).max(1e-6);
    let mut latency: BTreeMap<(String, u8), Vec<(f64, f64)>> = BTreeMap::new();
    let bucket = nice_bucket(end / RATE_BUCKETS);
    let n_buckets = (end / bucket).ceil().max(1.0) as usize;
    let mut rate = [
        vec![0usize; n_buckets],
        vec![0usize; n_buckets],
        vec![0usize; n_buckets],
    ];
    for op in &history.operations {
        let (Some(ret), Some(slot)) = (op.ret, outcome_slot(op.outcome)) else {
            continue;
        };
        let ms = (ret.saturating_sub(op.call) as f64 / 1e6).max(1e-3);
        latency
            .entry((op.f.to_string(), slot as u8))
            .or_default()
            .push((secs(ret), ms));
        let b = ((secs(ret) / bucket) as usize).min(n_buckets - 1);
        rate[slot][b] += 1;
    }
    PlotData {
        end,
        latency: latency
            .into_iter()
            .map(|((f, slot), points)| LatencySeries {
                f,
                outcome: OUTCOMES[slot as usize],
                points: thin(points, end),
            })
            .collect(),
        rate: rate
            .iter()
            .zip(OUTCOMES)
            .filter(|(counts, _)| counts.iter().any(|c| *c > 0))
            .map(|(counts, outcome)| RateSeries {
                outcome,
                points: counts
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i as f64 * bucket, *c as f64 / bucket))
                    .collect(),
            })
            .collect(),
        bucket,
        faults: faults
            .iter()
            .map(|w| (w.kind.clone(), secs(w.start), w.end.map_or(end, secs)))
            .collect(),
    }
}

/// The outcomes that have a latency, in chart order.
const OUTCOMES: [Outcome; 3] = [Outcome::Ok, Outcome::Fail, Outcome::Info];

fn outcome_slot(outcome: Outcome) -> Option<usize> {
    OUTCOMES.iter().position(|o| *o == outcome)
}

/// Keeps all points of a small series; of a large one, the fastest and slowest of each bucket.
fn thin(points: Vec<(f64, f64)>, end: f64) -> Vec<(f64, f64)> {
    if points.len() <= 2 * LATENCY_BUCKETS {
        return points;
    }
    let mut lo: Vec<Option<(f64, f64)>> = vec![None; LATENCY_BUCKETS];
    let mut hi: Vec<Option<(f64, f64)>> = vec![None; LATENCY_BUCKETS];
    for p in points {
        let b = ((p.0 / end * LATENCY_BUCKETS as f64) as usize).min(LATENCY_BUCKETS - 1);
        if lo[b].is_none_or(|q| p.1 < q.1) {
            lo[b] = Some(p);
        }
        if hi[b].is_none_or(|q| p.1 > q.1) {
            hi[b] = Some(p);
        }
    }
    lo.into_iter()
        .zip(hi)
        .flat_map(|(a, b)| [a, b.filter(|b| Some(*b) != a)])
        .flatten()
        .collect()
}

/// A bucket width of 1, 2 or 5 times a power of ten seconds, at least `raw`.
fn nice_bucket(raw: f64) -> f64 {
    let raw = raw.max(1e-6);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|b| *b >= raw * 0.999)
        .unwrap_or(10.0 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_extremes_of_each_bucket() {
        let points: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64 / 1000.0, (i % 97) as f64 + 1.0))
            .collect();
        let thinned = thin(points, 10.0);
        assert!(thinned.len() <= 2 * LATENCY_BUCKETS);
        let max = thinned.iter().map(|p| p.1).fold(0.0, f64::max);
        let min = thinned.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (1.0, 97.0));
    }

    #[test]
    fn buckets_are_round_numbers() {
        assert_eq!(nice_bucket(0.3), 0.5);
        assert_eq!(nice_bucket(0.1), 0.1);
        assert_eq!(nice_bucket(7.0), 10.0);
    }
}
