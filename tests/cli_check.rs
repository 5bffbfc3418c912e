//! `frenzy check` end to end: verdicts and exit codes, --json, --out, and bad input (exit 254).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Porcupine's test data (`shared/` sits beside the repository, here and in CI).
fn test_data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/anchors/porcupine/test_data")
        .join(file)
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("frenzy-cli-check-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `text` to `name` in the scratch directory and returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn frenzy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .output()
        .unwrap()
}

fn check(paths: &[&Path], flags: &[&str]) -> Output {
    let mut args = vec!["check"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    args.extend(flags);
    frenzy(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small cas-register history that is linearizable: write 1, then a read of 1 and a cas 1 -> 2.
const VALID_JSONL: &str = r#"{"index":0,"time":10,"process":0,"type":"invoke","f":"write","value":1}
{"index":1,"time":20,"process":0,"type":"ok","f":"write","value":1}
{"index":2,"time":30,"process":1,"type":"invoke","f":"read","value":null}
{"index":3,"time":35,"process":"nemesis","type":"info","f":"start-partition","value":"majority"}
{"index":4,"time":40,"process":1,"type":"ok","f":"read","value":1}
{"index":5,"time":50,"process":2,"type":"invoke","f":"cas","value":[1,2]}
{"index":6,"time":60,"process":2,"type":"ok","f":"cas","value":[1,2]}
"#;

#[test]
fn a_linearizable_history_exits_0_with_a_summary() {
    let dir = Scratch::new("valid");
    let path = dir.file("history.jsonl", VALID_JSONL);
    let out = check(&[&path], &["--model", "cas-register"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("VALID (cas-register model), 3 operations: 3 ok, 0 fail, 0 info, 0 pending; 1 nemesis events"), "{text}");
}

#[test]
fn a_stale_read_exits_1_and_json_carries_the_evidence() {
    let dir = Scratch::new("stale");
    let stale = VALID_JSONL.replace(
        r#""type":"ok","f":"read","value":1"#,
        r#""type":"ok","f":"read","value":7"#,
    );
    let path = dir.file("history.jsonl", &stale);
    let out = check(&[&path], &["--model", "cas-register", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let results: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(results["valid"], Value::Bool(false));
    assert_eq!(results["file"], path.to_str().unwrap());
    assert!(results["check_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(results["op_counts"]["invoke"], 3);
    assert_eq!(results["op_counts"]["nemesis"], 1);
    let partition = &results["linearizability"]["partitions"][0];
    assert_eq!(partition["valid"], Value::Bool(false));
    assert_eq!(partition["evidence"]["stuck"], serde_json::json!([2]));
    assert!(!partition["evidence"]["explanation"]
        .as_str()
        .unwrap()
        .is_empty());
}

#[test]
fn several_histories_print_one_json_line_each_and_the_worst_verdict_decides() {
    let dir = Scratch::new("several");
    let valid = dir.file("valid.jsonl", VALID_JSONL);
    let bad = test_data("kv/c01-bad.txt");
    let ok = test_data("kv/c01-ok.txt");
    let out = check(&[&ok, &bad], &["--model", "kv", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], Value::Bool(true));
    assert_eq!(lines[1]["valid"], Value::Bool(false));
    assert!(lines[1]["file"].as_str().unwrap().ends_with("c01-bad.txt"));
    let both_valid = check(&[&valid, &valid], &["--model", "cas-register", "--json"]);
    assert_eq!(both_valid.status.code(), Some(0), "{}", stderr(&both_valid));
}

#[test]
fn porcupine_etcd_log_is_detected_and_refuted() {
    let out = check(
        &[&test_data("jepsen/etcd_000.log")],
        &["--model", "cas-register"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("INVALID (cas-register model), 85 operations"));
}

#[test]
fn an_exhausted_budget_exits_2() {
    // c50-ok is linearizable, but no partition of it is decided within one byte of memory: the
    // limit is reached while reading it, before any search.
    let path = test_data("kv/c50-ok.txt");
    let out = check(
        &[&path],
        &["--model", "kv", "--memory-limit", "1", "--json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let results: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(results["valid"], "unknown");
    let reason = results["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("memory limit") && reason.contains("while reading the history"),
        "{results}"
    );
}

#[test]
fn out_dir_holds_results_and_a_witness_that_still_fails() {
    let dir = Scratch::new("out");
    let out_dir = dir.0.join("out");
    let out = check(
        &[&test_data("kv/c01-bad.txt")],
        &["--model", "kv", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["valid"], Value::Bool(false));
    let witness = out_dir.join("witness-7.jsonl");
    assert!(stdout(&out).contains(&format!("witness written to {}", witness.display())));
    let again = check(&[&witness], &["--model", "kv"]);
    assert_eq!(again.status.code(), Some(1), "{}", stdout(&again));
    let report = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(report.contains("INVALID"), "the report shows the verdict");
    assert!(
        report.contains("<h1>Frenzy report: c01-bad.txt</h1>"),
        "the report is named after the history checked"
    );
    for artifact in ["history.jsonl", "junit.xml", "latency.png", "rate.svg"] {
        assert!(out_dir.join(artifact).is_file(), "{artifact} written");
    }
}

#[test]
fn out_never_overwrites_an_input_history() {
    let dir = Scratch::new("out-input");
    let porcupine = std::fs::read_to_string(test_data("kv/c01-bad.txt")).unwrap();
    let input = dir.file("history.jsonl", &porcupine);
    // Also through another path to the same file: a symlink elsewhere, and a `..` detour.
    let elsewhere = dir.0.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let link = elsewhere.join("mine.txt");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let detour = dir.0.join("elsewhere/..");
    let cases: [(&Path, &Path); 3] = [(&input, &dir.0), (&link, &dir.0), (&input, &detour)];
    for (history, out_dir) in cases {
        let out = check(
            &[history],
            &[
                "--model",
                "kv",
                "--format",
                "porcupine-kv",
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("would overwrite the input"),
            "{}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(&input).unwrap(),
            porcupine,
            "input untouched"
        );
        assert!(!dir.0.join("results.json").exists(), "nothing written");
    }
    // A witness written by an earlier run, checked again with the same --out, is an input too.
    let out_dir = dir.0.join("out");
    let first = check(
        &[&test_data("kv/c01-bad.txt")],
        &["--model", "kv", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let witness = out_dir.join("witness-7.jsonl");
    let before = std::fs::read_to_string(&witness).unwrap();
    let again = check(
        &[&witness],
        &["--model", "kv", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(254), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&witness).unwrap(), before);
}

#[test]
fn out_dir_with_several_histories_gets_one_subdirectory_each() {
    let dir = Scratch::new("out-several");
    let out_dir = dir.0.join("out");
    let out = check(
        &[&test_data("kv/c01-ok.txt"), &test_data("kv/c01-bad.txt")],
        &[
            "--model",
            "kv",
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out_dir.join("c01-ok/results.json").is_file());
    assert!(out_dir.join("c01-bad/witness-7.jsonl").is_file());
}

/// Runs `frenzy check` on a file holding `text` and asserts exit 254 with `expected` in the first
/// line of the error, and no panic.
fn assert_bad_input(name: &str, text: &str, flags: &[&str], expected: &str) {
    let dir = Scratch::new(name);
    let path = dir.file("history.jsonl", text);
    let out = check(&[&path], flags);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(254), "{name}: {err}");
    let first = err.lines().next().unwrap_or("");
    assert!(
        first.starts_with("error: ") && first.contains(expected),
        "{name}: {err}"
    );
    assert!(!err.contains("panicked"), "{name}: {err}");
}

const INVOKE_READ: &str =
    r#"{"index":0,"time":1,"process":0,"type":"invoke","f":"read","value":null}"#;

#[test]
fn each_malformed_history_gets_its_own_error_and_exit_254() {
    let model = ["--model", "cas-register"];
    let cases = [
        ("json", "{\"index\":0,", "line 1: not valid JSON"),
        ("type", "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"begin\",\"f\":\"read\"}\n", "line 1: unknown type \"begin\""),
        ("orphan", "{\"index\":0,\"time\":1,\"process\":4,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n", "line 1: process 4 completes an operation (read) it never invoked"),
        (
            "twice",
            &format!("{INVOKE_READ}\n{}\n", r#"{"index":1,"time":2,"process":0,"type":"invoke","f":"read","value":null}"#),
            "line 2: process 0 invokes read while its read invoked at index 0 is still open",
        ),
        (
            "reuse",
            &format!(
                "{INVOKE_READ}\n{}\n{}\n",
                r#"{"index":1,"time":2,"process":0,"type":"info","f":"read","value":null}"#,
                r#"{"index":2,"time":3,"process":0,"type":"invoke","f":"read","value":null}"#
            ),
            "line 3: process 0 is used again after its operation ended with info",
        ),
        (
            "time",
            &format!("{INVOKE_READ}\n{}\n", r#"{"index":1,"time":0,"process":0,"type":"ok","f":"read","value":null}"#),
            "line 2: time goes backwards",
        ),
        ("format", "hello\n", "cannot tell the history format from its content: its first line `hello`"),
        (
            "unreadable-op",
            "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"explode\",\"value\":null}\n",
            "does not fit the cas-register model",
        ),
    ];
    for (name, text, expected) in cases {
        assert_bad_input(name, text, &model, expected);
    }
}

#[test]
fn dev_zero_as_a_history_is_one_sentence_and_254_not_an_abort() {
    for format in [&["--format", "jsonl"][..], &[]] {
        let mut flags = vec!["--model", "register"];
        flags.extend(format);
        let out = check(&[Path::new("/dev/zero")], &flags);
        assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
}

#[test]
fn each_bad_flag_gets_its_own_error_and_exit_254() {
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "model",
            &["--model", "queue"],
            "unknown model \"queue\"; pass --model with one of register",
        ),
        (
            "init",
            &["--model", "register", "--init", "{x"],
            "not valid JSON",
        ),
        (
            "memory",
            &["--model", "register", "--memory-limit", "lots"],
            "is not a byte size",
        ),
        (
            "time",
            &["--model", "register", "--time-limit", "soon"],
            "is not a duration",
        ),
        (
            "format",
            &["--model", "register", "--format", "xml"],
            "unknown format \"xml\"",
        ),
        (
            "edn-as-jsonl",
            &["--model", "register", "--format", "edn"],
            "not valid EDN",
        ),
    ];
    for (name, flags, expected) in cases {
        assert_bad_input(name, "{\"index\":", flags, expected);
    }
    let missing = check(
        &[Path::new("/nonexistent/history.jsonl")],
        &["--model", "register"],
    );
    assert_eq!(missing.status.code(), Some(254));
    assert!(stderr(&missing).contains("cannot read /nonexistent/history.jsonl"));
}

#[test]
fn every_porcupine_file_gets_its_expected_verdict_in_one_json_run() {
    let verdicts = std::fs::read_to_string(test_data("../VERDICTS.md")).unwrap();
    let mut paths = Vec::new();
    let mut expected = Vec::new();
    for row in verdicts.lines().filter(|l| l.starts_with("| jepsen/etcd_")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let verdict = cells[cells.len() - 2];
        if verdict.starts_with("(empty") {
            continue;
        }
        paths.push(test_data(cells[1]));
        expected.push(Value::Bool(verdict == "linearizable"));
    }
    assert_eq!(paths.len(), 102);
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let out = check(
        &paths,
        &["--model", "cas-register", "--json", "--no-witness"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), paths.len());
    for ((line, path), valid) in lines.iter().zip(&paths).zip(&expected) {
        assert_eq!(line["file"], path.to_str().unwrap());
        assert_eq!(&line["valid"], valid, "{}", path.display());
        let witnesses = line["linearizability"]["partitions"][0]["evidence"]["witness"].as_array();
        assert!(
            witnesses.is_none_or(Vec::is_empty),
            "--no-witness shrinks nothing"
        );
    }
}

#[test]
fn each_init_that_does_not_fit_the_model_gets_254() {
    let inventory = concat!(
        r#"{"index":0,"time":1,"process":0,"type":"invoke","f":"read_inventory","value":{"event":"e1"}}"#,
        "\n",
        r#"{"index":1,"time":2,"process":0,"type":"ok","f":"read_inventory","value":{"event":"e1","remaining":3}}"#,
        "\n"
    );
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "tickets-string",
            &["--model", "tickets", "--init", "\"x\""],
            "--init \"x\" does not fit the tickets model",
        ),
        (
            "tickets-negative",
            &["--model", "tickets", "--init=-5"],
            "--init -5 does not fit the tickets model",
        ),
        (
            "kv-number",
            &["--model", "kv", "--init", "{\"k\": 1}"],
            "does not fit the kv model",
        ),
    ];
    for (name, flags, expected) in cases {
        assert_bad_input(name, inventory, flags, expected);
    }
}

/// A JSONL history of client events `(process, type, f, value)`, indexed and timed in order.
fn client_events(events: &[(u64, &str, &str, &str)]) -> String {
    events
        .iter()
        .enumerate()
        .map(|(i, (p, t, f, v))| {
            format!(
                "{{\"index\":{i},\"time\":{},\"process\":{p},\"type\":\"{t}\",\"f\":\"{f}\",\"value\":{v}}}\n",
                i + 1
            )
        })
        .collect()
}

#[test]
fn an_empty_history_is_unknown_unless_allowed() {
    let dir = Scratch::new("empty");
    let nemesis_only = r#"{"index":0,"time":1,"process":"nemesis","type":"info","f":"start-partition","value":null}"#;
    // Every request timed out or never returned: no result was observed (a real braft run).
    let unanswered = client_events(&[
        (0, "invoke", "write", "1"),
        (1, "invoke", "read", "null"),
        (0, "info", "write", "1"),
    ]);
    // Every request was refused (a service or an adapter that stayed down).
    let refused = client_events(&[
        (0, "invoke", "write", "1"),
        (0, "fail", "write", "1"),
        (0, "invoke", "read", "null"),
        (0, "fail", "read", "null"),
    ]);
    for (name, text) in [
        ("empty.jsonl", ""),
        ("nemesis.jsonl", nemesis_only),
        ("unanswered.jsonl", &unanswered),
        ("refused.jsonl", &refused),
    ] {
        let path = dir.file(name, text);
        let out = check(&[&path], &["--model", "register"]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains("nothing was checked"), "{name}");
        let allowed = check(&[&path], &["--model", "register", "--allow-empty"]);
        assert_eq!(allowed.status.code(), Some(0), "{name}");
    }
    // Knossos's meaning for a history of another tool's whose every operation failed: valid.
    let knossos = dir.file(
        "refused.edn",
        "{:process 0, :type :invoke, :f :write, :value 1}\n\
         {:process 0, :type :fail, :f :write, :value 1}\n",
    );
    let out = check(&[&knossos], &["--model", "register"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn deeply_nested_edn_is_refused_with_254_not_a_crash() {
    let dir = Scratch::new("deep");
    let text = format!(
        "{{:process 0, :type :invoke, :f :read, :value {}}}",
        "[".repeat(50_000)
    );
    let path = dir.file("deep.edn", &text);
    let out = check(&[&path], &["--model", "register"]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nests deeper than"),
        "{}",
        stderr(&out)
    );
}

/// A Jepsen history whose `:time` goes backwards between processes is read in file order, and
/// its nil read constrains nothing (Knossos), unless --strict-nil-reads.
#[test]
fn jepsen_edn_reads_in_file_order_with_knossos_nil_reads() {
    let dir = Scratch::new("jepsen-edn");
    let text = "{:process 0, :type :invoke, :f :write, :value 1, :time 100}\n\
                {:process 0, :type :ok, :f :write, :value 1, :time 200}\n\
                {:process 1, :type :invoke, :f :read, :value nil, :time 190}\n\
                {:process 1, :type :ok, :f :read, :value nil, :time 300}\n";
    let path = dir.file("history.edn", text);
    let out = check(&[&path], &["--model", "register"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let strict = check(&[&path], &["--model", "register", "--strict-nil-reads"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
}

#[test]
fn a_reader_that_stops_reading_does_not_crash_frenzy() {
    // `frenzy check … | head -0`: the pipe's reader is gone before the first line is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["check", "--model", "cas-register"])
        .arg(test_data("jepsen/etcd_000.log"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running frenzy");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("frenzy ends");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing on stderr, no panic");
}

/// A ledger anomaly says when it happened and under which fault, as `frenzy test` does.
#[test]
fn ledger_anomalies_say_when_and_under_which_fault() {
    let dir = Scratch::new("ledger-when");
    let history = r#"{"index":0,"time":0,"process":9,"type":"invoke","f":"create_event","value":{"capacity":2,"event":"e1"}}
{"index":1,"time":1000,"process":9,"type":"ok","f":"create_event","value":{"capacity":2,"event":"e1"}}
{"index":2,"time":1000000000,"process":"nemesis","type":"info","f":"start-partition","value":{"groups":[["n1"],["n2"]],"kind":"halves"}}
{"index":3,"time":1500000000,"process":0,"type":"invoke","f":"place_hold","value":{"event":"e1","qty":1,"request_id":"r1","user":"alice"}}
{"index":4,"time":2000000000,"process":0,"type":"ok","f":"place_hold","value":{"event":"e1","hold":"h1","qty":1,"request_id":"r1","seq":1,"user":"alice"}}
{"index":5,"time":3000000000,"process":"nemesis","type":"info","f":"stop-partition","value":{"healed":true}}
{"index":6,"time":4000000000,"process":1,"type":"invoke","f":"read_log","value":{"event":"e1"}}
{"index":7,"time":4100000000,"process":1,"type":"ok","f":"read_log","value":{"entries":[]}}
"#;
    let path = dir.file("history.jsonl", history);
    let out = check(&[&path], &["--model", "tickets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "- missing-hold-placed at 2.00 s, while n1 / n2 cut (halves): alice was told"
        ),
        "{text}"
    );
}
