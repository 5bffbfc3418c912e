//! Matching a read string against appends whose order is not yet known.
//!
//! The kv model does not fix the order of appends until a read observes it: its state is the last
//! observed string plus the set of appends since. A read then must equal that string followed by
//! the pending appends in some order that real time allows.

use crate::model::Timing;

/// The appends a read may have seen, in no particular order.
pub(crate) struct Pending<'a> {
    /// Partition-local indices of the pending append operations.
    pub ops: &'a [u32],
    /// The appended text of each partition operation (empty for non-appends).
    pub values: &'a [String],
    /// Each partition operation's timing.
    pub timings: &'a [Timing],
}

impl Pending<'_> {
    /// Whether `rest` is the concatenation of all pending appends in an order real time allows
    /// (no append placed after one that was invoked after it returned).
    pub fn explains(&self, rest: &str) -> bool {
        let mut used = vec![false; self.ops.len()];
        self.search(rest, &mut used, self.ops.len(), None)
    }

    fn search(
        &self,
        rest: &str,
        used: &mut [bool],
        left: usize,
        latest_call: Option<crate::model::Point>,
    ) -> bool {
        if left == 0 {
            return rest.is_empty();
        }
        for i in 0..self.ops.len() {
            if used[i] {
                continue;
            }
            let op = self.ops[i] as usize;
            let value = self.values[op].as_str();
            let timing = &self.timings[op];
            let in_time = match (timing.ret, latest_call) {
                (Some(ret), Some(call)) => ret > call,
                _ => true,
            };
            if !in_time || !rest.starts_with(value) {
                continue;
            }
            used[i] = true;
            let call = latest_call.map_or(timing.call, |c| c.max(timing.call));
            if self.search(&rest[value.len()..], used, left - 1, Some(call)) {
                return true;
            }
            used[i] = false;
        }
        false
    }
}
