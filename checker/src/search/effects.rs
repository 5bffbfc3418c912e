//! Unknown-outcome operations grouped into classes of identical effect, and the dominance
//! between two configurations' uses of them.
//!
//! Operations of one class (same [`Partition::effect_key`]) are interchangeable once called, so
//! a configuration only counts how many of each class it has used (always the earliest-called
//! first). Where effects are moves between values ([`Partition::effect_move`]: a register's
//! write and cas), a path of moves does what one move does, so a configuration that kept a path
//! can do everything one that kept the single move can.

use crate::model::Partition;
use std::cell::RefCell;
use std::collections::HashMap;

/// No class: the operation is required.
pub(crate) const NONE: u32 = u32::MAX;

/// A class's effect as a move between dense value numbers; `from` [`NONE`]: from any value.
#[derive(Clone, Copy)]
struct Move {
    from: u32,
    to: u32,
}

/// The classes of a partition's unknown-outcome operations.
pub(crate) struct Effects {
    /// Each operation's class, or [`NONE`] for required operations.
    pub class_of: Vec<u32>,
    /// Each class's operations in call order: a configuration that has used `n` of a class has
    /// used the first `n`.
    pub members: Vec<Vec<u32>>,
    /// Each class's move, when its effect is one.
    moves: Vec<Option<Move>>,
    /// For each value, the classes moving from it.
    out_of: Vec<Vec<u32>>,
    /// The classes moving from any value.
    from_any: Vec<u32>,
    /// Whether every unknown-outcome effect may be used any number of times (see
    /// [`Effects::relax`]): then any configuration dominates another with the same key.
    relaxed: bool,
    /// Buffers [`Effects::dominates`] reuses.
    scratch: RefCell<Scratch>,
}

/// Working memory of one dominance test.
#[derive(Default)]
struct Scratch {
    /// Per class: what one configuration has left beyond the other (negative: short).
    spare: Vec<i64>,
    /// Per value: how a path search reached it.
    via: Vec<u32>,
    queue: Vec<u32>,
}

/// Lanes of a [`Signature`].
pub(crate) const LANES: usize = 8;

/// A summary of a configuration's used effects (see [`Effects::signature`]).
#[derive(Clone, Copy)]
pub(crate) struct Signature {
    /// Per value (folded into the first lanes): used moves that end there, and used classes that
    /// are no moves; in the last lane, used moves from any value.
    into: [u32; LANES],
    /// Per value (folded): used moves from it.
    out: [u32; LANES],
}

/// Whether a configuration summarized by `a` may dominate one summarized by `b`: false only
/// when it cannot. Each path standing in for a move ends with a move to the same value (so `a`
/// has used no more moves into any value); one standing in for a move from any value starts
/// with one (so no more of those either); and one standing in for a move from `x` starts with a
/// move from `x` or from any value (so the moves from any value `b` used beyond `a` cover what
/// `a` used beyond `b` from each value).
#[inline]
pub(crate) fn may_dominate(a: &Signature, b: &Signature) -> bool {
    if !a.into.iter().zip(&b.into).all(|(x, y)| x <= y) {
        return false;
    }
    let beyond: u32 = a
        .out
        .iter()
        .zip(&b.out)
        .map(|(x, y)| x.saturating_sub(*y))
        .sum();
    beyond <= b.into[LANES - 1] - a.into[LANES - 1]
}

/// A value no path search has reached.
const UNSEEN: u32 = u32::MAX - 1;

impl Effects {
    /// Classes of the unknown-outcome operations of `part`, taken in `call_order` (every
    /// operation, by call).
    pub fn new<P: Partition>(part: &P, call_order: &[u32]) -> Effects {
        let timings = part.ops();
        let mut class_of = vec![NONE; timings.len()];
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut by_key: HashMap<u64, u32> = HashMap::new();
        for &op in call_order {
            if timings[op as usize].required() {
                continue;
            }
            let fresh = members.len() as u32;
            let class = match part.effect_key(op as usize) {
                Some(key) => *by_key.entry(key).or_insert(fresh),
                None => fresh,
            };
            if class == fresh {
                members.push(Vec::new());
            }
            members[class as usize].push(op);
            class_of[op as usize] = class;
        }
        let mut values: HashMap<u64, u32> = HashMap::new();
        let mut dense = |v: u64| {
            let next = values.len() as u32;
            *values.entry(v).or_insert(next)
        };
        let moves: Vec<Option<Move>> = members
            .iter()
            .map(|ops| {
                part.effect_move(ops[0] as usize).map(|(from, to)| Move {
                    from: from.map_or(NONE, &mut dense),
                    to: dense(to),
                })
            })
            .collect();
        let mut out_of = vec![Vec::new(); values.len()];
        let mut from_any = Vec::new();
        for (class, m) in moves.iter().enumerate() {
            match m {
                Some(m) if m.from == NONE => from_any.push(class as u32),
                Some(m) => out_of[m.from as usize].push(class as u32),
                None => {}
            }
        }
        Effects {
            class_of,
            members,
            moves,
            out_of,
            from_any,
            relaxed: false,
            scratch: RefCell::default(),
        }
    }

    /// The same classes, each usable any number of times once called: a search over them
    /// allows every order the real history allows and more, so when it finds none, there is
    /// none. What was used no longer matters, so one configuration per state and operations
    /// placed is enough: the one that used an operation again fewest times, counted in an extra
    /// last place of the used counts (see [`Effects::used_len`]).
    pub fn relax(mut self) -> Effects {
        self.relaxed = true;
        self
    }

    /// Whether [`Effects::relax`] made every effect reusable.
    pub fn relaxed(&self) -> bool {
        self.relaxed
    }

    /// A summary of `used` by which most configurations that cannot dominate another are told
    /// apart at once (see [`may_dominate`]).
    pub fn signature(&self, used: &[u32]) -> Signature {
        let mut sig = Signature {
            into: [0; LANES],
            out: [0; LANES],
        };
        if self.relaxed {
            return sig;
        }
        for (class, &n) in used.iter().enumerate() {
            let lane = match self.moves[class] {
                Some(m) if m.from == NONE => {
                    sig.into[LANES - 1] += n;
                    m.to as usize
                }
                Some(m) => {
                    sig.out[m.from as usize % LANES] += n;
                    m.to as usize
                }
                None => class,
            };
            sig.into[lane % (LANES - 1)] += n;
        }
        sig
    }

    /// How many classes there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// How many counts a configuration's used effects take: one per class, and when relaxed one
    /// more, of operations used again.
    pub fn used_len(&self) -> usize {
        self.len() + usize::from(self.relaxed)
    }

    /// Whether a configuration that has used `a` (counts per class) can do everything one that
    /// has used `b` can (same state, same operations placed, same point of the history): each
    /// operation `b` has left and `a` has not is stood in for by a path of moves `a` has left
    /// and `b` has not, found greedily (a miss only keeps both configurations).
    pub fn dominates(&self, a: &[u32], b: &[u32]) -> bool {
        if self.relaxed {
            return a.last() <= b.last();
        }
        if a.iter().zip(b).all(|(x, y)| x <= y) {
            return true;
        }
        let mut scratch = self.scratch.borrow_mut();
        let Scratch { spare, via, queue } = &mut *scratch;
        spare.clear();
        spare.extend(a.iter().zip(b).map(|(&x, &y)| i64::from(y) - i64::from(x)));
        for class in 0..spare.len() {
            while spare[class] < 0 {
                let Some(m) = self.moves[class] else {
                    return false;
                };
                if !self.take_path(spare, via, queue, m) {
                    return false;
                }
                spare[class] += 1;
            }
        }
        true
    }

    /// Finds a path of moves with `spare` left that does what `m` does, and takes it.
    fn take_path(
        &self,
        spare: &mut [i64],
        via: &mut Vec<u32>,
        queue: &mut Vec<u32>,
        m: Move,
    ) -> bool {
        // How each value was reached: the class of the last move (NONE: the start).
        via.clear();
        via.resize(self.out_of.len(), UNSEEN);
        queue.clear();
        if m.from != NONE {
            via[m.from as usize] = NONE;
            queue.push(m.from);
        }
        for &c in &self.from_any {
            let Some(to) = self.moves[c as usize].map(|w| w.to) else {
                continue;
            };
            if spare[c as usize] > 0 && via[to as usize] == UNSEEN {
                via[to as usize] = c;
                queue.push(to);
            }
        }
        let mut at = 0;
        while at < queue.len() && via[m.to as usize] == UNSEEN {
            let v = queue[at];
            at += 1;
            for &c in &self.out_of[v as usize] {
                let Some(to) = self.moves[c as usize].map(|w| w.to) else {
                    continue;
                };
                if spare[c as usize] > 0 && via[to as usize] == UNSEEN {
                    via[to as usize] = c;
                    queue.push(to);
                }
            }
        }
        if via[m.to as usize] == UNSEEN || via[m.to as usize] == NONE {
            return false;
        }
        let mut v = m.to;
        while via[v as usize] != NONE {
            let c = via[v as usize];
            spare[c as usize] -= 1;
            let Some(step) = self.moves[c as usize] else {
                return false;
            };
            if step.from == NONE {
                break;
            }
            v = step.from;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Effects;
    use crate::model::{Partition, Point, Timing};

    /// A register whose operations all have unknown outcomes: each a move `(from, to)`.
    struct Moves {
        timings: Vec<Timing>,
        moves: Vec<(Option<u64>, u64)>,
    }

    impl Moves {
        fn new(moves: &[(Option<u64>, u64)]) -> Moves {
            let at = |i: usize| Point {
                position: 2 * i as u64 + 1,
                time: i as u64,
            };
            let timings = (0..moves.len())
                .map(|i| Timing {
                    source: i as u64,
                    real: true,
                    call: at(i),
                    ret: None,
                })
                .collect();
            Moves {
                timings,
                moves: moves.to_vec(),
            }
        }
    }

    impl Partition for Moves {
        type State = u64;
        fn ops(&self) -> &[Timing] {
            &self.timings
        }
        fn init(&self) -> u64 {
            0
        }
        fn step(&self, state: &u64, op: usize, next: &mut Vec<u64>) {
            let (from, to) = self.moves[op];
            if from.is_none_or(|f| f == *state) {
                next.push(to);
            }
        }
        fn effect_key(&self, op: usize) -> Option<u64> {
            let (from, to) = self.moves[op];
            Some(from.map_or(u64::MAX, |f| f << 32) ^ to)
        }
        fn effect_move(&self, op: usize) -> Option<(Option<u64>, u64)> {
            Some(self.moves[op])
        }
        fn describe_op(&self, op: usize) -> String {
            format!("{:?}", self.moves[op])
        }
        fn describe_state(&self, state: &u64) -> String {
            state.to_string()
        }
    }

    /// The classes of `moves` (one operation each, called in order).
    fn effects(moves: &[(Option<u64>, u64)]) -> Effects {
        let part = Moves::new(moves);
        let order: Vec<u32> = (0..moves.len() as u32).collect();
        Effects::new(&part, &order)
    }

    #[test]
    fn a_kept_write_stands_in_for_a_used_cas_to_its_value_but_not_the_reverse() {
        // Class 0: cas 0 -> 1; class 1: write 1.
        let e = effects(&[(Some(0), 1), (None, 1)]);
        assert!(e.dominates(&[1, 0], &[0, 1]));
        assert!(!e.dominates(&[0, 1], &[1, 0]));
    }

    #[test]
    fn a_kept_chain_of_cas_stands_in_for_one_cas_but_not_for_a_write() {
        // Class 0: cas 0 -> 1; 1: cas 0 -> 2; 2: cas 2 -> 1; 3: write 1.
        let e = effects(&[(Some(0), 1), (Some(0), 2), (Some(2), 1), (None, 1)]);
        assert!(e.dominates(&[1, 0, 0, 0], &[0, 1, 1, 0]));
        assert!(!e.dominates(&[0, 1, 1, 0], &[1, 0, 0, 0]));
        assert!(!e.dominates(&[0, 0, 0, 1], &[0, 1, 1, 0]));
    }

    #[test]
    fn a_write_then_a_cas_stands_in_for_a_write_and_each_path_is_used_once() {
        // Class 0: write 2; 1: cas 2 -> 1; 2: write 1; 3: cas 0 -> 1.
        let e = effects(&[(None, 2), (Some(2), 1), (None, 1), (Some(0), 1)]);
        assert!(e.dominates(&[0, 0, 1, 0], &[1, 1, 0, 0]));
        // Two moves to 1 used, one path kept: not enough.
        assert!(!e.dominates(&[0, 0, 1, 1], &[1, 1, 0, 0]));
    }
}
