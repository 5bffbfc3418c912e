//! Reports: the run store, results.json, JUnit XML, the HTML timeline and plots.
//!
//! A run lives in `store/<test>/<YYYYmmddTHHMMSS>/` (see docs/results.md). Callers either store a
//! finished run in one go with [`write_run`], or create the folder first with [`RunDir::create`],
//! record the history into it, then call [`render_run`]; [`render_report`] rebuilds the report of
//! an existing folder.

pub mod duration;
pub mod error;
pub mod escape;
pub mod evidence;
pub mod faults;
pub mod html;
pub mod index;
pub mod junit;
pub mod lanes;
pub mod plots;
pub mod render;
pub mod serve;
pub mod stamp;
pub mod store;
pub mod summary;
#[cfg(test)]
mod test_results;
pub mod timeline_data;

pub use error::{ReportError, Result};
pub use render::{render_report, render_run};
pub use store::{write_run, NodeLog, RunDir};
