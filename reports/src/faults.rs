//! Fault windows: the spans between a nemesis `start-<kind>` event and the next `stop-<kind>`,
//! with each fault in words. They live in the checker, which also says which faults were active
//! when an anomaly happened; the report draws them.

pub use checker::faults::{fault_windows, FaultWindow};
