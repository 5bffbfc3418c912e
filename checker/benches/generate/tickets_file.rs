//! Writes a generated tickets history straight to a file, event by event, without holding it in
//! memory: histories of tens of millions of operations.

use super::tickets_gen::{completion_event, invoke_event, merged, simulate, Happened, Shape};
use std::io::{self, Write};

/// Writes the history [`simulate`] makes for `shape` and `seed` to `output` as JSONL.
pub fn write_history(shape: &Shape, seed: u64, output: impl Write) -> io::Result<()> {
    let mut output = io::BufWriter::with_capacity(1 << 20, output);
    let mut written = Ok(());
    simulate(shape, seed, |happened, op| {
        let event = match happened {
            Happened::Invoked => Some(invoke_event(op)),
            Happened::Completed => completion_event(op, merged(op)),
        };
        if let (Some(event), Ok(())) = (event, &written) {
            written = serde_json::to_writer(&mut output, &event)
                .map_err(io::Error::from)
                .and_then(|()| output.write_all(b"\n"));
        }
    });
    written?;
    output.flush()
}
