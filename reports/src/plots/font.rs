//! The font charts are drawn with: DejaVu Sans, bundled (reports/assets/, Bitstream Vera license),
//! so text renders the same everywhere without system font libraries.

use crate::error::{ReportError, Result};
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

/// DejaVu Sans, from Debian's fonts-dejavu-core.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The family name charts ask for; the bundled font is registered under it.
pub const FAMILY: &str = "sans-serif";

/// Registers the bundled font with plotters, once per process.
pub fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| register_font(FAMILY, style, DEJAVU_SANS).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(ReportError::Plot {
            chart: "any",
            message: "the bundled DejaVu Sans font does not load".into(),
        })
    }
}
