//! Reading JSONL stops at a line longer than [`MAX_LINE`] with one sentence, instead of reading
//! an endless line (`/dev/zero`) until memory runs out.

use checker::jsonl::{read_history, JsonlReader, MAX_LINE};
use std::io::{BufReader, Read};

/// Endless NUL bytes, as `/dev/zero` gives them, cut off well past the limit.
fn zeros() -> BufReader<std::io::Take<std::io::Repeat>> {
    BufReader::new(std::io::repeat(0).take(MAX_LINE as u64 * 2))
}

#[test]
fn a_line_longer_than_the_maximum_is_one_error_naming_line_1() {
    let error = read_history(zeros()).expect_err("an endless line is not a history");
    assert_eq!(error.line, 1);
    assert!(error.message.contains("longest line"), "{}", error.message);
}

#[test]
fn the_streaming_reader_stops_at_the_same_line() {
    let mut reader = JsonlReader::new(zeros());
    let error = reader.next().expect("one item").expect_err("not an event");
    assert_eq!(error.line, 1);
    assert!(error.message.contains("longest line"), "{}", error.message);
}

#[test]
fn a_long_line_after_good_ones_is_named_by_its_line() {
    let good = "{\"index\":0,\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n";
    let input = good
        .as_bytes()
        .chain(std::io::repeat(b' ').take(MAX_LINE as u64 + 2));
    let error = read_history(BufReader::new(input)).expect_err("too long");
    assert_eq!(error.line, 2);
}
