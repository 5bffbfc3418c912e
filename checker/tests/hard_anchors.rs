//! The hard real histories (../shared/anchors/hard/): verdicts that need the frontier search.

use checker::check::{check, CheckOptions};
use checker::history::History;
use checker::jsonl::read_history;
use checker::models::ModelOptions;
use checker::search::Engine;
use checker::verdict::{LinearizabilityResult, Verdict};
use std::path::PathBuf;

/// The first `lines` lines of ser-02.jsonl as a history (operations still open are pending).
fn ser_02(lines: usize) -> History {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/anchors/hard/ser-02.jsonl");
    let text = std::fs::read_to_string(&path).expect("ser-02.jsonl is readable");
    let prefix: String = text.lines().take(lines).flat_map(|l| [l, "\n"]).collect();
    read_history(prefix.as_bytes()).expect("ser-02 is a valid history")
}

fn cas_register(history: &History) -> LinearizabilityResult {
    check(
        history,
        "cas-register",
        &ModelOptions::default(),
        &CheckOptions::default(),
    )
    .expect("ser-02 fits the cas-register model")
}

#[test]
fn ser_02_is_not_linearizable_and_its_read_of_0_at_line_1149_cannot_be_placed() {
    let history = ser_02(usize::MAX);
    assert_eq!(history.operations.len(), 1567);
    let result = cas_register(&history);
    assert_eq!(result.valid, Verdict::Invalid);
    let partition = &result.partitions[0];
    assert_eq!(partition.search, Some(Engine::Frontier));
    let evidence = partition
        .evidence
        .as_ref()
        .expect("an invalid partition has evidence");
    // The read invoked at index 1147 (line 1148) returned 0 at line 1149.
    assert_eq!(evidence.stuck, vec![1147]);
    assert!(!evidence.witness.is_empty());
}

#[test]
fn ser_02_up_to_line_1148_is_linearizable_and_line_1149_makes_it_invalid() {
    assert_eq!(cas_register(&ser_02(1148)).valid, Verdict::Valid);
    assert_eq!(cas_register(&ser_02(1149)).valid, Verdict::Invalid);
}
