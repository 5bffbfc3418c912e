//! The model trait: what a sequential specification must tell the linearizability search.
//!
//! A [`Model`] reads a history's operations: it names each one's partition (P-compositionality)
//! and compiles the operations of one partition into a [`Partition`]: a sequential object with an
//! initial state and a step function, plus the timing of every operation the search must place.

use crate::history::{Operation, Outcome};
use std::borrow::Cow;
use std::hash::Hash;

/// An operation a model cannot read: which one, and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    /// The operation's invocation index.
    pub op: u64,
    /// What was wrong, one sentence.
    pub message: String,
}

impl OpError {
    /// An error about operation `op`.
    pub fn new(op: &Operation, message: impl Into<String>) -> OpError {
        OpError {
            op: op.id,
            message: message.into(),
        }
    }
}

/// A point on the history's real-time line, ordered first by history position, then by time.
///
/// Real operations sit at odd positions (`2 * event index + 1`); operations a model invents (a
/// hold's expiry) sit at even positions between events, with their time breaking ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    /// `2 * event index + 1` for events, even for instants between events.
    pub position: u64,
    /// Nanoseconds, to order invented instants that fall between the same two events.
    pub time: u64,
}

/// When one operation of a partition may take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The history operation it comes from (its invocation index).
    pub source: u64,
    /// Whether the operation is the history operation itself (`false`: invented by the model).
    pub real: bool,
    /// Its invocation: it takes effect after this.
    pub call: Point,
    /// Its return: it takes effect before this. `None`: it may take effect at any time after its
    /// call, or never (`info` and pending operations).
    pub ret: Option<Point>,
}

impl Timing {
    /// The timing of a history operation: ok operations must take effect between call and return,
    /// all others may take effect after their call or never.
    pub fn of(op: &Operation) -> Timing {
        let ret = match (op.outcome, op.completion) {
            (Outcome::Ok, Some(c)) => Some(Point {
                position: 2 * c + 1,
                time: op.ret.unwrap_or(op.call),
            }),
            _ => None,
        };
        Timing {
            source: op.id,
            real: true,
            call: Point {
                position: 2 * op.id + 1,
                time: op.call,
            },
            ret,
        }
    }

    /// Whether the operation must take effect (it completed ok).
    pub fn required(&self) -> bool {
        self.ret.is_some()
    }
}

/// A sequential specification: reads operations and compiles partitions.
pub trait Model: Sync {
    /// One partition's compiled operations and sequential object.
    type Part: Partition;

    /// The partition an operation belongs to (`""` when the model is unpartitioned), borrowed
    /// from the operation when it can be: millions of operations need no string each.
    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError>;

    /// Compiles the operations of one partition (in invocation order) into a sequential object.
    fn compile(&self, key: &str, ops: &[&Operation]) -> Result<Self::Part, OpError>;

    /// Compiles `sub`, a sub-history of the failing partition `all`, as shrinking judges it
    /// (by default exactly as [`Model::compile`]). A model may let observations that only an
    /// operation outside `sub` could explain constrain nothing (a register read of a value only a
    /// removed write wrote): so a witness keeps the writes that make a read impossible instead of
    /// shrinking to a lone read of a value nothing in it wrote.
    fn compile_witness(
        &self,
        key: &str,
        sub: &[&Operation],
        _all: &[&Operation],
    ) -> Result<Self::Part, OpError> {
        self.compile(key, sub)
    }
}

/// One partition as the search sees it: operations numbered `0..ops().len()`, states, a step.
pub trait Partition: Send + Sync {
    /// A model state: compact, cheap to hash and compare.
    type State: Clone + Eq + Hash + Send;

    /// The operations to place, with their timings.
    fn ops(&self) -> &[Timing];

    /// The initial state.
    fn init(&self) -> Self::State;

    /// Applies operation `op` to `state`, pushing every possible next state onto `next` (none:
    /// the operation cannot take effect in this state; several: the model is nondeterministic).
    fn step(&self, state: &Self::State, op: usize, next: &mut Vec<Self::State>);

    /// Whether operation `op` only observes: it changes nothing in the system (a read), so in any
    /// state the step either refuses it or merely narrows what the state knows. The search places
    /// such an operation at once when its step leaves the state exactly as it was.
    fn observes_only(&self, _op: usize) -> bool {
        false
    }

    /// A key equal for operations with exactly the same effect in every state (`None`: unique).
    /// Of several such operations that may take effect at any time after their call (no return),
    /// any valid order can use the earliest-called ones instead, so the search tries them in
    /// call order only.
    fn effect_key(&self, _op: usize) -> Option<u64> {
        None
    }

    /// The effect of `op` as a move between values of the state, when it is one: `(from, to)`,
    /// meaning that it takes effect exactly in the states of value `from` (in every state when
    /// `from` is `None`), each time to the single state of value `to` (a register's cas and
    /// write). Moves compose: operations whose moves form a path from `a` to `b` can stand in
    /// for a move from `a` to `b`, so a configuration that kept them dominates one that kept
    /// the single move. `None`: the effect is no such move.
    fn effect_move(&self, _op: usize) -> Option<(Option<u64>, u64)> {
        None
    }

    /// Whether [`Partition::hopeless`] can judge states whose first operation to return is
    /// `first` (the search then gathers what may go before it). Default: never.
    fn judges_hopeless(&self, _first: usize) -> bool {
        false
    }

    /// Whether operation `first`, the first still to be placed whose return comes before every
    /// other's, can never be placed from `state`, whatever subset of the operations `before`
    /// (still to be placed, called before `first` returns) goes ahead of it, in whatever order:
    /// a dead end found without trying each subset. It must never say so of a state from which
    /// some order works. Asked only when [`Partition::judges_hopeless`] says so.
    fn hopeless(&self, _state: &Self::State, _first: usize, _before: &[usize]) -> bool {
        false
    }

    /// Approximate heap bytes a state holds beyond its inline size, for the memory budget.
    fn state_heap_bytes(&self, _state: &Self::State) -> usize {
        0
    }

    /// Operation `op` in words, e.g. `alice: place_hold 2 seats of e1 -> h-17`.
    fn describe_op(&self, op: usize) -> String;

    /// A state in words.
    fn describe_state(&self, state: &Self::State) -> String;

    /// A paragraph explaining why none of `stuck` can take effect in `state`.
    fn explain(&self, state: &Self::State, stuck: &[usize]) -> String {
        explain_stuck(self, state, stuck)
    }
}

/// The explanation every model can give: the state after the longest order found, and the
/// operations none of which can happen next.
pub fn explain_stuck<P: Partition + ?Sized>(part: &P, state: &P::State, stuck: &[usize]) -> String {
    let ops: Vec<String> = stuck.iter().map(|&op| part.describe_op(op)).collect();
    format!(
        "No order of the operations agrees with every result. After the longest order found, \
         the state is {}, and none of these can happen next: {}.",
        part.describe_state(state),
        ops.join("; ")
    )
}
