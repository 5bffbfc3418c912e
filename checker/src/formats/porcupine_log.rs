//! Porcupine's `jepsen/etcd_NNN.log` test data: Jepsen `jepsen.util` log lines of a single CAS
//! register, `INFO  jepsen.util - <process> <type> <f> <value>`, separated by tabs or spaces.
//!
//! The lines carry no time: history order stands in for it (event `i` gets time `i`).
//! Fail and info follow the reading Porcupine's own parser gives these logs:
//! - `:fail :cas [from to]`: the CAS ran and compared unequal -> an `ok` cas with value
//!   `{"swapped": false}`, not "did not happen";
//! - `:fail :read :timed-out`: the read's result is unknown -> a `fail` read. A read changes
//!   nothing, so "did not happen" and "unknown" give the same verdict, and `fail` keeps the
//!   process usable, as the log goes on using it (an `info` would retire it);
//! - `:info <f> :timed-out`: unknown -> `info`, repeating the invocation's value;
//! - any other `:fail`: did not happen -> `fail`, with the invocation's value;
//! - `:nemesis` lines (`INFO  jepsen.util - :nemesis :info :start nil`) -> nemesis events, kept
//!   for reports and never operations.

use super::edn_value::{keyword_name, to_json};
use crate::history::{Event, EventType, History, Process};
use crate::validate::HistoryError;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Parses a whole log into a validated history.
pub fn parse(text: &str) -> Result<History, HistoryError> {
    let mut events = Vec::new();
    let mut lines = Vec::new();
    let mut invoked: HashMap<u64, Value> = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fail = |message: String| HistoryError {
            line: number + 1,
            message,
        };
        let (process, kind, f, value) = split_line(line).map_err(fail)?;
        let Some(process) = process else {
            let position = events.len() as u64;
            events.push(Event {
                index: position,
                time: position,
                process: Process::Nemesis,
                kind: EventType::Info,
                f: keyword_name(f).into(),
                value: value.into(),
            });
            lines.push(number + 1);
            continue;
        };
        let (kind, value) = match (kind, f) {
            (":invoke", _) => {
                invoked.insert(process, value.clone());
                (EventType::Invoke, value)
            }
            (":ok", _) => (EventType::Ok, value),
            (":fail", ":cas") => (EventType::Ok, json!({ "swapped": false })),
            (":fail", _) => (EventType::Fail, invoked_value(&invoked, process)),
            (":info", _) => (EventType::Info, invoked_value(&invoked, process)),
            (other, _) => {
                return Err(fail(format!(
                    "unknown type {other}; the type must be :invoke, :ok, :fail or :info"
                )))
            }
        };
        let position = events.len() as u64;
        events.push(Event {
            index: position,
            time: position,
            process: Process::Client(process),
            kind,
            f: keyword_name(f).into(),
            value: value.into(),
        });
        lines.push(number + 1);
    }
    History::from_foreign_events_at_lines(events, &lines)
}

/// The value `process` last invoked with (`null` if none: validation then names the line).
fn invoked_value(invoked: &HashMap<u64, Value>, process: u64) -> Value {
    invoked.get(&process).cloned().unwrap_or(Value::Null)
}

/// Splits a log line into process (`None`: the nemesis), type, f and the value (read as EDN).
fn split_line(line: &str) -> Result<(Option<u64>, &str, &str, Value), String> {
    let shape = "a Porcupine Jepsen log line looks like `INFO  jepsen.util - 3 :invoke :cas [1 2]`";
    let rest = line
        .strip_prefix("INFO")
        .and_then(|rest| rest.trim_start().strip_prefix("jepsen.util"))
        .and_then(|rest| rest.trim_start().strip_prefix('-'))
        .ok_or_else(|| format!("not a jepsen.util log line; {shape}"))?;
    let (process, rest) = token(rest);
    let (kind, rest) = token(rest);
    let (f, value) = token(rest);
    let process = match process {
        ":nemesis" => None,
        number => Some(number.parse::<u64>().map_err(|_| {
            format!("process {number:?} is neither a non-negative integer nor :nemesis; {shape}")
        })?),
    };
    if f.is_empty() || value.trim().is_empty() {
        return Err(format!("the line is missing its f or value; {shape}"));
    }
    super::edn_depth::check_nesting(value).map_err(|e| e.message)?;
    let value = clojure_reader::edn::read_string(value.trim())
        .map_err(|e| format!("the value {:?} is not EDN ({e:?})", value.trim()))?;
    Ok((process, kind, f, to_json(&value)))
}

/// The first whitespace-separated token of `s` and what follows it.
fn token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    s.split_once(char::is_whitespace).unwrap_or((s, ""))
}
