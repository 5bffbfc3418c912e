//! history.jsonl, Frenzy's own format: one JSON event per line (docs/history-format.md).
//! A streaming reader, a parallel whole-file reader, and a writer that flushes every event so a crash leaves a checkable file.

use crate::history::{Event, EventType, History, Process};
use crate::json::{Json, Text};
use crate::validate::{HistoryBuilder, HistoryError};
use rayon::prelude::*;
use serde_json::Value;
use std::io::{self, BufRead, Write};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Reads events one line at a time; blank lines are skipped. Yields each event with its 1-based line.
pub struct JsonlReader<R> {
    input: R,
    line: usize,
    buffer: Vec<u8>,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        JsonlReader {
            input,
            line: 0,
            buffer: Vec::new(),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<(usize, Event), HistoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            self.line += 1;
            let line = self.line;
            let fail = |message| Some(Err(HistoryError { line, message }));
            match read_line_bounded(&mut self.input, &mut self.buffer) {
                Ok(LineRead::End) => return None,
                Ok(LineRead::TooLong) => return Some(Err(too_long(line))),
                Err(e) => return fail(format!("cannot read the line: {e}")),
                Ok(LineRead::Line) => {}
            }
            let Ok(text) = std::str::from_utf8(&self.buffer) else {
                return fail("not UTF-8 text; a history is UTF-8 JSON, one event per line".into());
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(
                parse_event(text.trim_end())
                    .map(|event| (line, event))
                    .map_err(|message| HistoryError { line, message }),
            );
        }
    }
}

/// The longest line a history may have: an event is a few hundred bytes; a longer line means the
/// file is not a history (`/dev/zero`, a binary file) and reading it whole would exhaust memory.
pub const MAX_LINE: usize = 16 << 20;

/// What [`read_line_bounded`] found.
enum LineRead {
    /// The end of the input.
    End,
    /// A line (with its newline, unless it ends the input) was appended.
    Line,
    /// The line is longer than [`MAX_LINE`].
    TooLong,
}

/// Appends the next line of `input` to `buffer`, reading no more than [`MAX_LINE`] bytes of it.
fn read_line_bounded<R: BufRead>(input: &mut R, buffer: &mut Vec<u8>) -> io::Result<LineRead> {
    let mut taken = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if taken == 0 {
                LineRead::End
            } else {
                LineRead::Line
            });
        }
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if taken + used > MAX_LINE + 1 {
            return Ok(LineRead::TooLong);
        }
        buffer.extend_from_slice(&available[..used]);
        input.consume(used);
        taken += used;
        if done {
            return Ok(LineRead::Line);
        }
    }
}

/// The error for a line longer than [`MAX_LINE`].
fn too_long(line: usize) -> HistoryError {
    HistoryError {
        line,
        message: format!(
            "the line is longer than {} MiB, the longest line a history may have; a history has \
             one JSON event per line, so this file is not one (is it binary, or /dev/zero?)",
            MAX_LINE >> 20
        ),
    }
}

/// Parses one JSONL line into an event, or says in one sentence what is wrong with it.
fn parse_event(line: &str) -> Result<Event, String> {
    if let Some(event) = crate::event_line::parse(line) {
        return Ok(event);
    }
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
const CHUNK: usize = 8 << 20;

/// Reads a whole JSONL history and validates it; errors name the file's line. The file is read
/// a few megabytes at a time, cut after its last whole line; each chunk's lines are parsed in
/// parallel and paired into the history while the next chunk is read.
pub fn read_history<R: BufRead + Send>(input: R) -> Result<History, HistoryError> {
    let mut reader = ChunkReader {
        input,
        rest: Vec::new(),
        first_line: 1,
        done: false,
    };
    let mut pairing = Pairing {
        builder: HistoryBuilder::strict(),
        lines: LineMap::default(),
        read: 0,
        events: Vec::new(),
    };
    let mut spare = Chunk::default();
    let mut current = reader.next(std::mem::take(&mut spare))?;
    while let Some(chunk) = current {
        let buffers = std::mem::take(&mut spare);
        let (taken, next) = rayon::join(|| pairing.take(&chunk), || reader.next(buffers));
        // An error in this chunk comes before one found reading the next.
        taken?;
        current = next?;
        spare = chunk;
    }
    Ok(pairing.builder.finish())
}

/// Whole lines of a history file read ahead, as UTF-8 text.
#[derive(Default)]
struct Chunk {
    text: String,
    /// `(1-based line, byte range in text)` of each line that is not blank, its trailing
    /// white space left out.
    lines: Vec<(usize, Range<usize>)>,
}

/// Reads a history file a chunk of whole lines at a time.
struct ChunkReader<R> {
    input: R,
    /// The start of a line the last chunk cut off.
    rest: Vec<u8>,
    /// The line the next chunk starts with.
    first_line: usize,
    /// Whether the input has ended.
    done: bool,
}

impl<R: BufRead> ChunkReader<R> {
    /// The next chunk, in `spare`'s buffers; `None` at the end of the input.
    fn next(&mut self, spare: Chunk) -> Result<Option<Chunk>, HistoryError> {
        if self.done {
            return Ok(None);
        }
        let mut bytes = spare.text.into_bytes();
        bytes.clear();
        bytes.reserve(CHUNK + (64 << 10));
        bytes.append(&mut self.rest);
        self.done = read_whole_lines(&mut self.input, &mut bytes, self.first_line)?;
        if bytes.is_empty() {
            return Ok(None);
        }
        let cut = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(newline) if !self.done => newline + 1,
            _ => bytes.len(),
        };
        self.rest.extend_from_slice(&bytes[cut..]);
        bytes.truncate(cut);
        let text = String::from_utf8(bytes).map_err(|e| HistoryError {
            line: self.first_line + newlines(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            message: "not UTF-8 text; a history is UTF-8 JSON, one event per line".into(),
        })?;
        let mut lines = spare.lines;
        lines.clear();
        let (mut start, mut newlines) = (0, 0);
        for (i, line) in text.split('\n').enumerate() {
            newlines = i;
            let kept = line.trim_end();
            if !kept.trim_start().is_empty() {
                lines.push((self.first_line + i, start..start + kept.len()));
            }
            start += line.len() + 1;
        }
        self.first_line += newlines;
        Ok(Some(Chunk { text, lines }))
    }
}

/// Parses chunks of lines into events and pairs them into the history, in file order.
struct Pairing {
    builder: HistoryBuilder,
    lines: LineMap,
    /// Events taken so far.
    read: usize,
    /// A chunk's events (the buffer is kept from chunk to chunk).
    events: Vec<Event>,
}

impl Pairing {
    /// Takes every event of `chunk` into the history, or names the first line that is wrong, as
    /// reading in order would find it: an event that does not fit the history before it, or a
    /// line that is no event.
    fn take(&mut self, chunk: &Chunk) -> Result<(), HistoryError> {
        let line_text = |range: &Range<usize>| &chunk.text[range.clone()];
        self.lines.note(self.read, &chunk.lines);
        // Parsed on every core; a line that is no event leaves a stand-in and the flag.
        let failed = AtomicBool::new(false);
        self.events
            .par_extend(chunk.lines.par_iter().map(|(_, range)| {
                parse_event(line_text(range)).unwrap_or_else(|_| {
                    failed.store(true, Ordering::Relaxed);
                    stand_in()
                })
            }));
        let unreadable = failed.into_inner().then(|| {
            chunk
                .lines
                .iter()
                .enumerate()
                .find_map(|(k, (line, range))| {
                    parse_event(line_text(range)).err().map(|m| (k, *line, m))
                })
                .unwrap_or_default()
        });
        let readable = unreadable
            .as_ref()
            .map_or(self.events.len(), |(k, _, _)| *k);
        for event in self.events.drain(..).take(readable) {
            self.builder.push(event).map_err(|e| HistoryError {
                line: self.lines.line_of(e.line - 1),
                message: e.message,
            })?;
        }
        if let Some((_, line, message)) = unreadable {
            return Err(HistoryError { line, message });
        }
        self.read += chunk.lines.len();
        Ok(())
    }
}

/// The event that stands in for a line that is none while its batch is parsed (the batch is
/// then thrown away with an error).
fn stand_in() -> Event {
    Event {
        index: 0,
        time: 0,
        process: Process::Nemesis,
        kind: EventType::Info,
        f: Text::new(""),
        value: Json::Null,
    }
}

/// The file line of each event, kept compactly: events are the file's lines in order, but for
/// blank lines, so it only notes where they part (none in a file without blank lines).
#[derive(Default)]
struct LineMap {
    /// `(position, lines before it)`: from event `position` on (0-based), event `p` is on line
    /// `p + 1 + lines before it`, until the next entry.
    skips: Vec<(usize, usize)>,
}

impl LineMap {
    /// Notes the lines of a chunk's events (`(line, _)` each), the first at position `start`.
    fn note<T>(&mut self, start: usize, chunk: &[(usize, T)]) {
        for (k, (line, _)) in chunk.iter().enumerate() {
            let skipped = line - (start + k + 1);
            if self.skips.last().map_or(0, |&(_, s)| s) != skipped {
                self.skips.push((start + k, skipped));
            }
        }
    }

    /// The 1-based line of the event at `position`.
    fn line_of(&self, position: usize) -> usize {
        let at = self.skips.partition_point(|&(p, _)| p <= position);
        let skipped = at.checked_sub(1).map_or(0, |i| self.skips[i].1);
        position + 1 + skipped
    }
}

/// The number of newlines in `bytes`.
fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Appends input to `chunk` until it holds [`CHUNK`] bytes and a newline, or the input ends
/// (then `true`). A line longer than [`MAX_LINE`] is an error naming it (`first_line` is the
/// line `chunk` starts with).
fn read_whole_lines<R: BufRead>(
    input: &mut R,
    chunk: &mut Vec<u8>,
    first_line: usize,
) -> Result<bool, HistoryError> {
    let mut line_start = chunk
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    loop {
        if chunk.len() >= CHUNK && line_start > 0 {
            return Ok(false);
        }
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(HistoryError {
                    line: first_line + newlines(chunk),
                    message: format!("cannot read the file: {e}"),
                })
            }
        };
        if available.is_empty() {
            return Ok(true);
        }
        let used = available.len();
        let before = chunk.len();
        chunk.extend_from_slice(available);
        input.consume(used);
        // Only a line that crosses reads, or one inside a read longer than the limit, can be
        // too long: check those lines' ends, and the unfinished last line.
        let mut from = before;
        while let Some(at) = chunk[from..].iter().position(|&b| b == b'\n') {
            let end = from + at + 1;
            if end - line_start > MAX_LINE + 1 {
                return Err(too_long(first_line + newlines(&chunk[..line_start])));
            }
            (line_start, from) = (end, end);
            if used <= MAX_LINE {
                // Every later line of this read is shorter than the read: go to its last line.
                line_start = chunk
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |at| at + 1);
                break;
            }
        }
        if chunk.len() - line_start > MAX_LINE + 1 {
            return Err(too_long(first_line + newlines(&chunk[..line_start])));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_line_past_every_blank_line() {
        let event = |i: u64, kind: &str| {
            format!(r#"{{"index":{i},"time":{i},"process":0,"type":"{kind}","f":"r"}}"#)
        };
        let text = [
            event(0, "invoke"),
            String::new(),
            event(1, "ok"),
            " ".into(),
            String::new(),
            event(2, "invoke"),
            event(3, "ok"),
            String::new(),
            event(4, "ok"),
        ]
        .join("\n");
        let error = read_history(text.as_bytes()).expect_err("event 4 completes nothing");
        assert_eq!(error.line, 9, "{error}");
        let lines = LineMap {
            skips: vec![(1, 1), (2, 3), (4, 4)],
        };
        let found: Vec<usize> = (0..6).map(|p| lines.line_of(p)).collect();
        assert_eq!(found, [1, 3, 6, 7, 9, 10]);
    }

    #[test]
    fn the_first_wrong_line_is_named_whether_it_is_no_event_or_does_not_fit() {
        let event = |i: u64, kind: &str| {
            format!(r#"{{"index":{i},"time":{i},"process":0,"type":"{kind}","f":"r"}}"#)
        };
        let misfit_first = [event(0, "invoke"), event(1, "invoke"), "{oops".into()].join("\n");
        let error = read_history(misfit_first.as_bytes()).expect_err("two invokes, then junk");
        assert_eq!(error.line, 2, "{error}");
        assert!(error.message.contains("still open"), "{error}");
        let junk_first = [event(0, "invoke"), "{oops".into(), event(2, "invoke")].join("\n");
        let error = read_history(junk_first.as_bytes()).expect_err("junk, then a misfit");
        assert_eq!(error.line, 2, "{error}");
        assert!(error.message.contains("not valid JSON"), "{error}");
    }

    #[test]
    fn a_read_history_gives_back_every_event_it_was_read_from() {
        let lines = [
            r#"{"index":0,"time":1,"process":0,"type":"invoke","f":"w","value":1}"#,
            r#"{"index":1,"time":2,"process":"nemesis","type":"info","f":"start","value":null}"#,
            r#"{"index":2,"time":3,"process":1,"type":"invoke","f":"r","value":null}"#,
            r#"{"index":3,"time":4,"process":0,"type":"info","f":"w","value":"timeout"}"#,
            r#"{"index":4,"time":5,"process":1,"type":"ok","f":"r","value":1}"#,
            r#"{"index":5,"time":6,"process":2,"type":"invoke","f":"r","value":null}"#,
        ];
        let history = read_history(lines.join("\n").as_bytes()).expect("a valid history");
        let mut written = Vec::new();
        write_events(&history.events(), &mut written).expect("written to memory");
        assert_eq!(String::from_utf8(written).unwrap(), lines.join("\n") + "\n");
        assert_eq!(history.event_count(), 6);
        assert_eq!(history.end_time(), 6);
        assert_eq!(history.nemesis.len(), 1);
    }
}
