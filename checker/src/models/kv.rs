//! `kv` and `kv-unpartitioned`: Porcupine's string key-value store with get, put and append.
//!
//! States are compact: every string a partition can observe (the initial strings, values put,
//! strings read) is interned, and the appends since the last observation are kept as a set, not
//! as text, so orders of appends that no read has seen yet are one state, not many.

use super::kv_string::Pending;
use super::{key_text, split_keyed, Interner};
use crate::history::{Operation, Outcome};
use crate::json::Json;
use crate::model::{Model, OpError, Partition, Timing};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// The kv model; `partitioned: false` checks all keys as one object (`kv-unpartitioned`).
#[derive(Debug, Clone)]
pub struct KvModel {
    partitioned: bool,
    init: Option<Value>,
}

impl KvModel {
    /// A kv store whose keys start as `init` (a string for every key, or an object of key ->
    /// string; `""` when `None`).
    pub fn new(partitioned: bool, init: Option<Value>) -> KvModel {
        KvModel { partitioned, init }
    }

    fn init_of(&self, key: &str) -> String {
        match &self.init {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(map)) => map
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            _ => String::new(),
        }
    }
}

/// What one kv operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KvKind {
    /// Read this interned string.
    Get(u32),
    /// Set this interned string.
    Put(u32),
    /// Appended this text (the op's entry in `KvPartition::appended`).
    Append,
}

/// A compiled kv operation: which key slot, and what.
#[derive(Debug, Clone, Copy)]
struct KvOp {
    slot: u32,
    kind: KvKind,
}

/// One partition of the kv store, compiled.
#[derive(Debug, Clone)]
pub struct KvPartition {
    timings: Vec<Timing>,
    ops: Vec<KvOp>,
    appended: Vec<String>,
    strings: Interner,
    keys: Vec<String>,
    init: Vec<u32>,
}

/// A kv state: for each key slot in order, `[string id, n, n pending append op indices]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KvState(Vec<u32>);

impl KvState {
    /// The offset of key `slot`'s segment.
    fn segment(&self, slot: u32) -> usize {
        let mut at = 0;
        for _ in 0..slot {
            at += 2 + self.0[at + 1] as usize;
        }
        at
    }
}

impl KvModel {
    fn read_op(
        &self,
        op: &Operation,
        slots: &mut HashMap<String, u32>,
        strings: &mut Interner,
    ) -> Result<Option<(KvOp, String)>, OpError> {
        let (key, input) = split_keyed(&op.input).ok_or_else(|| {
            OpError::new(
                op,
                format!(
                    "kv needs {{\"key\": K, \"value\": V}} as the value, got {}",
                    op.input
                ),
            )
        })?;
        let text = |v: &Json| -> Result<String, OpError> {
            match v {
                Json::String(s) => Ok(s.to_string()),
                Json::Null => Ok(String::new()),
                other => Err(OpError::new(
                    op,
                    format!("kv values are strings, got {other}"),
                )),
            }
        };
        let fresh = slots.len() as u32;
        let slot = *slots.entry(key.clone()).or_insert(fresh);
        let kind = match (op.f.as_str(), op.outcome) {
            ("get", Outcome::Ok) => {
                let read = match split_keyed(&op.output).map_or(&op.output, |(_, v)| v) {
                    Json::Null => self.init_of(&key),
                    v => text(v)?,
                };
                KvKind::Get(strings.intern(&read))
            }
            ("get", _) | ("put", Outcome::Fail) | ("append", Outcome::Fail) => return Ok(None),
            ("put", _) => KvKind::Put(strings.intern(&text(input)?)),
            ("append", _) => {
                return Ok(Some((
                    KvOp {
                        slot,
                        kind: KvKind::Append,
                    },
                    text(input)?,
                )))
            }
            (other, _) => {
                return Err(OpError::new(
                    op,
                    format!("kv has get, put and append, not {other}"),
                ))
            }
        };
        Ok(Some((KvOp { slot, kind }, String::new())))
    }
}

impl Model for KvModel {
    type Part = KvPartition;

    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError> {
        if !self.partitioned {
            return Ok(Cow::Borrowed(""));
        }
        let key = op.input.get("key").map(|key| match key {
            Json::String(text) => Cow::Borrowed(&**text),
            other => Cow::Owned(key_text(other)),
        });
        key.ok_or_else(|| {
            OpError::new(
                op,
                format!("kv needs a \"key\" in the value, got {}", op.input),
            )
        })
    }

    fn compile(&self, _key: &str, ops: &[&Operation]) -> Result<KvPartition, OpError> {
        let mut slots = HashMap::new();
        let mut strings = Interner::default();
        let mut part = KvPartition {
            timings: Vec::new(),
            ops: Vec::new(),
            appended: Vec::new(),
            strings: Interner::default(),
            keys: Vec::new(),
            init: Vec::new(),
        };
        for op in ops {
            if let Some((kv, text)) = self.read_op(op, &mut slots, &mut strings)? {
                part.timings.push(Timing::of(op));
                part.ops.push(kv);
                part.appended.push(text);
            }
        }
        let mut keys: Vec<(String, u32)> = slots.into_iter().collect();
        keys.sort_by_key(|(_, slot)| *slot);
        part.init = keys
            .iter()
            .map(|(k, _)| strings.intern(&self.init_of(k)))
            .collect();
        part.keys = keys.into_iter().map(|(k, _)| k).collect();
        part.strings = strings;
        Ok(part)
    }
}

impl Partition for KvPartition {
    type State = KvState;

    fn ops(&self) -> &[Timing] {
        &self.timings
    }

    fn init(&self) -> KvState {
        KvState(self.init.iter().flat_map(|&s| [s, 0]).collect())
    }

    fn step(&self, state: &KvState, op: usize, next: &mut Vec<KvState>) {
        let KvOp { slot, kind } = self.ops[op];
        let at = state.segment(slot);
        let n = state.0[at + 1] as usize;
        let (before, rest) = state.0.split_at(at);
        let after = &rest[2 + n..];
        let observed = |string: u32| {
            let mut s = Vec::with_capacity(before.len() + 2 + after.len());
            s.extend_from_slice(before);
            s.extend_from_slice(&[string, 0]);
            s.extend_from_slice(after);
            KvState(s)
        };
        match kind {
            KvKind::Put(v) => next.push(observed(v)),
            KvKind::Get(read) => {
                let text = self.strings.text(read);
                let base = self.strings.text(rest[0]);
                let Some(tail) = text.strip_prefix(base) else {
                    return;
                };
                let pending = Pending {
                    ops: &rest[2..2 + n],
                    values: &self.appended,
                    timings: &self.timings,
                };
                if pending.explains(tail) {
                    next.push(observed(read));
                }
            }
            KvKind::Append => {
                let mut s = Vec::with_capacity(state.0.len() + 1);
                s.extend_from_slice(before);
                s.extend_from_slice(&[rest[0], n as u32 + 1]);
                let pend = &rest[2..2 + n];
                let pos = pend.partition_point(|&p| p < op as u32);
                s.extend_from_slice(&pend[..pos]);
                s.push(op as u32);
                s.extend_from_slice(&pend[pos..]);
                s.extend_from_slice(after);
                next.push(KvState(s));
            }
        }
    }

    fn observes_only(&self, op: usize) -> bool {
        matches!(self.ops[op].kind, KvKind::Get(_))
    }

    fn effect_key(&self, op: usize) -> Option<u64> {
        let KvOp { slot, kind } = self.ops[op];
        match kind {
            KvKind::Put(v) => Some((u64::from(slot) << 32) | u64::from(v)),
            _ => None,
        }
    }

    fn state_heap_bytes(&self, state: &KvState) -> usize {
        state.0.len() * 4
    }

    fn describe_op(&self, op: usize) -> String {
        let KvOp { slot, kind } = self.ops[op];
        let key = &self.keys[slot as usize];
        let what = match kind {
            KvKind::Get(s) => format!("get {key:?} -> {:?}", self.strings.text(s)),
            KvKind::Put(s) => format!("put {key:?} {:?}", self.strings.text(s)),
            KvKind::Append => format!("append {key:?} {:?}", self.appended[op]),
        };
        format!("op {} ({what})", self.timings[op].source)
    }

    fn describe_state(&self, state: &KvState) -> String {
        let mut parts = Vec::new();
        for (slot, key) in self.keys.iter().enumerate() {
            let at = state.segment(slot as u32);
            let n = state.0[at + 1] as usize;
            let mut text = format!("{key:?} = {:?}", self.strings.text(state.0[at]));
            if n > 0 {
                let apps: Vec<String> = state.0[at + 2..at + 2 + n]
                    .iter()
                    .map(|&p| format!("{:?}", self.appended[p as usize]))
                    .collect();
                text.push_str(&format!(
                    " followed by appends {} in an order no read has seen",
                    apps.join(", ")
                ));
            }
            parts.push(text);
        }
        parts.join("; ")
    }
}
