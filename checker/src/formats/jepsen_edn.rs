//! Jepsen and Knossos `history.edn` (and Porcupine's kv files, the same shape with a `:key`).
//!
//! Accepted shapes: one operation map per line; one vector or list of maps; maps spanning several
//! lines; `;` comments; `#jepsen.history.Op{...}` tagged records. The forms are read by
//! clojure-reader; this module only finds where each form starts, to name its line in errors.
//!
//! Mapping to Frenzy events (docs/history-format.md):
//! - `:type` `:invoke`/`:ok`/`:fail`/`:info` keep Jepsen's meaning (`:fail` = did not happen);
//! - `:process` is an integer, or `:nemesis`;
//! - the file order is the real-time order, as Jepsen and Knossos read it: `:index` is ignored and
//!   events are numbered densely in file order; `:time` is kept for display when every event has
//!   one (it may go backwards: each worker stamps its own events), otherwise event `i` gets time `i`;
//! - a `:key` entry (Porcupine kv) folds into the value: `{"key": K, "value": V}`;
//! - Jepsen `independent` histories, where every client value is a `[k v]` tuple (and every cas
//!   argument a `[k [from to]]`), become `{"key": k, "value": v}`;
//! - other entries (`:error`, `:node`, ...) are dropped.

use super::edn_depth::check_nesting;
use super::edn_value::{event_type, keyword_name, to_json};
use crate::history::{Event, EventType, History, Process};
use crate::json::{Json, Text};
use crate::validate::HistoryError;
use clojure_reader::edn::Edn;
use serde_json::{json, Value};

/// Parses EDN text into a validated history.
pub fn parse(text: &str) -> Result<History, HistoryError> {
    check_nesting(text)?;
    let forms = read_forms(text)?;
    let mut events = Vec::with_capacity(forms.len());
    let mut times = Vec::with_capacity(forms.len());
    let mut lines = Vec::with_capacity(forms.len());
    for (line, form) in &forms {
        let (event, time) =
            to_event(form, events.len() as u64).map_err(|message| HistoryError {
                line: *line,
                message,
            })?;
        events.push(event);
        times.push(time);
        lines.push(*line);
    }
    if times.iter().all(Option::is_some) {
        for (event, time) in events.iter_mut().zip(times) {
            event.time = time.unwrap_or(event.time);
        }
    }
    key_independent_tuples(&mut events);
    History::from_foreign_events_at_lines(events, &lines)
}

/// Every top-level form of `text` (or every element of its one top-level vector or list), with the
/// 1-based line where it starts.
fn read_forms(text: &str) -> Result<Vec<(usize, Edn<'_>)>, HistoryError> {
    let mut lines = LineCounter::new(text);
    let mut rest = skip_trivia(text);
    let close = match rest.chars().next() {
        Some('[') => Some(']'),
        Some('(') => Some(')'),
        _ => None,
    };
    if close.is_some() {
        rest = &rest[1..];
    }
    let mut forms = Vec::new();
    loop {
        rest = skip_trivia(rest);
        let line = lines.line_at(text.len() - rest.len());
        if let Some(close) = close.filter(|c| rest.starts_with(*c)) {
            let trailing = skip_trivia(&rest[1..]);
            if !trailing.is_empty() {
                return Err(HistoryError {
                    line: lines.line_at(text.len() - trailing.len()),
                    message: format!(
                        "text follows the closing {close} of the history; a history is one \
                         vector of operations or one operation map per line"
                    ),
                });
            }
            return Ok(forms);
        }
        if rest.is_empty() {
            return match close {
                Some(close) => Err(HistoryError {
                    line,
                    message: format!("the history ends before its closing {close}"),
                }),
                None => Ok(forms),
            };
        }
        let (form, remaining) = clojure_reader::edn::read(rest).map_err(|e| HistoryError {
            line,
            message: format!(
                "the form starting here is not valid EDN ({:?} at line {}, column {}); each \
                 operation must be a map like {{:process 0, :type :invoke, :f :read, :value nil}}",
                e.code,
                line + e.line.unwrap_or(1) - 1,
                e.column.unwrap_or(1)
            ),
        })?;
        forms.push((line, form));
        rest = remaining;
    }
}

/// Counts lines up to increasing byte offsets in one pass.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset` (offsets must not decrease between calls).
    fn line_at(&mut self, offset: usize) -> usize {
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// `s` without leading whitespace, commas and `;` comments.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        match s.strip_prefix(';') {
            Some(comment) => s = comment.split_once('\n').map_or("", |(_, next)| next),
            None => return s,
        }
    }
}

/// One operation map as an event numbered `index`, and its `:time` if it has one.
fn to_event(form: &Edn<'_>, index: u64) -> Result<(Event, Option<u64>), String> {
    let map = match form {
        Edn::Tagged(_, inner) => inner.as_ref(),
        other => other,
    };
    let Edn::Map(entries) = map else {
        return Err(format!(
            "expected an operation map like {{:process 0, :type :invoke, :f :read, :value nil}}, \
             found {form}"
        ));
    };
    let field = |name: &str| {
        entries.iter().find_map(|(k, v)| match k {
            Edn::Key(k) if keyword_name(k) == name => Some(v),
            _ => None,
        })
    };
    let process = match field("process") {
        Some(Edn::Int(p)) if *p >= 0 => Process::Client(*p as u64),
        Some(Edn::Key(k) | Edn::Str(k)) if keyword_name(k) == "nemesis" => Process::Nemesis,
        Some(other) => {
            return Err(format!(
                ":process {other} is neither a non-negative integer nor :nemesis"
            ))
        }
        None => return Err("the operation has no :process".into()),
    };
    let kind = match field("type").map(to_json) {
        Some(kind) => kind.as_str().and_then(event_type).ok_or_else(|| {
            format!("unknown type {kind}; the type must be :invoke, :ok, :fail or :info")
        })?,
        None => return Err("the operation has no :type".into()),
    };
    let f = match field("f").map(to_json) {
        Some(Value::String(f)) => f,
        Some(other) => other.to_string(),
        None => return Err("the operation has no :f".into()),
    };
    let mut value = field("value").map_or(Value::Null, to_json);
    if let Some(key) = field("key") {
        value = json!({ "key": to_json(key), "value": value });
    }
    let time = match field("time") {
        Some(Edn::Int(t)) if *t >= 0 => Some(*t as u64),
        Some(other) => return Err(format!(":time {other} is not a non-negative integer")),
        None => None,
    };
    let event = Event {
        index,
        time: index,
        process,
        kind,
        f: f.into(),
        value: value.into(),
    };
    Ok((event, time))
}

/// Rewrites Jepsen `independent` `[k v]` tuples as `{"key": k, "value": v}`, when every client
/// event's value is such a tuple and every cas argument is `[k [from to]]`.
pub(super) fn key_independent_tuples(events: &mut [Event]) {
    let pair = |v: &Json| v.as_array().filter(|a| a.len() == 2).is_some();
    let mut clients = events
        .iter()
        .filter(|e| e.process != Process::Nemesis)
        .peekable();
    let independent = clients.peek().is_some()
        && clients.all(|e| {
            pair(&e.value) && (e.f != "cas" || e.kind != EventType::Invoke || pair(&e.value[1]))
        });
    if !independent {
        return;
    }
    for event in events.iter_mut().filter(|e| e.process != Process::Nemesis) {
        if let Some([key, value]) = event.value.as_array() {
            event.value = Json::object(vec![
                (Text::new("key"), key.clone()),
                (Text::new("value"), value.clone()),
            ]);
        }
    }
}
