//! Results objects for the unit tests of what renders them.

use checker::verdict::{AnomalyResult, OpCounts, Results, Verdict};

/// The results of a run whose only check, the ledger, is unknown for `reason`.
pub(crate) fn unknown_ledger(reason: &str) -> Results {
    Results {
        valid: Verdict::Unknown,
        file: None,
        op_counts: OpCounts::default(),
        linearizability: None,
        sessions: None,
        ledger: Some(AnomalyResult {
            valid: Verdict::Unknown,
            anomalies: Vec::new(),
            reason: Some(reason.into()),
        }),
        check_ms: 1.0,
    }
}
