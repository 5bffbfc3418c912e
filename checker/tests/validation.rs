//! History validation: pairing events into operations, and one clear error per malformed input.

use checker::formats::Format;
use checker::history::{Event, EventType, History, Outcome, Process};
use checker::validate::HistoryError;
use serde_json::{json, Value};

/// An event at position `index` with time `10 * index`.
fn event(index: u64, process: Process, kind: EventType, f: &str, value: Value) -> Event {
    Event {
        index,
        time: index * 10,
        process,
        kind,
        f: f.into(),
        value: value.into(),
    }
}

use EventType::{Fail, Info, Invoke, Ok};
use Process::{Client, Nemesis};

/// Asserts that `from_events` rejects `events` at `line` with a message containing `fragment`.
fn assert_rejected(events: Vec<Event>, line: usize, fragment: &str) {
    let e: HistoryError = match History::from_events(events) {
        Err(e) => e,
        Result::Ok(h) => panic!("expected an error, got {h:?}"),
    };
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains(fragment), "{e}");
}

#[test]
fn pairs_invocations_with_completions_and_keeps_nemesis_events_apart() {
    let history = History::from_events(vec![
        event(0, Client(1), Invoke, "write", json!(3)),
        event(1, Client(2), Invoke, "read", Value::Null),
        event(2, Nemesis, Info, "start-partition", json!("majority")),
        event(3, Client(2), Ok, "read", json!(3)),
        event(4, Client(1), Info, "write", json!(3)),
        event(5, Client(3), Invoke, "cas", json!([3, 4])),
        event(6, Client(3), Fail, "cas", json!([3, 4])),
        event(7, Client(4), Invoke, "read", Value::Null),
    ])
    .unwrap();
    assert_eq!(history.events().len(), 8);
    let summary: Vec<_> = history
        .operations
        .iter()
        .map(|op| {
            (
                op.id,
                op.completion,
                op.process,
                op.outcome,
                op.call,
                op.ret,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, Some(4), 1, Outcome::Info, 0, Some(40)),
            (1, Some(3), 2, Outcome::Ok, 10, Some(30)),
            (5, Some(6), 3, Outcome::Fail, 50, Some(60)),
            (7, None, 4, Outcome::Pending, 70, None),
        ]
    );
    assert_eq!(history.operations[1].output, json!(3));
    assert_eq!(history.operations[2].input, json!([3, 4]));
    let counts = history.op_counts();
    assert_eq!(
        (
            counts.invoke,
            counts.ok,
            counts.fail,
            counts.info,
            counts.pending,
            counts.nemesis
        ),
        (4, 1, 1, 1, 1, 1)
    );
}

#[test]
fn sub_history_keeps_the_chosen_operations_reindexed_densely() {
    let history = History::from_events(vec![
        event(0, Client(1), Invoke, "write", json!(1)),
        event(1, Client(2), Invoke, "read", Value::Null),
        event(2, Nemesis, Info, "kill", Value::Null),
        event(3, Client(1), Ok, "write", json!(1)),
        event(4, Client(2), Ok, "read", json!(1)),
        event(5, Client(3), Invoke, "read", Value::Null),
    ])
    .unwrap();
    let sub = History::from_events(history.sub_history_events(&[1, 5, 99])).unwrap();
    let shape: Vec<_> = sub
        .events()
        .iter()
        .map(|e| (e.index, e.time, e.process, e.kind))
        .collect();
    assert_eq!(
        shape,
        vec![
            (0, 10, Client(2), Invoke),
            (1, 40, Client(2), Ok),
            (2, 50, Client(3), Invoke)
        ]
    );
    assert_eq!(sub.op_counts().pending, 1);
}

#[test]
fn completion_without_invocation_is_rejected() {
    assert_rejected(
        vec![
            event(0, Client(1), Invoke, "read", Value::Null),
            event(1, Client(2), Ok, "read", json!(1)),
        ],
        2,
        "process 2 completes an operation (read) it never invoked",
    );
}

#[test]
fn two_open_invocations_on_one_process_are_rejected() {
    assert_rejected(
        vec![
            event(0, Client(1), Invoke, "read", Value::Null),
            event(1, Client(1), Invoke, "write", json!(2)),
        ],
        2,
        "process 1 invokes write while its read invoked at index 0 is still open",
    );
}

#[test]
fn process_reused_after_info_is_rejected() {
    assert_rejected(
        vec![
            event(0, Client(1), Invoke, "write", json!(1)),
            event(1, Client(1), Info, "write", json!(1)),
            event(2, Client(1), Invoke, "read", Value::Null),
        ],
        3,
        "process 1 is used again after its operation ended with info",
    );
}

#[test]
fn time_going_backwards_is_rejected() {
    let mut events = vec![
        event(0, Client(1), Invoke, "read", Value::Null),
        event(1, Client(1), Ok, "read", Value::Null),
    ];
    events[1].time = 5;
    events[0].time = 9;
    assert_rejected(
        events,
        2,
        "time goes backwards: 5 ns is before the previous event's 9 ns",
    );
}

#[test]
fn completion_naming_another_function_is_rejected() {
    assert_rejected(
        vec![
            event(0, Client(1), Invoke, "read", Value::Null),
            event(1, Client(1), Ok, "write", json!(1)),
        ],
        2,
        "completes write but invoked read at index 0",
    );
}

#[test]
fn index_out_of_order_is_rejected() {
    assert_rejected(
        vec![event(3, Client(1), Invoke, "read", Value::Null)],
        1,
        "event has index 3 but is event number 0",
    );
}

/// The error `Format::Jsonl` gives for `text`, rendered.
fn jsonl_error(text: &str) -> String {
    match Format::Jsonl.parse(text) {
        Err(e) => e.to_string(),
        Result::Ok(h) => panic!("expected an error, got {h:?}"),
    }
}

#[test]
fn jsonl_unknown_type_names_its_line() {
    let text = "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n\n\
                {\"index\":1,\"time\":2,\"process\":0,\"type\":\"done\",\"f\":\"read\",\"value\":1}\n";
    assert_eq!(
        jsonl_error(text),
        "line 3: unknown type \"done\"; the type must be invoke, ok, fail or info"
    );
}

#[test]
fn jsonl_validation_errors_name_the_file_line_past_blank_lines() {
    let text =
        "\n{\"index\":0,\"time\":1,\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n";
    assert!(jsonl_error(text)
        .starts_with("line 2: process 0 completes an operation (read) it never invoked"));
}

#[test]
fn jsonl_bad_json_and_missing_fields_are_explained() {
    assert!(jsonl_error("{\"index\":0,").starts_with("line 1: not valid JSON"));
    assert!(jsonl_error("[1,2]").starts_with("line 1: not a JSON object"));
    let missing = jsonl_error("{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\"}");
    assert!(missing.contains("missing field `f`"), "{missing}");
    let process =
        jsonl_error("{\"index\":0,\"time\":1,\"process\":-1,\"type\":\"invoke\",\"f\":\"read\"}");
    assert!(
        process.contains("process must be a non-negative integer"),
        "{process}"
    );
}
