//! `register` and `cas-register`: one register per key, read/write (and compare-and-set).

use super::{split_keyed, Interner};
use crate::history::{Operation, Outcome};
use crate::json::Json;
use crate::model::{explain_stuck, Model, OpError, Partition, Point, Timing};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// The register models; `cas` enables the `cas` operation.
#[derive(Debug, Clone)]
pub struct RegisterModel {
    cas: bool,
    init: Value,
    nil_read_unknown: bool,
}

impl RegisterModel {
    /// A register starting at `init` (null when `None`), with or without `cas`.
    pub fn new(cas: bool, init: Option<Value>) -> RegisterModel {
        RegisterModel {
            cas,
            init: init.unwrap_or(Value::Null),
            nil_read_unknown: false,
        }
    }

    /// The same model, reading an ok read of null as Knossos does when `unknown` is set: the
    /// value read is unknown, so the read constrains nothing.
    pub fn nil_read_unknown(self, unknown: bool) -> RegisterModel {
        RegisterModel {
            nil_read_unknown: unknown,
            ..self
        }
    }
}

/// What one register operation does, values interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegOp {
    /// Read this value.
    Read(u32),
    /// Wrote this value.
    Write(u32),
    /// Compared equal to `from` and set `to`.
    Cas { from: u32, to: u32 },
    /// Compared unequal to `from` and changed nothing.
    CasUnequal { from: u32 },
}

/// One register's operations, compiled.
#[derive(Debug, Clone)]
pub struct RegisterPartition {
    timings: Vec<Timing>,
    ops: Vec<RegOp>,
    values: Interner,
    init: u32,
}

/// The values the writes and cas operations of `ops` may have written (failed ones and cas
/// operations that found another value excluded).
fn written(ops: &[&Operation]) -> HashSet<String> {
    let mut values = HashSet::new();
    for op in ops.iter().filter(|op| op.outcome != Outcome::Fail) {
        let input = unkeyed(&op.input);
        let value = match op.f.as_str() {
            "write" => Some(input),
            "cas" if unkeyed(&op.output).get("swapped") != Some(&Json::Bool(false)) => {
                input.as_array().and_then(|pair| pair.get(1))
            }
            _ => None,
        };
        values.extend(value.map(Json::to_string));
    }
    values
}

/// The value inside a possibly keyed register value.
fn unkeyed(value: &Json) -> &Json {
    split_keyed(value).map_or(value, |(_, v)| v)
}

impl RegisterModel {
    /// Reads one operation; `None` when it constrains nothing (a failed or unanswered read, a
    /// failed write or cas, an ok read of null when nil reads are unknown, an observation of a
    /// value in `unexplained`: one only an operation outside a shrunken witness wrote).
    fn read_op(
        &self,
        op: &Operation,
        values: &mut Interner,
        unexplained: &HashSet<String>,
    ) -> Result<Option<RegOp>, OpError> {
        let mut intern = |v: &Json| values.intern(&v.to_string());
        let observed = |v: &Json| !unexplained.contains(&v.to_string());
        let happened = op.outcome != Outcome::Fail;
        match op.f.as_str() {
            "read" => Ok(match (op.outcome, unkeyed(&op.output)) {
                (Outcome::Ok, Json::Null) if self.nil_read_unknown => None,
                (Outcome::Ok, read) if observed(read) => Some(RegOp::Read(intern(read))),
                _ => None,
            }),
            "write" => Ok(happened.then(|| RegOp::Write(intern(unkeyed(&op.input))))),
            "cas" if self.cas => {
                let pair = unkeyed(&op.input)
                    .as_array()
                    .filter(|a| a.len() == 2)
                    .ok_or_else(|| {
                        OpError::new(
                            op,
                            format!("cas needs [from, to] as its value, got {}", op.input),
                        )
                    })?;
                let seen = observed(&pair[0]);
                let (from, to) = (intern(&pair[0]), intern(&pair[1]));
                let unequal = unkeyed(&op.output).get("swapped") == Some(&Json::Bool(false));
                Ok(match op.outcome {
                    Outcome::Fail => None,
                    Outcome::Ok if unequal => seen.then_some(RegOp::CasUnequal { from }),
                    _ if seen => Some(RegOp::Cas { from, to }),
                    _ => Some(RegOp::Write(to)),
                })
            }
            "cas" => Err(OpError::new(
                op,
                "the register model has no cas; use --model cas-register",
            )),
            other => Err(OpError::new(
                op,
                format!(
                    "a register has read, write{}, not {other}",
                    if self.cas { " and cas" } else { "" }
                ),
            )),
        }
    }
}

impl Model for RegisterModel {
    type Part = RegisterPartition;

    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError> {
        Ok(Cow::Owned(
            split_keyed(&op.input).map(|(k, _)| k).unwrap_or_default(),
        ))
    }

    /// Values some operation of `all` wrote but none of `sub` writes (nor the initial value)
    /// are unexplained in `sub`: a read of one constrains nothing, and a cas from one is a
    /// blind write of its new value.
    fn compile_witness(
        &self,
        key: &str,
        sub: &[&Operation],
        all: &[&Operation],
    ) -> Result<RegisterPartition, OpError> {
        let in_sub = written(sub);
        let mut unexplained = written(all);
        let init = self.init.to_string();
        unexplained.retain(|v| !in_sub.contains(v) && *v != init);
        self.compile_with(key, sub, &unexplained)
    }

    fn compile(&self, key: &str, ops: &[&Operation]) -> Result<RegisterPartition, OpError> {
        self.compile_with(key, ops, &HashSet::new())
    }
}

impl RegisterModel {
    /// Compiles one register's operations, `unexplained` values as [`Model::compile_witness`]
    /// describes.
    fn compile_with(
        &self,
        _key: &str,
        ops: &[&Operation],
        unexplained: &HashSet<String>,
    ) -> Result<RegisterPartition, OpError> {
        let mut values = Interner::default();
        let init = values.intern(&self.init.to_string());
        let mut part = RegisterPartition {
            timings: Vec::new(),
            ops: Vec::new(),
            values: Interner::default(),
            init,
        };
        for op in ops {
            if let Some(r) = self.read_op(op, &mut values, unexplained)? {
                part.timings.push(Timing::of(op));
                part.ops.push(r);
            }
        }
        part.values = values;
        Ok(part)
    }
}

/// A key equal for operations with the same effect in every state.
fn effect_key_of(op: RegOp) -> u64 {
    match op {
        RegOp::Read(v) => u64::from(v) << 2,
        RegOp::Write(v) => (u64::from(v) << 2) | 1,
        RegOp::Cas { from, to } => (u64::from(from) << 34) | (u64::from(to) << 2) | 2,
        RegOp::CasUnequal { from } => (u64::from(from) << 2) | 3,
    }
}

impl Partition for RegisterPartition {
    type State = u32;

    fn ops(&self) -> &[Timing] {
        &self.timings
    }

    fn init(&self) -> u32 {
        self.init
    }

    fn step(&self, state: &u32, op: usize, next: &mut Vec<u32>) {
        match self.ops[op] {
            RegOp::Read(v) if v == *state => next.push(v),
            RegOp::Write(v) => next.push(v),
            RegOp::Cas { from, to } if from == *state => next.push(to),
            RegOp::CasUnequal { from } if from != *state => next.push(*state),
            _ => {}
        }
    }

    fn observes_only(&self, op: usize) -> bool {
        matches!(self.ops[op], RegOp::Read(_) | RegOp::CasUnequal { .. })
    }

    fn effect_key(&self, op: usize) -> Option<u64> {
        Some(effect_key_of(self.ops[op]))
    }

    fn effect_move(&self, op: usize) -> Option<(Option<u64>, u64)> {
        match self.ops[op] {
            RegOp::Write(v) => Some((None, u64::from(v))),
            RegOp::Cas { from, to } => Some((Some(u64::from(from)), u64::from(to))),
            _ => None,
        }
    }

    fn describe_op(&self, op: usize) -> String {
        let v = |id: u32| self.values.text(id).to_owned();
        let what = match self.ops[op] {
            RegOp::Read(x) => format!("read {}", v(x)),
            RegOp::Write(x) => format!("write {}", v(x)),
            RegOp::Cas { from, to } => format!("cas {} -> {}", v(from), v(to)),
            RegOp::CasUnequal { from } => format!("cas from {} found a different value", v(from)),
        };
        format!("op {} ({what})", self.timings[op].source)
    }

    fn describe_state(&self, state: &u32) -> String {
        format!("the register holds {}", self.values.text(*state))
    }

    /// Names a lost write when real time alone proves one; the general account otherwise.
    fn explain(&self, state: &u32, stuck: &[usize]) -> String {
        let general = explain_stuck(self, state, stuck);
        let named = stuck
            .iter()
            .find_map(|&read| self.missed_write(read).or_else(|| self.missed_read(read)));
        match named {
            Some(lost) => format!("{lost} {general}"),
            None => general,
        }
    }
}

impl RegisterPartition {
    /// The value operation `op` leaves in the register, when it writes one.
    fn writes(&self, op: usize) -> Option<u32> {
        match self.ops[op] {
            RegOp::Write(v) | RegOp::Cas { to: v, .. } => Some(v),
            _ => None,
        }
    }

    /// Where the value `seen` can come from when every write of it must be over by `point`:
    /// `Some(true)` when it is the initial value and nothing wrote it, `Some(false)` when every
    /// write of it ended before `point`, `None` when some write of it may come later (or
    /// nothing here wrote a value that is not the initial one).
    fn only_before(&self, seen: u32, point: Point) -> Option<bool> {
        let writes: Vec<usize> = (0..self.ops.len())
            .filter(|&w| self.writes(w) == Some(seen))
            .collect();
        if writes.is_empty() {
            return (seen == self.init).then_some(true);
        }
        let over = |w: usize| self.timings[w].ret.is_some_and(|r| r < point);
        writes.into_iter().all(over).then_some(false)
    }

    /// How `seen` got into the register, in words, given [`Self::only_before`]'s answer.
    fn origin(&self, seen: u32, initial: bool, before: &str) -> String {
        let value = self.values.text(seen);
        if initial {
            format!("{value} is the initial value and nothing else wrote it")
        } else {
            format!("every write of {value} had ended before {before} began")
        }
    }

    /// When `read` returned a value that real time alone rules out, a sentence saying so: a
    /// write of another value was acknowledged before the read began, and every write of the
    /// value read (if any: it may be the initial value) had ended before that write began, so
    /// the read should have seen that write or a later one.
    fn missed_write(&self, read: usize) -> Option<String> {
        let RegOp::Read(seen) = self.ops[read] else {
            return None;
        };
        let began = self.timings[read].call;
        let (write, _) = (0..self.ops.len())
            .filter(|&w| self.writes(w).is_some_and(|v| v != seen))
            .filter_map(|w| self.timings[w].ret.map(|r| (w, r)))
            .filter(|(_, r)| *r < began)
            .max_by_key(|(_, r)| *r)?;
        let initial = self.only_before(seen, self.timings[write].call)?;
        let write_op = self.describe_op(write);
        Some(format!(
            "A lost write: {read_op} began after {write_op} was acknowledged, and {origin}, so \
             the read should have found that write or a later one: the acknowledged write was \
             lost (or the read was stale).",
            read_op = self.describe_op(read),
            origin = self.origin(seen, initial, &write_op),
        ))
    }

    /// Like [`Self::missed_write`] when the write is known only because a read saw it (its own
    /// outcome may be unknown): an earlier read returned another value, every write of which
    /// began after every write of the value `read` returned had ended.
    fn missed_read(&self, read: usize) -> Option<String> {
        let RegOp::Read(seen) = self.ops[read] else {
            return None;
        };
        let began = self.timings[read].call;
        let (earlier, other) = (0..self.ops.len())
            .filter_map(|r| match self.ops[r] {
                RegOp::Read(v) if v != seen => Some((r, v, self.timings[r].ret?)),
                _ => None,
            })
            .filter(|(_, _, ret)| *ret < began)
            .max_by_key(|(_, _, ret)| *ret)
            .map(|(r, v, _)| (r, v))?;
        let first_write = (0..self.ops.len())
            .filter(|&w| self.writes(w) == Some(other))
            .min_by_key(|&w| self.timings[w].call)?;
        let initial = self.only_before(seen, self.timings[first_write].call)?;
        let other_value = self.values.text(other);
        Some(format!(
            "A read of a lost write: {read_op} began after {earlier_op} had returned \
             {other_value}, and \
             {origin}, so the read should have found {other_value} or a later value: the write \
             of {other_value} that {earlier_op} saw was lost (or this read was stale).",
            read_op = self.describe_op(read),
            earlier_op = self.describe_op(earlier),
            origin = self.origin(seen, initial, &format!("the first write of {other_value}")),
        ))
    }
}
