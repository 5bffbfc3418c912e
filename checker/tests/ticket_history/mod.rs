//! Hand-built tickets histories for the session and ledger tests: operations described by their
//! call and return times, turned into a validated history of events.

use checker::history::{Event, EventType, History, Process};
use serde_json::{json, Value};

/// One operation to put in a history.
struct Planned {
    process: u64,
    f: String,
    input: Value,
    call_ms: u64,
    end: (u64, EventType, Value),
}

/// Collects operations, then orders their events by time and builds the history.
#[derive(Default)]
pub struct Plan {
    ops: Vec<Planned>,
}

// Each test binary uses its own subset of these helpers, whose arguments read as one sentence.
#[allow(dead_code, clippy::too_many_arguments)]
impl Plan {
    /// Adds an operation of `process` called at `call_ms`, completed at `ret_ms` with `kind` and
    /// `output`; returns its position in the plan.
    pub fn op(
        &mut self,
        process: u64,
        f: &str,
        input: Value,
        call_ms: u64,
        ret_ms: u64,
        kind: EventType,
        output: Value,
    ) -> usize {
        self.ops.push(Planned {
            process,
            f: f.into(),
            input,
            call_ms,
            end: (ret_ms, kind, output),
        });
        self.ops.len() - 1
    }

    /// An acknowledged hold `hold` of `qty` seats for `user` on `event`, with request id
    /// `req-<hold>` and sequence number `seq`.
    pub fn hold(
        &mut self,
        p: u64,
        user: &str,
        event: &str,
        qty: u64,
        hold: &str,
        seq: u64,
        at: (u64, u64),
    ) -> usize {
        let input =
            json!({"event": event, "user": user, "qty": qty, "request_id": format!("req-{hold}")});
        let mut output = input.clone();
        output["hold"] = json!(hold);
        output["seq"] = json!(seq);
        self.op(p, "place_hold", input, at.0, at.1, EventType::Ok, output)
    }

    /// A successful `list_holds` of `user` on `event` that returned `holds` at `seq`.
    pub fn list(
        &mut self,
        p: u64,
        user: &str,
        event: &str,
        holds: &[&str],
        seq: u64,
        at: (u64, u64),
    ) -> usize {
        let input = json!({"event": event, "user": user});
        let mut output = input.clone();
        output["holds"] = json!(holds);
        output["seq"] = json!(seq);
        self.op(p, "list_holds", input, at.0, at.1, EventType::Ok, output)
    }

    /// A `release` or `confirm` (`f`) of `hold` completed with `kind`.
    pub fn end_hold(
        &mut self,
        p: u64,
        f: &str,
        event: &str,
        hold: &str,
        seq: u64,
        kind: EventType,
        at: (u64, u64),
    ) -> usize {
        let input = json!({"event": event, "hold": hold});
        let mut output = input.clone();
        match kind {
            EventType::Ok => output["seq"] = json!(seq),
            _ => output["error"] = json!("hold not active"),
        }
        self.op(p, f, input, at.0, at.1, kind, output)
    }

    /// A successful `read_inventory` of `event` with `remaining` seats.
    pub fn inventory(
        &mut self,
        p: u64,
        event: &str,
        remaining: i64,
        seq: u64,
        at: (u64, u64),
    ) -> usize {
        let input = json!({"event": event});
        let output = json!({"event": event, "remaining": remaining, "seq": seq});
        self.op(
            p,
            "read_inventory",
            input,
            at.0,
            at.1,
            EventType::Ok,
            output,
        )
    }

    /// A successful `read_log` of `event` returning `entries`
    /// (`(seq, type, hold, user, qty, request_id)`).
    pub fn log(
        &mut self,
        p: u64,
        event: &str,
        entries: &[(u64, &str, &str, &str, u64, &str)],
        at: (u64, u64),
    ) -> usize {
        let entries: Vec<Value> = entries
            .iter()
            .map(|(seq, kind, hold, user, qty, req)| {
                json!({"seq": seq, "type": kind, "hold": hold, "user": user, "qty": qty, "request_id": req})
            })
            .collect();
        let input = json!({"event": event});
        let output = json!({"event": event, "entries": entries});
        self.op(p, "read_log", input, at.0, at.1, EventType::Ok, output)
    }

    /// Orders every event by time (invocations first on ties) and builds the history; returns it
    /// with each planned operation's invocation index.
    pub fn build(&self) -> (History, Vec<u64>) {
        let mut stamped: Vec<(u64, u8, usize, Event)> = Vec::new();
        for (n, op) in self.ops.iter().enumerate() {
            let event = |kind, time_ms: u64, value: Value| Event {
                index: 0,
                time: time_ms * 1_000_000,
                process: Process::Client(op.process),
                kind,
                f: op.f.as_str().into(),
                value: value.into(),
            };
            stamped.push((
                op.call_ms,
                0,
                n,
                event(EventType::Invoke, op.call_ms, op.input.clone()),
            ));
            let (ret, kind, output) = &op.end;
            stamped.push((*ret, 1, n, event(*kind, *ret, output.clone())));
        }
        stamped.sort_by_key(|(t, order, n, _)| (*t, *order, *n));
        let mut ids = vec![0; self.ops.len()];
        let mut events = Vec::new();
        for (i, (_, order, n, mut e)) in stamped.into_iter().enumerate() {
            e.index = i as u64;
            if order == 0 {
                ids[n] = i as u64;
            }
            events.push(e);
        }
        let history = History::from_events(events).expect("the plan is a valid history");
        (history, ids)
    }
}
