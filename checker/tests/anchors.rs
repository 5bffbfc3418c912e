//! Every file of Porcupine's test data gets the verdict Porcupine's own tests expect
//! (../shared/anchors/porcupine/VERDICTS.md).

use checker::check::{check, CheckOptions};
use checker::formats::load;
use checker::models::ModelOptions;
use checker::verdict::Verdict;
use std::path::PathBuf;

/// The 23 jepsen files Porcupine's tests expect to be linearizable.
const JEPSEN_LINEARIZABLE: [u32; 23] = [
    2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102,
];

fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/anchors/porcupine/test_data")
}

fn verdict(file: &str, model: &str) -> Verdict {
    let history = load(&test_data().join(file), None).unwrap_or_else(|e| panic!("{file}: {e}"));
    let options = CheckOptions {
        all_partitions: true,
        ..CheckOptions::default()
    };
    let result = check(&history, model, &ModelOptions::default(), &options)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    result.valid
}

#[test]
fn jepsen_etcd_logs_get_porcupines_verdicts() {
    let mut wrong = Vec::new();
    let mut counts = (0, 0);
    for n in (0..=102).filter(|&n| n != 95) {
        let file = format!("jepsen/etcd_{n:03}.log");
        let expected = if JEPSEN_LINEARIZABLE.contains(&n) {
            counts.0 += 1;
            Verdict::Valid
        } else {
            counts.1 += 1;
            Verdict::Invalid
        };
        let got = verdict(&file, "cas-register");
        if got != expected {
            wrong.push(format!("{file}: expected {expected:?}, got {got:?}"));
        }
    }
    assert_eq!(counts, (23, 79));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn kv_files_get_porcupines_verdicts() {
    for (file, expected) in [
        ("c01-ok", Verdict::Valid),
        ("c01-bad", Verdict::Invalid),
        ("c10-ok", Verdict::Valid),
        ("c10-bad", Verdict::Invalid),
        ("c50-ok", Verdict::Valid),
        ("c50-bad", Verdict::Invalid),
    ] {
        assert_eq!(verdict(&format!("kv/{file}.txt"), "kv"), expected, "{file}");
    }
}

#[test]
fn small_kv_files_get_the_same_verdicts_unpartitioned() {
    for (file, expected) in [
        ("c01-ok", Verdict::Valid),
        ("c01-bad", Verdict::Invalid),
        ("c10-ok", Verdict::Valid),
        ("c10-bad", Verdict::Invalid),
    ] {
        assert_eq!(
            verdict(&format!("kv/{file}.txt"), "kv-unpartitioned"),
            expected,
            "{file}"
        );
    }
}

fn c50_bad_key_zero(options: CheckOptions) -> checker::verdict::PartitionResult {
    let history = load(&test_data().join("kv/c50-bad.txt"), None).expect("c50-bad loads");
    let options = CheckOptions {
        all_partitions: true,
        ..options
    };
    let result = check(&history, "kv", &ModelOptions::default(), &options).expect("readable");
    result
        .partitions
        .into_iter()
        .find(|p| p.key == "0")
        .expect("key 0")
}

#[test]
fn a_memory_budget_turns_a_long_search_into_unknown_with_the_reason() {
    let key0 = c50_bad_key_zero(CheckOptions {
        memory_limit: Some(1),
        ..CheckOptions::default()
    });
    assert_eq!(key0.valid, Verdict::Unknown);
    assert!(
        key0.reason
            .as_deref()
            .is_some_and(|r| r.contains("memory limit")),
        "{key0:?}"
    );
}

#[test]
fn a_time_budget_turns_a_long_search_into_unknown_with_the_reason() {
    let key0 = c50_bad_key_zero(CheckOptions {
        time_limit: Some(std::time::Duration::ZERO),
        ..CheckOptions::default()
    });
    assert_eq!(key0.valid, Verdict::Unknown);
    assert!(
        key0.reason
            .as_deref()
            .is_some_and(|r| r.contains("time limit")),
        "{key0:?}"
    );
}

#[test]
fn stopping_at_the_first_invalid_partition_leaves_the_rest_unchecked_or_invalid() {
    let history = load(&test_data().join("kv/c50-bad.txt"), None).expect("c50-bad loads");
    let result = check(
        &history,
        "kv",
        &ModelOptions::default(),
        &CheckOptions::default(),
    )
    .expect("readable");
    assert_eq!(result.valid, Verdict::Invalid);
    assert_eq!(result.partitions.len(), 10);
    for p in &result.partitions {
        assert!(p.valid == Verdict::Invalid || p.reason.is_some(), "{p:?}");
    }
}
