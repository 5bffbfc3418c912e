//! Property tests: random valid histories survive JSONL and Jepsen EDN round-trips unchanged.

use checker::formats::{write_jepsen_edn, Format};
use checker::history::{Event, EventType, History, Process};
use checker::json::Json;
use checker::jsonl::{read_history, write_events};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Any JSON value EDN can also hold: integers within i64, floats, any strings and keys.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Quarters print and parse exactly (serde_json's default float parsing may drift in the
        // last bit on long fractions).
        (-1_000_000i64..1_000_000).prop_map(|q| Value::from(q as f64 / 4.0)),
        "(?s).{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_/ 0-9-]{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One step of a random history: which process acts (as a choice among the live ones), what it
/// completes with if it has an open operation, the value, and the time that passes.
type Step = (usize, u8, Value, u64, bool);

/// Builds a valid history from random steps: processes invoke and complete one operation at a
/// time; an `info` retires the process for a fresh one; some steps are nemesis events; some
/// operations stay pending.
fn history_from(steps: Vec<Step>) -> Vec<Event> {
    let mut live: Vec<(u64, bool)> = (0..4).map(|p| (p, false)).collect();
    let mut next_process = 4;
    let mut events = Vec::new();
    let mut time = 0;
    for (choice, outcome, value, dt, nemesis) in steps {
        time += dt;
        let (process, kind) = if nemesis {
            (Process::Nemesis, EventType::Info)
        } else {
            let slot = choice % live.len();
            let (p, open) = live[slot];
            let kind = match (open, outcome % 3) {
                (false, _) => EventType::Invoke,
                (true, 0) => EventType::Ok,
                (true, 1) => EventType::Fail,
                (true, _) => EventType::Info,
            };
            live[slot] = match kind {
                EventType::Invoke => (p, true),
                EventType::Info => {
                    next_process += 1;
                    (next_process - 1, false)
                }
                _ => (p, false),
            };
            (Process::Client(p), kind)
        };
        events.push(Event {
            index: events.len() as u64,
            time,
            process,
            kind,
            f: if nemesis { "start-partition" } else { "op" }.into(),
            value: value.into(),
        });
    }
    events
}

/// Random histories in which some client value is not a `[k v]` pair: an EDN history whose every
/// value is a pair is read as a Jepsen `independent` history (docs/history-format.md).
fn histories() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        (
            0usize..8,
            any::<u8>(),
            json_value(),
            0u64..1_000_000,
            prop::bool::weighted(0.1),
        ),
        0..40,
    )
    .prop_map(history_from)
    .prop_filter("not every client value a pair", |events| {
        let pair = |v: &Json| v.as_array().is_some_and(|a| a.len() == 2);
        !events
            .iter()
            .filter(|e| e.process != Process::Nemesis)
            .all(|e| pair(&e.value))
    })
}

proptest! {
    #[test]
    fn jsonl_round_trips(events in histories()) {
        let history = History::from_events(events.clone()).unwrap();
        let mut text = Vec::new();
        write_events(&events, &mut text).unwrap();
        prop_assert_eq!(read_history(text.as_slice()).unwrap(), history);
    }

    #[test]
    fn edn_export_round_trips(events in histories()) {
        let history = History::from_events(events.clone()).unwrap();
        let mut text = Vec::new();
        write_jepsen_edn(&events, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        prop_assert_eq!(Format::detect(&text).unwrap_or(Format::JepsenEdn), Format::JepsenEdn);
        prop_assert_eq!(Format::JepsenEdn.parse(&text).unwrap(), history);
    }
}
