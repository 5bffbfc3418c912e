//! Parsing flag values: JSON, durations in seconds, byte sizes.

use std::time::Duration;

/// A JSON value, e.g. `--init '{"e1": 100}'`.
pub fn json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "not valid JSON ({e}); quote strings as JSON does, e.g. '\"x\"' or '{{\"e1\": 100}}'"
        )
    })
}

/// A duration: seconds (`10`, `2.5`, `10s`), milliseconds (`500ms`) or minutes (`2m`).
pub fn duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = split_unit(text, &[("ms", 1e-3), ("s", 1.0), ("m", 60.0)]);
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            format!("{text:?} is not a duration; give seconds like 10 or 2.5s, or 500ms, or 2m")
        })
}

/// A byte size: `1000000`, `4GiB`, `512MiB`, `64KiB`, `2GB` (powers of 1000), `4G` (powers of 1024).
pub fn bytes(text: &str) -> Result<u64, String> {
    const UNITS: [(&str, f64); 13] = [
        ("KiB", 1024.0),
        ("MiB", 1048576.0),
        ("GiB", 1073741824.0),
        ("TiB", 1099511627776.0),
        ("KB", 1e3),
        ("MB", 1e6),
        ("GB", 1e9),
        ("TB", 1e12),
        ("K", 1024.0),
        ("M", 1048576.0),
        ("G", 1073741824.0),
        ("T", 1099511627776.0),
        ("B", 1.0),
    ];
    let (number, scale) = split_unit(text, &UNITS);
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|b| b.is_finite() && *b >= 1.0 && *b < u64::MAX as f64)
        .map(|b| b as u64)
        .ok_or_else(|| {
            format!("{text:?} is not a byte size; give bytes like 1000000, or 4GiB, 512MiB")
        })
}

/// Splits `text` into its number and the scale of its unit suffix (1 when it has none).
fn split_unit<'a>(text: &'a str, units: &[(&str, f64)]) -> (&'a str, f64) {
    let text = text.trim();
    units
        .iter()
        .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n.trim(), *scale)))
        .unwrap_or((text, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_seconds_and_units() {
        assert_eq!(duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("2.5s"), Ok(Duration::from_millis(2500)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert!(duration("-1").is_err());
        assert!(duration("soon").is_err());
    }

    #[test]
    fn byte_sizes_take_binary_and_decimal_units() {
        assert_eq!(bytes("1000000"), Ok(1_000_000));
        assert_eq!(bytes("4GiB"), Ok(4 << 30));
        assert_eq!(bytes("512MiB"), Ok(512 << 20));
        assert_eq!(bytes("2GB"), Ok(2_000_000_000));
        assert_eq!(bytes("4G"), Ok(4 << 30));
        assert!(bytes("0").is_err());
        assert!(bytes("lots").is_err());
    }
}
