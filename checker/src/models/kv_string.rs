//! Matching a read string against appends whose order is not yet known.
//!
//! The kv model does not fix the order of appends until a read observes it: its state is the last
//! observed string plus the set of appends since. A read then must equal that string followed by
//! the pending appends in some order that real time allows.

use crate::model::{Point, Timing};
use std::collections::HashSet;

/// The appends a read may have seen, in no particular order.
pub(crate) struct Pending<'a> {
    /// Partition-local indices of the pending append operations.
    pub ops: &'a [u32],
    /// The appended text of each partition operation (empty for non-appends).
    pub values: &'a [String],
    /// Each partition operation's timing.
    pub timings: &'a [Timing],
}

/// The matching in progress: which pending appends are placed, and the placements known to fail.
struct Matching {
    used: Vec<bool>,
    /// Sets of placed appends from which no completion works. The rest of the string and the
    /// latest call so far depend only on this set, so each is tried once (appends of equal text
    /// would otherwise be tried in every order).
    failed: HashSet<Vec<bool>>,
}

impl Pending<'_> {
    /// Whether `rest` is the concatenation of all pending appends in an order real time allows
    /// (no append placed after one that was invoked after it returned).
    pub fn explains(&self, rest: &str) -> bool {
        let total: usize = self
            .ops
            .iter()
            .map(|&op| self.values[op as usize].len())
            .sum();
        if total != rest.len() {
            return false;
        }
        let mut m = Matching {
            used: vec![false; self.ops.len()],
            failed: HashSet::new(),
        };
        self.search(rest, &mut m, self.ops.len(), None)
    }

    /// Whether pending append `a` must return before `b` (no return: last), calls breaking ties.
    fn earlier(&self, a: usize, b: usize) -> bool {
        let key = |i: usize| {
            let t = &self.timings[self.ops[i] as usize];
            (t.ret.is_none(), t.ret, t.call)
        };
        key(a) < key(b)
    }

    /// The earliest return of the appends not placed yet.
    fn first_return(&self, m: &Matching) -> Option<Point> {
        (0..self.ops.len())
            .filter(|&j| !m.used[j])
            .filter_map(|j| self.timings[self.ops[j] as usize].ret)
            .min()
    }

    fn search(
        &self,
        rest: &str,
        m: &mut Matching,
        left: usize,
        latest_call: Option<Point>,
    ) -> bool {
        if left == 0 {
            return rest.is_empty();
        }
        if m.failed.contains(&m.used) {
            return false;
        }
        // Only an append nothing unplaced must precede can go here; of those with equal text
        // that fit, only the one that must return first is tried: any order using another one
        // can swap them (real time is an interval order).
        let first_return = self.first_return(m);
        let mut best: Vec<(usize, &str)> = Vec::new();
        for i in 0..self.ops.len() {
            if m.used[i] {
                continue;
            }
            let op = self.ops[i] as usize;
            let value = self.values[op].as_str();
            let timing = &self.timings[op];
            let in_time = match (timing.ret, latest_call) {
                (Some(ret), Some(call)) => ret > call,
                _ => true,
            };
            // An unplaced append that returned before this one was called must come first (this
            // one's own return is after its call, so it never counts against itself).
            let must_wait = first_return.is_some_and(|r| r < timing.call);
            if !in_time || !rest.starts_with(value) || must_wait {
                continue;
            }
            match best.iter_mut().find(|(_, v)| *v == value) {
                Some(slot) if self.earlier(i, slot.0) => slot.0 = i,
                Some(_) => {}
                None => best.push((i, value)),
            }
        }
        for (i, value) in best {
            let timing = &self.timings[self.ops[i] as usize];
            m.used[i] = true;
            let call = latest_call.map_or(timing.call, |c| c.max(timing.call));
            if self.search(&rest[value.len()..], m, left - 1, Some(call)) {
                return true;
            }
            m.used[i] = false;
        }
        m.failed.insert(m.used.clone());
        false
    }
}
