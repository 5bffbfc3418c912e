//! Run folder names: the UTC wall-clock time a run started, as `YYYYmmddTHHMMSS`.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats seconds since the Unix epoch as `YYYYmmddTHHMMSS` (UTC).
pub fn format_stamp(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let secs = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The stamp of the current time.
pub fn now_stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_stamp(secs)
}

/// Turns a stamp (optionally followed by `-N`, for runs started in the same second) into
/// `YYYY-mm-dd HH:MM:SS UTC`, or `None` when it is not a stamp.
pub fn display_stamp(stamp: &str) -> Option<String> {
    let base = stamp.split('-').next()?;
    let b = base.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 15 || b[8] != b'T' || !digits(0..8) || !digits(9..15) {
        return None;
    }
    Some(format!(
        "{}-{}-{} {}:{}:{} UTC",
        &base[0..4],
        &base[4..6],
        &base[6..8],
        &base[9..11],
        &base[11..13],
        &base[13..15]
    ))
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_stamp(0), "19700101T000000");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(format_stamp(951_827_696), "20000229T123456");
        // 2026-11-25 10:49:20 UTC.
        assert_eq!(format_stamp(1_795_603_760), "20261125T104920");
    }

    #[test]
    fn displays_stamps_and_rejects_other_names() {
        assert_eq!(
            display_stamp("20261125T104920").as_deref(),
            Some("2026-11-25 10:49:20 UTC")
        );
        assert_eq!(
            display_stamp("20261125T104920-2").as_deref(),
            Some("2026-11-25 10:49:20 UTC")
        );
        assert_eq!(display_stamp("latest"), None);
        assert_eq!(display_stamp("2026112xT104920"), None);
    }
}
