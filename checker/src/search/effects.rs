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
pub(crate) type Signature = [u32; LANES];

/// Whether `a` is no greater than `b` in every lane: necessary for dominance.
#[inline]
pub(crate) fn le(a: &Signature, b: &Signature) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
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
            scratch: RefCell::default(),
        }
    }

    /// A summary of `used` that a configuration can only dominate another's if its summary is
    /// no greater in every lane (see [`le`]): per value (folded into the first lanes), how many
    /// used moves end there, and how many of each class that is no move were used; in the last
    /// lane, how many moves from any value were used. Any path standing in for a move ends with
    /// a move to the same value, and one standing in for a move from any value starts with one.
    pub fn signature(&self, used: &[u32]) -> Signature {
        let mut lanes = [0; LANES];
        for (class, &n) in used.iter().enumerate() {
            let lane = match self.moves[class] {
                Some(m) => {
                    if m.from == NONE {
                        lanes[LANES - 1] += n;
                    }
                    m.to as usize
                }
                None => class,
            };
            lanes[lane % (LANES - 1)] += n;
        }
        lanes
    }

    /// How many classes there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether a configuration that has used `a` (counts per class) can do everything one that
    /// has used `b` can (same state, same operations placed, same point of the history): each
    /// operation `b` has left and `a` has not is stood in for by a path of moves `a` has left
    /// and `b` has not, found greedily (a miss only keeps both configurations).
    pub fn dominates(&self, a: &[u32], b: &[u32]) -> bool {
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
