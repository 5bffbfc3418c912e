//! `multi-register`: Knossos' multi-register. Several registers read and written together by
//! transactions: operations whose value is a list of micro-operations `[f, k, v]`, `f` being
//! `read` (or `r`) or `write` (or `w`); the operation's own f (`txn`, `read`, `write`) is a label. As in Knossos, a read of nil is always legal: it
//! constrains nothing. One partition: a transaction may span every register.

use super::Interner;
use crate::history::{Operation, Outcome};
use crate::json::Json;
use crate::model::{Model, OpError, Partition, Timing};
use serde_json::Value;
use std::borrow::Cow;

/// The multi-register model.
#[derive(Debug, Clone)]
pub struct MultiRegisterModel {
    init: Option<Value>,
}

impl MultiRegisterModel {
    /// Registers starting at `init` (an object of key -> value; keys it does not name start null).
    pub fn new(init: Option<Value>) -> MultiRegisterModel {
        MultiRegisterModel { init }
    }
}

/// One micro-operation, keys and values interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Micro {
    /// Read register `key`: this value, or `None` for nil (any value).
    Read { key: u32, value: Option<u32> },
    /// Wrote `value` to register `key`.
    Write { key: u32, value: u32 },
}

/// The whole history's transactions, compiled.
#[derive(Debug, Clone)]
pub struct MultiRegisterPartition {
    timings: Vec<Timing>,
    txns: Vec<Vec<Micro>>,
    keys: Interner,
    values: Interner,
    init: Vec<u32>,
}

/// The micro-operations a transaction performed: the completion's when it completed ok (its
/// reads carry what was read), else the invocation's (reads of nil).
fn micro_ops(op: &Operation) -> Result<&[Json], OpError> {
    let value = match op.outcome {
        Outcome::Ok if op.output.is_array() => &op.output,
        _ => &op.input,
    };
    value.as_array().ok_or_else(|| {
        OpError::new(
            op,
            format!("a txn's value is a list of [f, k, v] micro-operations, got {value}"),
        )
    })
}

/// Builds the partition: interning keys and values, one transaction per operation that may
/// have happened.
struct Compiler {
    keys: Interner,
    values: Interner,
    init: Vec<u32>,
}

impl Compiler {
    fn key(&mut self, key: &Json) -> u32 {
        let id = self.keys.intern(&key.to_string());
        while self.init.len() <= id as usize {
            self.init.push(self.values.intern("null"));
        }
        id
    }

    fn micro(&mut self, op: &Operation, micro: &Json) -> Result<Micro, OpError> {
        let bad = || {
            OpError::new(
                op,
                format!("a micro-operation is [\"read\" or \"write\", key, value], got {micro}"),
            )
        };
        let [f, key, value] = micro.as_array().ok_or_else(bad)? else {
            return Err(bad());
        };
        let key = self.key(key);
        match f.as_str() {
            Some("read" | "r") if value.is_null() => Ok(Micro::Read { key, value: None }),
            Some("read" | "r") => Ok(Micro::Read {
                key,
                value: Some(self.values.intern(&value.to_string())),
            }),
            Some("write" | "w") => Ok(Micro::Write {
                key,
                value: self.values.intern(&value.to_string()),
            }),
            _ => Err(bad()),
        }
    }
}

impl Model for MultiRegisterModel {
    type Part = MultiRegisterPartition;

    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError> {
        // Real Jepsen histories label transactions `txn`, `read` or `write` alike: what makes an
        // operation a transaction is its value, a list of micro-operations.
        if op.f == "txn" || op.input.is_array() {
            Ok(Cow::Borrowed(""))
        } else {
            Err(OpError::new(
                op,
                format!(
                    "a multi-register operation's value is a list of [f, k, v] micro-operations, \
                     but this {} has {}",
                    op.f, op.input
                ),
            ))
        }
    }

    fn compile(&self, _key: &str, ops: &[&Operation]) -> Result<MultiRegisterPartition, OpError> {
        let mut compiler = Compiler {
            keys: Interner::default(),
            values: Interner::default(),
            init: Vec::new(),
        };
        if let Some(Value::Object(map)) = &self.init {
            for (key, value) in map {
                let id = compiler.key(&Json::from(key.as_str()));
                compiler.init[id as usize] = compiler.values.intern(&value.to_string());
            }
        }
        let mut timings = Vec::new();
        let mut txns = Vec::new();
        for op in ops.iter().filter(|op| op.outcome != Outcome::Fail) {
            let txn = micro_ops(op)?
                .iter()
                .map(|micro| compiler.micro(op, micro))
                .collect::<Result<Vec<_>, _>>()?;
            timings.push(Timing::of(op));
            txns.push(txn);
        }
        Ok(MultiRegisterPartition {
            timings,
            txns,
            keys: compiler.keys,
            values: compiler.values,
            init: compiler.init,
        })
    }
}

impl Partition for MultiRegisterPartition {
    type State = Box<[u32]>;

    fn ops(&self) -> &[Timing] {
        &self.timings
    }

    fn init(&self) -> Box<[u32]> {
        self.init.clone().into_boxed_slice()
    }

    fn step(&self, state: &Box<[u32]>, op: usize, next: &mut Vec<Box<[u32]>>) {
        let mut s = state.clone();
        for micro in &self.txns[op] {
            match *micro {
                Micro::Read {
                    key,
                    value: Some(v),
                } if s[key as usize] != v => return,
                Micro::Read { .. } => {}
                Micro::Write { key, value } => s[key as usize] = value,
            }
        }
        next.push(s);
    }

    fn observes_only(&self, op: usize) -> bool {
        self.txns[op]
            .iter()
            .all(|m| matches!(m, Micro::Read { .. }))
    }

    fn state_heap_bytes(&self, state: &Box<[u32]>) -> usize {
        state.len() * 4
    }

    fn describe_op(&self, op: usize) -> String {
        let micros: Vec<String> = self.txns[op]
            .iter()
            .map(|m| match *m {
                Micro::Read { key, value } => format!(
                    "read {} = {}",
                    self.keys.text(key),
                    value.map_or("nil", |v| self.values.text(v))
                ),
                Micro::Write { key, value } => {
                    format!(
                        "write {} = {}",
                        self.keys.text(key),
                        self.values.text(value)
                    )
                }
            })
            .collect();
        format!("op {} (txn {})", self.timings[op].source, micros.join(", "))
    }

    fn describe_state(&self, state: &Box<[u32]>) -> String {
        let registers: Vec<String> = state
            .iter()
            .enumerate()
            .map(|(k, v)| format!("{} = {}", self.keys.text(k as u32), self.values.text(*v)))
            .collect();
        format!("the registers hold {}", registers.join(", "))
    }
}
