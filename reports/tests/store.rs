//! The run store: folder layout, the `latest` link, files that read back, junit.xml, rebuilding.

mod common;

use checker::verdict::Results;
use common::histories::{
    oversold, oversold_results, store_oversold, OVERSELL_SENTENCE, VANISHED_SENTENCE,
};
use common::TempDir;
use reports::index::list_runs;
use reports::{render_report, write_run, NodeLog, ReportError, RunDir};
use std::fs;

const RUN_FILES: [&str; 8] = [
    "history.jsonl",
    "results.json",
    "report.html",
    "latency.png",
    "latency.svg",
    "rate.png",
    "rate.svg",
    "junit.xml",
];

#[test]
fn write_run_lays_out_a_run_folder_that_reads_back() {
    let tmp = TempDir::new("store");
    let o = oversold();
    let results = oversold_results(&o);
    let log = tmp.path().join("n1-etcd.log");
    fs::write(&log, "etcd started\n").unwrap();
    let logs = [NodeLog {
        node: "n1".into(),
        path: log,
    }];
    let run = write_run(
        &tmp.path().join("store"),
        "oversell",
        &o.history,
        &results,
        &logs,
    )
    .unwrap();

    assert_eq!(
        run.path().parent().unwrap(),
        tmp.path().join("store/oversell")
    );
    let stamp = run.stamp();
    assert!(
        reports::stamp::display_stamp(&stamp).is_some(),
        "folder {stamp} is not a time stamp"
    );
    for file in RUN_FILES {
        assert!(run.path().join(file).is_file(), "{file} missing");
    }
    assert_eq!(
        fs::read_to_string(run.path().join("logs/n1.log")).unwrap(),
        "etcd started\n"
    );
    let latest = fs::read_link(tmp.path().join("store/oversell/latest")).unwrap();
    assert_eq!(latest.to_str(), Some(stamp.as_str()));

    // history.jsonl loads back into the same history; results.json into the same results.
    let loaded = checker::formats::load(&run.history_path(), None).unwrap();
    assert_eq!(loaded, o.history);
    assert_eq!(run.read_results().unwrap(), results);
}

#[test]
fn a_second_run_in_the_same_second_gets_its_own_folder_and_becomes_latest() {
    let tmp = TempDir::new("store-twice");
    let first = RunDir::create(tmp.path(), "t").unwrap();
    let second = RunDir::create(tmp.path(), "t").unwrap();
    assert_ne!(first.path(), second.path());
    let latest = fs::read_link(tmp.path().join("t/latest")).unwrap();
    assert_eq!(latest.to_str(), Some(second.stamp().as_str()));
}

#[test]
fn bad_test_names_and_non_run_folders_are_refused() {
    let tmp = TempDir::new("store-bad");
    for name in ["", "../x", "a/b", ".hidden", "latest", "spa ce"] {
        assert!(
            matches!(
                RunDir::create(tmp.path(), name),
                Err(ReportError::BadTestName(_))
            ),
            "{name:?} accepted"
        );
    }
    let o = oversold();
    let bad_log = [NodeLog {
        node: "../n1".into(),
        path: tmp.path().join("x.log"),
    }];
    let err = write_run(tmp.path(), "t", &o.history, &oversold_results(&o), &bad_log).unwrap_err();
    assert!(matches!(err, ReportError::BadNodeName(_)), "{err}");
    assert!(
        !tmp.path().join("t").exists(),
        "a refused run left a folder behind"
    );
    let err = render_report(tmp.path()).unwrap_err();
    assert!(matches!(err, ReportError::NotARun(_)));
    assert!(err.to_string().contains("store/<test>/<time>/"));
}

#[test]
fn render_report_rebuilds_the_report_from_the_folder() {
    let tmp = TempDir::new("store-rebuild");
    let (_, run) = store_oversold(tmp.path());
    let original = fs::read_to_string(run.path().join("report.html")).unwrap();
    for file in [
        "report.html",
        "latency.png",
        "latency.svg",
        "rate.png",
        "rate.svg",
        "junit.xml",
    ] {
        fs::remove_file(run.path().join(file)).unwrap();
    }
    render_report(run.path()).unwrap();
    assert_eq!(
        fs::read_to_string(run.path().join("report.html")).unwrap(),
        original
    );
    assert!(run.path().join("rate.png").is_file());

    // A corrupt results.json is reported with its path and the schema to follow.
    fs::write(run.results_path(), "{\"valid\": 3}").unwrap();
    let err = render_report(run.path()).unwrap_err().to_string();
    assert!(
        err.contains("results.json") && err.contains("docs/results.md"),
        "{err}"
    );
}

/// A run's report is named after its test, also when rebuilt through the `latest` link (whose
/// name is no stamp) and when results.json names the run's own history; a folder outside a store
/// (`frenzy check --out`) is named after the history file checked.
#[test]
fn the_report_is_named_after_the_test_or_the_history_checked() {
    let tmp = TempDir::new("store-title");
    let o = oversold();
    let mut results = oversold_results(&o);
    results.file = Some("store/oversell/20260101T000000/history.jsonl".into());
    write_run(tmp.path(), "oversell", &o.history, &results, &[]).unwrap();
    let title = |dir: &std::path::Path| {
        let html = fs::read_to_string(dir.join("report.html")).unwrap();
        let h1 = &html[html.find("<h1>").unwrap()..];
        h1[..h1.find("</h1>").unwrap()].to_owned()
    };
    let latest = tmp.path().join("oversell/latest");
    render_report(&latest).unwrap();
    assert_eq!(title(&latest), "<h1>Frenzy report: oversell");

    let out = tmp.path().join("checked");
    fs::create_dir_all(&out).unwrap();
    for file in ["history.jsonl", "results.json"] {
        fs::copy(latest.join(file), out.join(file)).unwrap();
    }
    results.file = Some("/data/jepsen/history.edn".into());
    reports::render_run(&RunDir::open(&out).unwrap(), &o.history, &results).unwrap();
    assert_eq!(title(&out), "<h1>Frenzy report: history.edn");
}

#[test]
fn junit_has_one_case_per_check_with_failure_messages() {
    let o = oversold();
    let results = oversold_results(&o);
    let xml = reports::junit::junit_xml("oversell", &results);
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
    assert!(xml.contains("tests=\"4\" failures=\"2\" errors=\"0\""));
    assert!(xml.contains("name=\"linearizability (tickets) key e7\""));
    assert!(xml.contains(&format!(
        "<failure message=\"{OVERSELL_SENTENCE}\" type=\"invalid\">"
    )));
    assert!(xml.contains("name=\"linearizability (tickets) key e8\" time=\"0.000\"/>"));
    assert!(xml.contains("name=\"sessions\""));
    assert!(xml.contains(&format!(
        "read-your-writes: {}",
        reports::escape::escape(VANISHED_SENTENCE)
    )));
    assert!(xml.contains("name=\"ledger\" time=\"0.000\"/>"));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
}

#[test]
fn an_unknown_partition_is_a_junit_error_with_its_reason() {
    let o = oversold();
    let mut results: Results = oversold_results(&o);
    let lin = results.linearizability.as_mut().unwrap();
    lin.partitions[1].valid = checker::verdict::Verdict::Unknown;
    lin.partitions[1].reason = Some("time budget of 10 s reached".into());
    let xml = reports::junit::junit_xml("t", &results);
    assert!(xml.contains("<error message=\"time budget of 10 s reached\" type=\"unknown\">"));
    assert!(xml.contains("errors=\"1\""));
}

#[test]
fn results_json_keeps_its_documented_field_names() {
    let o = oversold();
    let results = oversold_results(&o);
    let json: serde_json::Value = serde_json::to_value(&results).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&json),
        [
            "check_ms",
            "ledger",
            "linearizability",
            "op_counts",
            "sessions",
            "valid"
        ]
    );
    assert_eq!(
        keys(&json["op_counts"]),
        ["fail", "info", "invoke", "nemesis", "ok", "pending"]
    );
    let lin = &json["linearizability"];
    assert_eq!(keys(lin), ["check_ms", "model", "partitions", "valid"]);
    assert_eq!(
        keys(&lin["partitions"][0]),
        ["check_ms", "evidence", "key", "ops", "valid"]
    );
    assert_eq!(
        keys(&lin["partitions"][1]),
        ["check_ms", "key", "ops", "valid"]
    );
    assert_eq!(
        keys(&lin["partitions"][0]["evidence"]),
        [
            "at",
            "explanation",
            "faults_active",
            "prefix",
            "state",
            "stuck",
            "witness"
        ]
    );
    // alice and bob's holds came back during the partition (10 to 80 ms).
    assert_eq!(
        lin["partitions"][0]["evidence"]["faults_active"],
        serde_json::json!(["n1 / n2, n3 cut (isolate)"])
    );
    assert_eq!(keys(&json["sessions"]), ["anomalies", "valid"]);
    assert_eq!(
        keys(&json["sessions"]["anomalies"][0]),
        ["at", "events", "explanation", "faults_active", "kind"]
    );
    assert_eq!(
        json["sessions"]["anomalies"][0]["at"],
        serde_json::json!(0.065)
    );
    assert_eq!(json["valid"], serde_json::json!(false));
    assert_eq!(json["ledger"]["valid"], serde_json::json!(true));
}

#[test]
fn the_index_lists_runs_newest_first_with_verdict_and_size() {
    let tmp = TempDir::new("store-index");
    store_oversold(tmp.path());
    RunDir::create(tmp.path(), "empty").unwrap();
    let runs = list_runs(tmp.path()).unwrap();
    assert_eq!(runs.len(), 2);
    let oversell = runs.iter().find(|r| r.test == "oversell").unwrap();
    assert_eq!(oversell.verdict, Some(checker::verdict::Verdict::Invalid));
    assert_eq!(oversell.ops, Some(7));
    assert!(oversell.has_report);
    let empty = runs.iter().find(|r| r.test == "empty").unwrap();
    assert_eq!((empty.verdict, empty.has_report), (None, false));
    let html = reports::index::index_html("store", &runs);
    assert!(html.contains(&format!(
        "href=\"/runs/oversell/{}/report.html\"",
        oversell.stamp
    )));
    assert!(html.contains("<td class=\"invalid\">invalid</td><td class=\"num\">7</td>"));
}

#[test]
fn an_empty_history_still_gets_a_report_and_charts() {
    let tmp = TempDir::new("store-empty");
    let history = checker::history::History::default();
    let run = write_run(
        tmp.path(),
        "empty",
        &history,
        &common::histories::unchecked(&history),
        &[],
    )
    .unwrap();
    for file in RUN_FILES {
        assert!(run.path().join(file).is_file(), "{file} missing");
    }
    let html = fs::read_to_string(run.path().join("report.html")).unwrap();
    assert!(html.contains("<p>None: no nemesis events in this history.</p>"));
    assert!(html.contains("<h3>Anomalies</h3>\n<p>None found.</p>"));
    // Its script runs to the end in a browser, with nothing to draw.
    let dom = common::browser::dump_dom(&run.path().join("report.html"));
    assert!(
        dom.contains("data-ops=\"0\""),
        "the script failed on an empty history"
    );
}
