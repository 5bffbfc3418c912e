//! A fast reader of one history.jsonl line: the plain lines Frenzy writes (an object of the
//! event's fields, strings without escapes, integers) are read straight into an [`Event`], a few
//! times faster than through serde. Any other line (an escape, a fraction, a repeated or unknown
//! field, a mistake) is left to serde_json (`None`), whose reading, or error, is the reference:
//! for every line this reader accepts it gives exactly what serde_json gives.

use crate::history::{Event, EventType, Process};
use crate::json::{Json, Text};

/// Deeper nesting is left to serde_json (whose own limit is 128 levels).
const MAX_DEPTH: usize = 64;

/// The event on `line`, when the line is a plain one; `None`: read it with serde_json.
pub(crate) fn parse(line: &str) -> Option<Event> {
    let mut cursor = Cursor { text: line, at: 0 };
    cursor.eat(b'{')?;
    let mut fields = Fields::default();
    loop {
        let key = cursor.string()?;
        cursor.eat(b':')?;
        match key {
            "index" => set(&mut fields.index, cursor.natural()?)?,
            "time" => set(&mut fields.time, cursor.natural()?)?,
            "process" => set(&mut fields.process, cursor.process()?)?,
            "type" => set(&mut fields.kind, cursor.kind()?)?,
            "f" => set(&mut fields.f, Text::new(cursor.string()?))?,
            "value" => set(&mut fields.value, cursor.value(1)?)?,
            _ => return None,
        }
        if !cursor.more(b'}')? {
            break;
        }
    }
    cursor.skip_space();
    if cursor.at != line.len() {
        return None;
    }
    Some(Event {
        index: fields.index?,
        time: fields.time?,
        process: fields.process?,
        kind: fields.kind?,
        f: fields.f?,
        value: fields.value.unwrap_or_default(),
    })
}

/// The fields of an event read so far.
#[derive(Default)]
struct Fields {
    index: Option<u64>,
    time: Option<u64>,
    process: Option<Process>,
    kind: Option<EventType>,
    f: Option<Text>,
    value: Option<Json>,
}

/// Fills `slot` with `value`; `None` when it was filled before (a repeated field).
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// A position in the line being read.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Moves past JSON whitespace.
    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while matches!(bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace (not consumed).
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.as_bytes().get(self.at).copied()
    }

    /// Consumes `byte`, after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// After a member of an object or array: `true` past a comma (another member follows),
    /// `false` past the `close` bracket.
    fn more(&mut self, close: u8) -> Option<bool> {
        let next = self.peek()?;
        self.at += 1;
        match next {
            b',' => Some(true),
            _ if next == close => Some(false),
            _ => None,
        }
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = &self.text.as_bytes()[start..];
        let len = bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if bytes[len] != b'"' {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A non-negative integer that fits a `u64`, after whitespace.
    fn natural(&mut self) -> Option<u64> {
        self.skip_space();
        self.digits()
    }

    /// Digits that make a `u64`, written as JSON writes them (no leading zero, no fraction).
    fn digits(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = bytes.get(self.at) {
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && bytes[start] == b'0';
        let fraction = matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E'));
        (digits > 0 && !leading_zero && !fraction).then_some(n)
    }

    /// An integer, as serde_json reads it: a `u64` when non-negative, else an `i64`.
    fn integer(&mut self) -> Option<Json> {
        if self.peek()? != b'-' {
            return self.natural().map(Json::from);
        }
        self.at += 1;
        let magnitude = i64::try_from(self.digits()?).ok().filter(|&m| m > 0)?;
        Some(Json::from(-magnitude))
    }

    /// A client's process number, or `"nemesis"`.
    fn process(&mut self) -> Option<Process> {
        if self.peek()? == b'"' {
            return (self.string()? == "nemesis").then_some(Process::Nemesis);
        }
        self.natural().map(Process::Client)
    }

    /// `"invoke"`, `"ok"`, `"fail"` or `"info"`.
    fn kind(&mut self) -> Option<EventType> {
        match self.string()? {
            "invoke" => Some(EventType::Invoke),
            "ok" => Some(EventType::Ok),
            "fail" => Some(EventType::Fail),
            "info" => Some(EventType::Info),
            _ => None,
        }
    }

    /// Any JSON value at nesting `depth`.
    fn value(&mut self, depth: usize) -> Option<Json> {
        match self.peek()? {
            b'"' => self.string().map(Json::from),
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.integer(),
            _ => None,
        }
    }

    /// `word`, read as `value`.
    fn literal(&mut self, word: &str, value: Json) -> Option<Json> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// An object; of repeated keys the last wins, as serde_json keeps it.
    fn object(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        let mut entries: Vec<(&str, Json)> = Vec::with_capacity(4);
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Json::object_of(entries));
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            entries.push((key, self.value(depth)?));
            if !self.more(b'}')? {
                return Some(Json::object_of(entries));
            }
        }
    }

    /// An array.
    fn array(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        let mut items: Vec<Json> = Vec::new();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Json::Array(items.into()));
        }
        loop {
            items.push(self.value(depth)?);
            if !self.more(b']')? {
                return Some(Json::Array(items.into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::any_value::any_value;
    use proptest::prelude::*;
    use serde_json::Value;

    /// What serde_json reads on `line`, or its error.
    fn by_serde(line: &str) -> Result<Event, String> {
        serde_json::from_str::<Event>(line).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_plain_lines_exactly_as_serde_json_does() {
        let lines = [
            r#"{"index":0,"time":12,"process":3,"type":"invoke","f":"place_hold","value":{"event":"e1","user":"alice","qty":2}}"#,
            r#"{"index":1,"time":13,"process":3,"type":"ok","f":"list_holds","value":{"holds":["h-1","h-2"],"event":"e1","seq":-4}}"#,
            r#" { "index" : 2 , "time":14,"process":"nemesis","type":"info","f":"start","value":{"groups":[["n1"],[]],"x":{},"y":[true,false,null]}} "#,
            r#"{"process":0,"f":"read","type":"fail","time":0,"index":3}"#,
            r#"{"index":4,"time":18446744073709551615,"process":1,"type":"ok","f":"w","value":{"a":1,"a":2,"b":-9223372036854775807}}"#,
            r#"{"index":5,"time":1,"process":1,"type":"ok","f":"w","value":null}"#,
        ];
        for line in lines {
            let fast = parse(line);
            assert!(fast.is_some(), "{line} was left to serde_json");
            assert_eq!(fast.map(Ok), Some(by_serde(line)), "{line}");
        }
    }

    #[test]
    fn leaves_every_other_line_to_serde_json() {
        let lines = [
            r#"{"index":0,"time":1.5,"process":3,"type":"invoke","f":"r","value":1}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":1e3}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":-0}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":-9223372036854775808}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":18446744073709551616}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":"a\"b"}"#,
            r#"{"index":0,"time":01,"process":3,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":1,"process":-3,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":- 3}"#,
            r#"{"index":0,"time":1,"process":"nemo","type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":1,"process":3,"type":"begin","f":"r"}"#,
            r#"{"index":0,"index":0,"time":1,"process":3,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","extra":1}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke"}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r"} x"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":[1,]}"#,
            r#"{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":tru}"#,
            r#"{}"#,
            "[1]",
        ];
        for line in lines {
            assert_eq!(parse(line), None, "{line} was read by the fast path");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde_json() {
        let deep = format!(
            r#"{{"index":0,"time":1,"process":3,"type":"invoke","f":"r","value":{}1{}}}"#,
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&deep), None);
        let shallow = deep.replacen('[', "", 2).replacen(']', "", 2);
        assert_eq!(parse(&shallow).map(Ok), Some(by_serde(&shallow)));
    }

    /// Whether `value` holds a number that is not an integer.
    fn has_fraction(value: &Value) -> bool {
        match value {
            Value::Number(n) => n.is_f64(),
            Value::Array(items) => items.iter().any(has_fraction),
            Value::Object(map) => map.values().any(has_fraction),
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json_on_any_value(value in any_value(), spaced in any::<bool>()) {
            let mut line = format!(
                r#"{{"index":7,"time":9,"process":2,"type":"ok","f":"read","value":{value}}}"#
            );
            if spaced {
                line = line.replace(',', " ,\t").replace(':', ": ");
            }
            let plain = !line.contains('\\') && !has_fraction(&value);
            match parse(&line) {
                Some(event) => prop_assert_eq!(Ok(event), by_serde(&line)),
                None => prop_assert!(!plain, "{} was left to serde_json", line),
            }
        }
    }
}
