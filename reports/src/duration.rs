//! Times and durations for a person: `1.234 s`, `12.5 ms`, `830 µs`.

/// Formats nanoseconds with a unit that keeps three or four significant digits.
pub fn format_ns(ns: f64) -> String {
    let a = ns.abs();
    if a >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if a >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if a >= 1e3 {
        format!("{:.0} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::format_ns;

    #[test]
    fn picks_a_unit() {
        assert_eq!(format_ns(1_234_000_000.0), "1.234 s");
        assert_eq!(format_ns(12_500_000.0), "12.5 ms");
        assert_eq!(format_ns(830_000.0), "830 µs");
        assert_eq!(format_ns(12.0), "12 ns");
    }
}
