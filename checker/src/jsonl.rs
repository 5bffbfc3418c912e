//! history.jsonl, Frenzy's own format: one JSON event per line (docs/history-format.md).
//! A streaming reader, a parallel whole-file reader, and a writer that flushes every event so a crash leaves a checkable file.

use crate::history::{Event, History};
use crate::validate::HistoryError;
use rayon::prelude::*;
use serde_json::Value;
use std::io::{self, BufRead, Write};

/// Reads events one line at a time; blank lines are skipped. Yields each event with its 1-based line.
pub struct JsonlReader<R> {
    input: R,
    line: usize,
    buffer: String,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        JsonlReader {
            input,
            line: 0,
            buffer: String::new(),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<(usize, Event), HistoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            self.line += 1;
            match self.input.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) if self.buffer.trim().is_empty() => continue,
                Ok(_) => {
                    return Some(
                        parse_event(self.buffer.trim_end())
                            .map(|event| (self.line, event))
                            .map_err(|message| HistoryError {
                                line: self.line,
                                message,
                            }),
                    )
                }
                Err(e) => {
                    return Some(Err(HistoryError {
                        line: self.line,
                        message: format!("cannot read the line: {e}"),
                    }))
                }
            }
        }
    }
}

/// Parses one JSONL line into an event, or says in one sentence what is wrong with it.
fn parse_event(line: &str) -> Result<Event, String> {
    serde_json::from_str::<Event>(line).map_err(|error| explain(line, error))
}

/// The reason a line is not an event, in terms of the format rather than of serde.
fn explain(line: &str, error: serde_json::Error) -> String {
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return format!("not valid JSON ({e}); each line must be one JSON object"),
    };
    let Some(object) = value.as_object() else {
        return "not a JSON object; each line must be one event object".into();
    };
    if let Some(kind) = object.get("type") {
        if !matches!(kind.as_str(), Some("invoke" | "ok" | "fail" | "info")) {
            return format!("unknown type {kind}; the type must be invoke, ok, fail or info");
        }
    }
    format!("not a history event ({error}); an event has index, time, process, type, f and value")
}

/// Bytes of the file parsed at a time, in parallel.
const CHUNK: usize = 4 << 20;

/// Reads a whole JSONL history and validates it; errors name the file's line. Lines are parsed
/// in parallel, a few megabytes at a time.
pub fn read_history<R: BufRead>(mut input: R) -> Result<History, HistoryError> {
    let mut events = Vec::new();
    let mut lines = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK + (64 << 10));
    let mut first_line = 1;
    loop {
        chunk.clear();
        while chunk.len() < CHUNK {
            let read = input
                .read_until(b'\n', &mut chunk)
                .map_err(|e| HistoryError {
                    line: first_line,
                    message: format!("cannot read the file: {e}"),
                })?;
            if read == 0 {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let text = std::str::from_utf8(&chunk).map_err(|e| HistoryError {
            line: first_line
                + chunk[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count(),
            message: "not UTF-8 text; a history is UTF-8 JSON, one event per line".into(),
        })?;
        let batch: Vec<(usize, &str)> = text
            .split('\n')
            .enumerate()
            .map(|(i, line)| (first_line + i, line.trim_end()))
            .filter(|(_, line)| !line.trim_start().is_empty())
            .collect();
        first_line += text.matches('\n').count();
        let parsed: Vec<Result<Event, String>> = batch
            .par_iter()
            .map(|(_, line)| parse_event(line))
            .collect();
        for ((line, _), event) in batch.iter().zip(parsed) {
            events.push(event.map_err(|message| HistoryError {
                line: *line,
                message,
            })?);
            lines.push(*line);
        }
    }
    History::from_events_at_lines(events, &lines)
}

/// Appends events one per line and flushes each one, so a crash or Ctrl-C leaves every event
/// written so far on disk in a history that can be checked.
pub struct HistoryWriter<W: Write> {
    output: W,
}

impl HistoryWriter<io::BufWriter<std::fs::File>> {
    /// Creates (or truncates) the file at `path` and writes to it.
    pub fn create(path: &std::path::Path) -> io::Result<Self> {
        Ok(HistoryWriter::new(io::BufWriter::new(
            std::fs::File::create(path)?,
        )))
    }
}

impl<W: Write> HistoryWriter<W> {
    /// A writer over `output`.
    pub fn new(output: W) -> Self {
        HistoryWriter { output }
    }

    /// Writes `event` as one line and flushes it.
    pub fn append(&mut self, event: &Event) -> io::Result<()> {
        write_line(&mut self.output, event)?;
        self.output.flush()
    }

    /// Gives back the underlying output.
    pub fn into_inner(self) -> W {
        self.output
    }
}

/// Writes `events` as a JSONL history to `output` (flushing once at the end).
pub fn write_events<W: Write>(events: &[Event], output: W) -> io::Result<()> {
    let mut output = io::BufWriter::new(output);
    for event in events {
        write_line(&mut output, event)?;
    }
    output.flush()
}

/// Writes one event and its newline.
fn write_line<W: Write>(output: &mut W, event: &Event) -> io::Result<()> {
    serde_json::to_writer(&mut *output, event)?;
    output.write_all(b"\n")
}
