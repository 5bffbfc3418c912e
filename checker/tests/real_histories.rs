//! Real histories other tools wrote (Knossos' own data, Porcupine's Jepsen etcd logs, in
//! tests/data) get the verdicts those tools gave, and the witness of each invalid one contains
//! the operation the explanation names and is 1-minimal.

mod witness;

use checker::check::{check, CheckOptions};
use checker::formats::load_with_format;
use checker::history::History;
use checker::models::ModelOptions;
use checker::suite::check_all;
use checker::verdict::Verdict;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use witness::{assert_holds_a_stuck_op, assert_one_minimal, patient, relaxed};

fn data(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(dir))
        .expect("test data folder")
        .map(|entry| entry.expect("readable entry").path())
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> History {
    let (history, _) =
        load_with_format(path, None, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    history
}

/// Knossos' reading: `(cas-register 0)`, and an ok read of nil constrains nothing.
fn knossos(strict_nil_reads: bool) -> ModelOptions {
    ModelOptions {
        init: Some(json!(0)),
        nil_read_unknown: !strict_nil_reads,
        ..ModelOptions::default()
    }
}

fn verdict(h: &History, options: &ModelOptions, allow_empty: bool) -> Verdict {
    let check_options = CheckOptions {
        allow_empty,
        ..CheckOptions::default()
    };
    check_all(h, "cas-register", options, &check_options, false)
        .expect("a cas-register history")
        .valid
}

#[test]
fn knossos_cas_register_histories_get_knossos_verdicts() {
    let mut wrong = Vec::new();
    let mut empty = 0;
    for (dir, expected) in [
        ("knossos/cas-register/good", Verdict::Valid),
        ("knossos/cas-register/bad", Verdict::Invalid),
    ] {
        for path in files(dir) {
            let h = load(&path);
            if h.operations.is_empty() {
                // Knossos calls a history with nothing in it valid; Frenzy says nothing was checked.
                empty += 1;
                assert_eq!(verdict(&h, &knossos(false), false), Verdict::Unknown);
            }
            let got = verdict(&h, &knossos(false), true);
            if got != expected {
                wrong.push(format!(
                    "{}: Knossos {expected:?}, Frenzy {got:?}",
                    path.display()
                ));
            }
        }
    }
    assert_eq!(empty, 1, "one good history holds only nemesis events");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn strict_nil_reads_refute_histories_knossos_accepts() {
    let refuted = files("knossos/cas-register/good")
        .iter()
        .filter(|path| verdict(&load(path), &knossos(true), true) == Verdict::Invalid)
        .count();
    assert!(
        refuted > 0,
        "the strict reading changes nothing on Knossos' data"
    );
    for path in files("knossos/cas-register/bad") {
        assert_eq!(
            verdict(&load(&path), &knossos(true), true),
            Verdict::Invalid
        );
    }
}

/// Checks the witness of every invalid partition: it contains an operation the evidence names
/// as stuck, has at most 12 operations, fails, and passes without any one of its operations.
fn assert_witnesses_show_the_anomaly(path: &Path, options: &ModelOptions) {
    let h = load(path);
    let result = check(&h, "cas-register", options, &patient()).expect("readable");
    assert_eq!(result.valid, Verdict::Invalid, "{}", path.display());
    let init = options.init.clone().unwrap_or(Value::Null);
    for p in result
        .partitions
        .iter()
        .filter(|p| p.valid == Verdict::Invalid)
    {
        let evidence = p.evidence.as_ref().expect("evidence");
        let what = format!("{} {:?}", path.display(), evidence.witness);
        assert_holds_a_stuck_op(evidence, &what);
        assert!(
            evidence.witness.len() <= 12,
            "{what}: more than 12 operations"
        );
        let fails = |sub: &History| {
            let sub = relaxed(sub, &h, &init);
            let sub_options = ModelOptions {
                init: Some(init.clone()),
                ..options.clone()
            };
            check(&sub, "cas-register", &sub_options, &CheckOptions::default())
                .expect("readable")
                .valid
                == Verdict::Invalid
        };
        assert_one_minimal(&h, &evidence.witness, fails, &what);
    }
}

#[test]
fn knossos_invalid_histories_have_witnesses_that_show_the_anomaly() {
    for path in files("knossos/cas-register/bad") {
        assert_witnesses_show_the_anomaly(&path, &knossos(false));
    }
}

#[test]
fn jepsen_etcd_logs_have_witnesses_that_show_the_anomaly() {
    for path in files("porcupine") {
        assert_witnesses_show_the_anomaly(&path, &ModelOptions::default());
    }
}

/// Jepsen's `history.txt` and `history.edn` of one real run read as the same history, in file
/// order (the EDN's `:time` goes backwards between processes), with Knossos' nil reads; Knossos
/// itself ran out of memory on it, Frenzy decides it.
#[test]
fn jepsen_history_txt_and_edn_of_one_run_agree() {
    let dir = data("jepsen/canonical-raft");
    let (txt, txt_format) =
        load_with_format(&dir.join("history.txt"), None, None).expect("txt loads");
    let (edn, edn_format) =
        load_with_format(&dir.join("history.edn"), None, None).expect("edn loads");
    assert_eq!(txt_format, checker::formats::Format::JepsenTxt);
    assert!(txt_format.knossos_values() && edn_format.knossos_values());
    let shape = |h: &History| -> Vec<_> {
        h.events()
            .iter()
            .map(|e| (e.process, e.kind, e.f.clone(), e.value.clone()))
            .collect()
    };
    assert_eq!(shape(&txt), shape(&edn));
    let backwards = edn.events().windows(2).any(|w| w[1].time < w[0].time);
    assert!(backwards, "the EDN's times go backwards somewhere");
    for h in [&txt, &edn] {
        assert_eq!(verdict(h, &knossos(false), false), Verdict::Valid);
    }
}

/// Knossos' multi-register history (valid with x = 0, y = 0) and its etcd mutex history
/// (refuted) get Knossos' verdicts.
#[test]
fn knossos_multi_register_and_mutex_histories_get_knossos_verdicts() {
    let cases = [
        (
            "knossos/multi-register/good/multi-register.edn",
            "multi-register",
            Some(json!({"x": 0, "y": 0})),
            Verdict::Valid,
        ),
        (
            "knossos/mutex/bad/etcd.edn",
            "mutex",
            None,
            Verdict::Invalid,
        ),
    ];
    for (file, model, init, expected) in cases {
        let h = load(&data(file));
        let options = ModelOptions {
            init,
            ..ModelOptions::default()
        };
        let result = check_all(&h, model, &options, &CheckOptions::default(), false)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(result.valid, expected, "{file}");
    }
}

/// Real Jepsen multi-register runs label read-only transactions `read` and write-only ones
/// `write` (value still a list of micro-operations): they are transactions, checked as such.
#[test]
fn multi_register_transactions_labelled_read_and_write_are_checked() {
    let run = |last_read: u32| {
        let text = format!(
            "{{:type :invoke, :f :write, :value [[:w 9 1] [:w 8 1]], :process 0}}\n\
             {{:type :ok, :f :write, :value [[:w 9 1] [:w 8 1]], :process 0}}\n\
             {{:type :invoke, :f :txn, :value [[:w 9 2] [:r 8 nil]], :process 1}}\n\
             {{:type :ok, :f :txn, :value [[:w 9 2] [:r 8 1]], :process 1}}\n\
             {{:type :invoke, :f :read, :value [[:r 9 nil]], :process 2}}\n\
             {{:type :ok, :f :read, :value [[:r 9 {last_read}]], :process 2}}\n"
        );
        let h = checker::formats::Format::JepsenEdn.parse(&text).unwrap();
        check_all(
            &h,
            "multi-register",
            &ModelOptions::default(),
            &CheckOptions::default(),
            false,
        )
        .unwrap()
        .valid
    };
    assert_eq!(run(2), Verdict::Valid);
    assert_eq!(run(1), Verdict::Invalid, "a read of an overwritten value");
}

/// The witness of Knossos' etcd mutex history shows its anomaly: process 3 took the lock and
/// every release of it failed, yet process 0 took it too. It holds an operation the evidence
/// names, still fails, and every release in it comes with its own process's acquire (it used to
/// be a lone release, read as a release of a lock never taken, though its process held it).
#[test]
fn knossos_mutex_witness_shows_the_two_holders() {
    let h = load(&data("knossos/mutex/bad/etcd.edn"));
    let result = check(&h, "mutex", &ModelOptions::default(), &patient()).expect("readable");
    let evidence = result.partitions[0].evidence.clone().expect("evidence");
    let what = format!("{evidence:?}");
    assert_holds_a_stuck_op(&evidence, &what);
    assert!(evidence.witness.len() <= 12, "{what}");
    let sub = witness::keep(&h, &evidence.witness);
    let sub_result = check(&sub, "mutex", &ModelOptions::default(), &patient());
    assert_eq!(
        sub_result.expect("readable").valid,
        Verdict::Invalid,
        "{what}"
    );
    for release in sub.operations.iter().filter(|op| op.f == "release") {
        let acquired = sub
            .operations
            .iter()
            .any(|op| op.f == "acquire" && op.process == release.process && op.id < release.id);
        assert!(acquired, "{what}: op {} releases alone", release.id);
    }
}
