//! Writing a history as Jepsen EDN, one operation map per line, for Jepsen's own tools.
//!
//! When every client value is `{"key": K, "value": V}` (keyed registers, kv), values are written
//! as Jepsen `independent` tuples `[K V]`, the shape Knossos expects; otherwise as EDN maps.

use super::edn_value::{write_edn, write_key};
use crate::history::{Event, EventType, Process};
use crate::json::Json;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes `events` to `output` as EDN, one map per line.
pub fn write_jepsen_edn<W: Write>(events: &[Event], output: W) -> io::Result<()> {
    let tuples = events
        .iter()
        .filter(|e| e.process != Process::Nemesis)
        .all(|e| keyed(&e.value).is_some());
    let mut output = io::BufWriter::new(output);
    let mut line = String::new();
    for event in events {
        line.clear();
        let _ = write!(
            line,
            "{{:index {}, :time {}, :process ",
            event.index, event.time
        );
        match event.process {
            Process::Client(p) => {
                let _ = write!(line, "{p}");
            }
            Process::Nemesis => line.push_str(":nemesis"),
        }
        line.push_str(", :type ");
        line.push_str(match event.kind {
            EventType::Invoke => ":invoke",
            EventType::Ok => ":ok",
            EventType::Fail => ":fail",
            EventType::Info => ":info",
        });
        line.push_str(", :f ");
        write_key(&mut line, &event.f);
        line.push_str(", :value ");
        match keyed(&event.value).filter(|_| tuples && event.process != Process::Nemesis) {
            Some((key, value)) => {
                line.push('[');
                write_edn(&mut line, &key.to_value());
                line.push(' ');
                write_edn(&mut line, &value.to_value());
                line.push(']');
            }
            None => write_edn(&mut line, &event.value.to_value()),
        }
        line.push_str("}\n");
        output.write_all(line.as_bytes())?;
    }
    output.flush()
}

/// The key and value of a `{"key": K, "value": V}` object with exactly those two fields.
fn keyed(value: &Json) -> Option<(&Json, &Json)> {
    value.as_object().filter(|o| o.len() == 2)?;
    Some((value.get("key")?, value.get("value")?))
}
