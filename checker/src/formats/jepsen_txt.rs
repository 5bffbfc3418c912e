//! Jepsen's `history.txt`, the tab-separated text Jepsen writes next to `history.edn`:
//! `<process>\t<type>\t<f>\t<value>[\t<error>]`, one event per line, e.g.
//! `3\t:ok\t:read\t[[:r 9 1]]` or `:nemesis\t:info\t:start-partition\t:majorities-ring`.
//!
//! Read as Jepsen EDN is (see `jepsen_edn`): the file order is the real-time order (there are no
//! times: event `i` gets time `i`), values are EDN read as JSON, `independent` `[k v]` tuples
//! become keyed values, and the error field is dropped.

use super::edn_depth::check_nesting;
use super::edn_value::{event_type, keyword_name, to_json};
use super::jepsen_edn::key_independent_tuples;
use crate::history::{Event, History, Process};
use crate::validate::HistoryError;

/// Whether `line` looks like a `history.txt` line: a process, a tab and a `:type`.
pub fn looks_like(line: &str) -> bool {
    let mut fields = line.split('\t');
    let process = fields.next().unwrap_or("");
    let kind = fields.next().unwrap_or("");
    (process == ":nemesis" || process.parse::<u64>().is_ok()) && event_type(kind).is_some()
}

/// Parses a whole `history.txt` into a validated history.
pub fn parse(text: &str) -> Result<History, HistoryError> {
    let mut events = Vec::new();
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |message: String| HistoryError {
            line: number + 1,
            message,
        };
        let position = events.len() as u64;
        events.push(event(line, position).map_err(at)?);
        lines.push(number + 1);
    }
    key_independent_tuples(&mut events);
    History::from_foreign_events_at_lines(events, &lines)
}

/// One line as the event at `position`.
fn event(line: &str, position: u64) -> Result<Event, String> {
    let shape =
        "a history.txt line is `<process>\\t<type>\\t<f>\\t<value>`, e.g. `3\\t:ok\\t:read\\t1`";
    let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
    let [process, kind, f, value, ..] = fields[..] else {
        return Err(format!(
            "the line has {} tab-separated fields, not 4 or 5; {shape}",
            fields.len()
        ));
    };
    let process = match process {
        ":nemesis" => Process::Nemesis,
        number => Process::Client(number.parse().map_err(|_| {
            format!("process {number:?} is neither a non-negative integer nor :nemesis; {shape}")
        })?),
    };
    let kind = event_type(kind).ok_or_else(|| {
        format!("unknown type {kind:?}; the type must be :invoke, :ok, :fail or :info")
    })?;
    check_nesting(value).map_err(|e| e.message)?;
    let value = clojure_reader::edn::read_string(value.trim()).map_err(|e| {
        format!(
            "the value {:?} is not EDN ({:?}); {shape}",
            value.trim(),
            e.code
        )
    })?;
    Ok(Event {
        index: position,
        time: position,
        process,
        kind,
        f: keyword_name(f).into(),
        value: to_json(&value).into(),
    })
}
