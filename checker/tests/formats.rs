//! Importers, detection, JSONL round-trip and EDN export, against Porcupine's real test data.

use checker::formats::{load, write_jepsen_edn, Format, LoadError};
use checker::history::{Event, EventType, History, Outcome, Process};
use checker::jsonl::{read_history, write_events, HistoryWriter, JsonlReader};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The shared anchors directory (`shared/` sits beside the repository, here and in CI).
fn anchors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/anchors/porcupine")
}

/// The rows of VERDICTS.md's table for files under `dir/`, split into cells.
fn verdict_rows(dir: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(anchors().join("VERDICTS.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with(&format!("| {dir}/")))
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

fn number(cell: &str) -> usize {
    cell.parse().unwrap()
}

#[test]
fn every_porcupine_jepsen_log_imports_with_the_counts_verdicts_md_gives() {
    let rows = verdict_rows("jepsen");
    let on_disk = std::fs::read_dir(anchors().join("test_data/jepsen"))
        .unwrap()
        .count();
    assert_eq!(rows.len(), 103);
    assert_eq!(on_disk, rows.len());
    for row in rows {
        let path = anchors().join("test_data").join(&row[0]);
        let text = std::fs::read_to_string(&path).unwrap();
        let detected = Format::detect(&text).unwrap();
        let history = load(&path, None).unwrap_or_else(|e| panic!("{e}"));
        if text.is_empty() {
            assert_eq!(history, History::default());
            continue;
        }
        assert_eq!(detected, Format::PorcupineLog, "{}", row[0]);
        // Porcupine counts `:fail :cas` as a fail; Frenzy reads it as a cas that ran and found
        // another value (ok). `:fail :read :timed-out` stays a fail.
        let fails = |f: &str| {
            text.lines()
                .filter(|l| l.split_whitespace().skip(4).take(2).eq([":fail", f]))
                .count()
        };
        let (failed_cas, timed_out_reads) = (fails(":cas"), fails(":read"));
        let counts = history.op_counts();
        let (ops, ok, fail, info, pending, procs) = (
            number(&row[4]),
            number(&row[5]),
            number(&row[6]),
            number(&row[7]),
            number(&row[8]),
            number(&row[9]),
        );
        assert_eq!(counts.invoke, ops, "{}", row[0]);
        assert_eq!(counts.ok, ok + failed_cas, "{}", row[0]);
        assert_eq!(failed_cas + timed_out_reads, fail, "{}", row[0]);
        assert_eq!(counts.fail, timed_out_reads, "{}", row[0]);
        let unswapped = history
            .operations
            .iter()
            .filter(|op| op.output == json!({"swapped": false}));
        assert_eq!(unswapped.count(), failed_cas, "{}", row[0]);
        assert_eq!(counts.info, info, "{}", row[0]);
        // Porcupine's "pending" ops are exactly those ending in an `:info` line.
        assert_eq!(pending, info, "{}", row[0]);
        assert_eq!(counts.pending, 0, "{}", row[0]);
        assert_eq!(history.events().len(), number(&row[3]), "{}", row[0]);
        let processes: HashSet<_> = history.operations.iter().map(|op| op.process).collect();
        assert_eq!(processes.len(), procs, "{}", row[0]);
    }
}

#[test]
fn porcupine_fail_cas_is_a_cas_that_ran_and_found_another_value() {
    let text = "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n\
                INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]\n\
                INFO  jepsen.util - 1   :invoke :read   nil\n\
                INFO  jepsen.util - 1   :fail   :read   :timed-out\n\
                INFO  jepsen.util - 4\t:invoke\t:write\t4\n\
                INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n";
    let history = Format::PorcupineLog.parse(text).unwrap();
    let ops: Vec<_> = history
        .operations
        .iter()
        .map(|op| {
            (
                op.f.as_str(),
                op.input.to_value(),
                op.outcome,
                op.output.to_value(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("cas", json!([3, 0]), Outcome::Ok, json!({"swapped": false})),
            ("read", Value::Null, Outcome::Fail, Value::Null),
            ("write", json!(4), Outcome::Info, json!(4)),
        ]
    );
}

#[test]
fn porcupine_log_errors_name_the_line() {
    let e = Format::PorcupineLog
        .parse("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nhello\n")
        .unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("not a jepsen.util log line"), "{e}");
    let e = Format::PorcupineLog
        .parse("INFO  jepsen.util - 1\t:begin\t:read\tnil\n")
        .unwrap_err();
    assert!(e.message.starts_with("unknown type :begin"), "{e}");
}

#[test]
fn every_porcupine_kv_file_imports_with_the_counts_verdicts_md_gives() {
    let rows = verdict_rows("kv");
    assert_eq!(rows.len(), 6);
    for row in rows {
        let path = anchors().join("test_data").join(&row[0]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            Format::detect(&text),
            Some(Format::PorcupineKv),
            "{}",
            row[0]
        );
        let history = load(&path, None).unwrap_or_else(|e| panic!("{e}"));
        let counts = history.op_counts();
        let ops = number(&row[4]);
        assert_eq!((counts.invoke, counts.ok), (ops, ops), "{}", row[0]);
        assert_eq!(
            (counts.fail, counts.info, counts.pending),
            (0, 0, 0),
            "{}",
            row[0]
        );
        assert_eq!(history.events().len(), number(&row[3]), "{}", row[0]);
        let keys: HashSet<_> = history
            .operations
            .iter()
            .map(|op| op.input["key"].clone())
            .collect();
        assert_eq!(keys.len(), number(&row[5]), "{}", row[0]);
        let processes: HashSet<_> = history.operations.iter().map(|op| op.process).collect();
        assert_eq!(processes.len(), number(&row[6]), "{}", row[0]);
        let get = history.operations.iter().find(|op| op.f == "get").unwrap();
        assert_eq!(get.input["value"], Value::Null);
        assert!(get.output["value"].is_string());
    }
}

/// The (process, type, f, value) of each event, what every EDN shape must agree on.
fn shape(history: &History) -> Vec<(Process, EventType, String, Value)> {
    history
        .events()
        .iter()
        .map(|e| (e.process, e.kind, e.f.to_string(), e.value.to_value()))
        .collect()
}

fn expected_edn_shape() -> Vec<(Process, EventType, String, Value)> {
    vec![
        (
            Process::Client(0),
            EventType::Invoke,
            "write".into(),
            json!(3),
        ),
        (
            Process::Nemesis,
            EventType::Info,
            "start".into(),
            json!("majority"),
        ),
        (Process::Client(0), EventType::Ok, "write".into(), json!(3)),
        (
            Process::Client(1),
            EventType::Invoke,
            "cas".into(),
            json!([3, 4]),
        ),
        (
            Process::Client(1),
            EventType::Fail,
            "cas".into(),
            json!([3, 4]),
        ),
    ]
}

#[test]
fn edn_one_map_per_line_with_comments_and_missing_time_and_index() {
    let text = "; a Knossos history\n\
                {:process 0, :type :invoke, :f :write, :value 3}\n\
                {:process :nemesis, :type :info, :f :start, :value :majority} ; partition\n\
                {:process 0, :type :ok, :f :write, :value 3}\n\
                {:process 1 :type :invoke :f :cas :value [3 4]}\n\
                {:process 1, :type :fail, :f :cas, :value [3 4], :error :mismatch}\n";
    assert_eq!(Format::detect(text), Some(Format::JepsenEdn));
    let history = Format::JepsenEdn.parse(text).unwrap();
    assert_eq!(shape(&history), expected_edn_shape());
    let times: Vec<_> = history.events().iter().map(|e| (e.index, e.time)).collect();
    assert_eq!(times, vec![(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]);
}

#[test]
fn edn_one_vector_of_multi_line_maps_keeps_times() {
    let text = "[{:index 7, :time 100, :process 0, :type :invoke,\n  :f :write, :value 3}\n \
                {:time 150, :process :nemesis, :type :info, :f :start, :value \"majority\"}\n \
                {:time 200, :process 0, :type :ok, :f :write, :value 3}\n \
                {:time 300, :process 1, :type :invoke, :f :cas, :value [3 4]}\n \
                {:time 300, :process 1,\n  :type :fail,\n  :f :cas,\n  :value [3 4]}]\n";
    let history = Format::JepsenEdn.parse(text).unwrap();
    assert_eq!(shape(&history), expected_edn_shape());
    let times: Vec<_> = history.events().iter().map(|e| (e.index, e.time)).collect();
    assert_eq!(
        times,
        vec![(0, 100), (1, 150), (2, 200), (3, 300), (4, 300)]
    );
}

#[test]
fn edn_list_of_tagged_op_records() {
    let text = "(#jepsen.history.Op{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value 3}\n\
                #jepsen.history.Op{:index 1, :time 2, :type :info, :process :nemesis, :f :start, :value :majority}\n\
                #jepsen.history.Op{:index 2, :time 3, :type :ok, :process 0, :f :write, :value 3}\n\
                #jepsen.history.Op{:index 3, :time 4, :type :invoke, :process 1, :f :cas, :value [3 4]}\n\
                #jepsen.history.Op{:index 4, :time 5, :type :fail, :process 1, :f :cas, :value [3 4]})";
    assert_eq!(Format::detect(text), Some(Format::JepsenEdn));
    let history = Format::JepsenEdn.parse(text).unwrap();
    assert_eq!(shape(&history), expected_edn_shape());
}

#[test]
fn edn_independent_tuples_become_keyed_values() {
    let text = "{:process 0, :type :invoke, :f :cas, :value [\"k1\" [1 2]]}\n\
                {:process 0, :type :ok, :f :cas, :value [\"k1\" [1 2]]}\n\
                {:process 1, :type :invoke, :f :read, :value [7 nil]}\n\
                {:process 1, :type :ok, :f :read, :value [7 2]}\n";
    let history = Format::JepsenEdn.parse(text).unwrap();
    let values: Vec<_> = history.events().iter().map(|e| e.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            json!({"key": "k1", "value": [1, 2]}),
            json!({"key": "k1", "value": [1, 2]}),
            json!({"key": 7, "value": null}),
            json!({"key": 7, "value": 2}),
        ]
    );
}

#[test]
fn edn_unkeyed_cas_register_values_stay_as_they_are() {
    let text = "{:process 0, :type :invoke, :f :cas, :value [1 2]}\n\
                {:process 0, :type :ok, :f :cas, :value [1 2]}\n";
    let history = Format::JepsenEdn.parse(text).unwrap();
    assert_eq!(history.operations[0].input, json!([1, 2]));
}

#[test]
fn edn_errors_name_the_line_and_the_problem() {
    let cases = [
        (
            "{:process 0, :type :invoke, :f :read}\n{:process 0, :type :done, :f :read}\n",
            2,
            "unknown type \"done\"",
        ),
        (
            "{:process 0, :type :invoke, :f :read}\n\n{:process 0 :type :ok\n",
            3,
            "not valid EDN (UnexpectedEOF",
        ),
        (
            "{:process 0, :type :invoke}\n",
            1,
            "the operation has no :f",
        ),
        (
            "{:type :invoke, :f :read}\n",
            1,
            "the operation has no :process",
        ),
        (
            "{:process -2, :type :invoke, :f :read}\n",
            1,
            ":process -2 is neither",
        ),
        (
            "{:process 0, :type :invoke, :f :read}\n[1 2]\n",
            2,
            "expected an operation map",
        ),
        (
            "[{:process 0, :type :invoke, :f :read}\n",
            2,
            "the history ends before its closing ]",
        ),
        (
            "[{:process 0, :type :invoke, :f :read}]\n{:process 1}",
            2,
            "text follows the closing ]",
        ),
        (
            "{:process 0, :type :ok, :f :read}\n",
            1,
            "completes an operation (read) it never invoked",
        ),
    ];
    let deep = format!(
        "{{:process 0, :type :invoke, :f :read}}\n{{:process 0, :type :ok, :f :read, :value {}}}",
        "[".repeat(50_000)
    );
    // Tags and discards nest too: each waits for the form after it.
    let tags = format!(
        "{{:process 0, :type :invoke, :f :read, :value {}1}}",
        "#a ".repeat(50_000)
    );
    let discards = format!("[{}1]", "#_ ".repeat(50_000));
    let mixed = format!("\n\n({}1)", "#a [".repeat(25_000));
    let cases = cases.iter().copied().chain([
        (deep.as_str(), 2, "nests deeper than 200 levels"),
        (tags.as_str(), 1, "nests deeper than 200 levels"),
        (discards.as_str(), 1, "nests deeper than 200 levels"),
        (mixed.as_str(), 3, "nests deeper than 200 levels"),
    ]);
    for (text, line, message) in cases {
        let e = Format::JepsenEdn.parse(text).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.message.contains(message), "{text:?}: {e}");
    }
}

/// A history with every kind of event and value: keyed or not, nemesis, fail, info, pending.
fn sample_events() -> Vec<Event> {
    let rows = [
        (
            Process::Client(0),
            EventType::Invoke,
            "place_hold",
            json!({"event": "e1", "user": "alice", "qty": 2}),
        ),
        (
            Process::Nemesis,
            EventType::Info,
            "start-partition",
            json!({"groups": [["n1"], ["n2", "n3"]]}),
        ),
        (
            Process::Client(1),
            EventType::Invoke,
            "read_inventory",
            json!({"event": "e1"}),
        ),
        (
            Process::Client(0),
            EventType::Ok,
            "place_hold",
            json!({"event": "e1", "user": "alice", "qty": 2, "hold": "h-1"}),
        ),
        (
            Process::Client(1),
            EventType::Info,
            "read_inventory",
            json!({"event": "e1"}),
        ),
        (
            Process::Client(2),
            EventType::Invoke,
            "place_hold",
            json!({"event": "e\"2\\", "user": "b\nob", "qty": 1.5}),
        ),
        (
            Process::Client(2),
            EventType::Fail,
            "place_hold",
            json!({"event": "e\"2\\", "error": "sold_out", "ok": false}),
        ),
        (Process::Client(3), EventType::Invoke, "read", Value::Null),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (process, kind, f, value))| Event {
            index: i as u64,
            time: 1_000 * i as u64 + 7,
            process,
            kind,
            f: f.into(),
            value: value.into(),
        })
        .collect()
}

#[test]
fn jsonl_round_trips_through_the_writer_and_the_streaming_reader() {
    let events = sample_events();
    let mut writer = HistoryWriter::new(Vec::new());
    for event in &events {
        writer.append(event).unwrap();
    }
    let written = writer.into_inner();
    let mut whole = Vec::new();
    write_events(&events, &mut whole).unwrap();
    assert_eq!(written, whole);
    let streamed: Vec<_> = JsonlReader::new(written.as_slice())
        .map(|r| r.unwrap().1)
        .collect();
    assert_eq!(streamed, events);
    let history = read_history(written.as_slice()).unwrap();
    assert_eq!(history, History::from_events(events).unwrap());
}

#[test]
fn history_writer_flushes_every_event_to_the_file() {
    let dir = std::env::temp_dir().join(format!("frenzy-writer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("history.jsonl");
    let mut writer = HistoryWriter::create(&path).unwrap();
    let events = sample_events();
    writer.append(&events[0]).unwrap();
    // Still open: what a crash at this point would leave behind must already be checkable.
    let history = load(&path, None).unwrap();
    assert_eq!(history.events(), events[..1]);
    drop(writer);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn edn_export_then_import_round_trips() {
    let events = sample_events();
    let mut edn = Vec::new();
    write_jepsen_edn(&events, &mut edn).unwrap();
    let text = String::from_utf8(edn).unwrap();
    assert!(
        text.starts_with("{:index 0, :time 7, :process 0, :type :invoke, :f :place_hold, :value {")
    );
    assert!(text.contains(":process :nemesis"));
    let history = Format::JepsenEdn.parse(&text).unwrap();
    assert_eq!(history.events(), events);
}

#[test]
fn edn_export_writes_keyed_histories_as_independent_tuples() {
    let path = anchors().join("test_data/kv/c01-bad.txt");
    let history = load(&path, None).unwrap();
    let mut edn = Vec::new();
    write_jepsen_edn(&history.events(), &mut edn).unwrap();
    let text = String::from_utf8(edn).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(":value [\"0\" \"x 0 0 y\"]}"),
        "{text}"
    );
    let again = Format::JepsenEdn.parse(&text).unwrap();
    let strip = |h: &History| {
        h.events()
            .iter()
            .map(|e| (e.process, e.kind, e.f.to_string(), e.value.to_value()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&again), strip(&history));
}

#[test]
fn load_reports_unreadable_undetectable_and_invalid_files() {
    let missing = load(Path::new("/nonexistent/history.jsonl"), None).unwrap_err();
    assert!(matches!(missing, LoadError::Io { .. }));
    assert!(missing
        .to_string()
        .starts_with("cannot read /nonexistent/history.jsonl:"));
    let dir = std::env::temp_dir().join(format!("frenzy-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let odd = dir.join("odd.txt");
    std::fs::write(&odd, "hello world\n").unwrap();
    let e = load(&odd, None).unwrap_err();
    assert!(
        e.to_string().contains("cannot tell the history format"),
        "{e}"
    );
    let bad = dir.join("history.jsonl");
    std::fs::write(
        &bad,
        "{\"index\":0,\"time\":1,\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n",
    )
    .unwrap();
    let e = load(&bad, None).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{} line 1: process 3 completes", bad.display())),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn format_names_parse_and_unknown_names_are_explained() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>(), Ok(format));
    }
    assert!("xml"
        .parse::<Format>()
        .unwrap_err()
        .contains("use one of jsonl, edn, jepsen-txt, porcupine-log, porcupine-kv"));
}

/// Jepsen's `:time` goes backwards between processes (each worker stamps its own op): the file
/// order is the real-time order, the times are kept for display, and nothing is refused.
#[test]
fn edn_time_going_backwards_keeps_file_order() {
    let text = "{:time 5, :process 0, :type :invoke, :f :write, :value 1}\n\
                {:time 4, :process 1, :type :invoke, :f :read, :value nil}\n\
                {:time 9, :process 0, :type :ok, :f :write, :value 1}\n\
                {:time 8, :process 1, :type :ok, :f :read, :value 1}\n";
    let h = Format::JepsenEdn
        .parse(text)
        .expect("backwards times are accepted");
    let times: Vec<u64> = h.events().iter().map(|e| e.time).collect();
    assert_eq!(times, [5, 4, 9, 8]);
    let ids: Vec<u64> = h.operations.iter().map(|op| op.id).collect();
    assert_eq!(ids, [0, 1]);
    // Frenzy's own JSONL keeps its strict check.
    let jsonl = "{\"index\":0,\"time\":5,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n\
                 {\"index\":1,\"time\":4,\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n";
    let e = Format::Jsonl.parse(jsonl).unwrap_err();
    assert!(e.message.contains("time goes backwards"), "{e}");
}

/// A Porcupine log value nested past the limit is refused in one sentence, not a stack overflow.
#[test]
fn deeply_nested_log_value_is_refused() {
    let text = format!(
        "INFO  jepsen.util - 0\t:invoke\t:write\t{}",
        "[".repeat(50_000)
    );
    let e = Format::PorcupineLog.parse(&text).unwrap_err();
    assert!(e.message.contains("nests deeper than"), "{e}");
}

/// Porcupine/Jepsen log lines of the nemesis are kept as nemesis events, not refused.
#[test]
fn porcupine_log_nemesis_lines_are_nemesis_events() {
    let text = "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n\
                INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
                INFO  jepsen.util - :nemesis\t:info\t:start\t[:isolated {\"n1\" #{\"n2\"}}]\n\
                INFO  jepsen.util - 0\t:ok\t:read\tnil\n";
    let h = Format::detect(text)
        .expect("detected")
        .parse(text)
        .expect("nemesis lines are read");
    let nemesis: Vec<&str> = h
        .nemesis
        .iter()
        .filter(|e| e.process == Process::Nemesis)
        .map(|e| e.f.as_str())
        .collect();
    assert_eq!(nemesis, ["start", "start"]);
    assert_eq!(h.operations.len(), 1);
}

/// Jepsen's history.txt is detected from its content and read; a line of another shape gets one
/// sentence naming its line.
#[test]
fn jepsen_history_txt_is_detected_and_bad_lines_are_named() {
    let text = ":nemesis\t:info\t:start-partition\t:majorities-ring\n\
                3\t:invoke\t:write\t[:k 1]\n\
                3\t:info\t:write\t[:k 1]\t:timeout\n";
    assert_eq!(Format::detect(text), Some(Format::JepsenTxt));
    let h = Format::JepsenTxt.parse(text).expect("reads");
    assert_eq!(h.events()[0].process, Process::Nemesis);
    assert_eq!(h.operations[0].input, json!({"key": "k", "value": 1}));
    let cases = [
        ("3\t:invoke\n", "the line has 2 tab-separated fields"),
        ("x\t:invoke\t:read\tnil\n", "process \"x\" is neither"),
        ("3\t:begin\t:read\tnil\n", "unknown type \":begin\""),
        ("3\t:invoke\t:read\t[1\n", "is not EDN"),
    ];
    for (line, message) in cases {
        let e = Format::JepsenTxt.parse(line).unwrap_err();
        assert_eq!(e.line, 1, "{line:?}");
        assert!(e.message.contains(message), "{line:?}: {e}");
    }
}
