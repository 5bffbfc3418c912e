//! The history as the search walks it: call and return entries in real-time order, in a
//! doubly linked list from which linearized operations are lifted and restored (dancing links).

use crate::model::Timing;

/// The list node index that marks both ends of the list.
pub(crate) const END: u32 = 0;

/// Call and return entries of every operation, linked in real-time order.
pub(crate) struct Entries {
    next: Vec<u32>,
    prev: Vec<u32>,
    /// The operation of each node (node 0, the sentinel, has none).
    op: Vec<u32>,
    /// Whether each node is a call (else a return).
    call: Vec<bool>,
    call_node: Vec<u32>,
    /// Each operation's return node, or `END` when it may take effect at any time.
    ret_node: Vec<u32>,
}

impl Entries {
    /// Links the entries of `timings`; operations with no return get no return entry.
    pub fn new(timings: &[Timing]) -> Entries {
        let mut order: Vec<(crate::model::Point, bool, u32)> =
            Vec::with_capacity(timings.len() * 2);
        for (i, t) in timings.iter().enumerate() {
            order.push((t.call, false, i as u32));
            if let Some(ret) = t.ret {
                order.push((ret, true, i as u32));
            }
        }
        order.sort_unstable();
        // Between two returns, calls may come in any order without changing which operations
        // can go next: try the required ones before those that may never take effect.
        for run in order.split_mut(|&(_, is_ret, _)| is_ret) {
            run.sort_by_key(|&(_, _, op)| timings[op as usize].ret.is_none());
        }
        let nodes = order.len() + 1;
        let mut e = Entries {
            next: (1..=nodes as u32).map(|n| n % nodes as u32).collect(),
            prev: (0..nodes as u32)
                .map(|n| (n + nodes as u32 - 1) % nodes as u32)
                .collect(),
            op: vec![u32::MAX; nodes],
            call: vec![false; nodes],
            call_node: vec![END; timings.len()],
            ret_node: vec![END; timings.len()],
        };
        for (k, &(_, is_ret, op)) in order.iter().enumerate() {
            let node = k as u32 + 1;
            e.op[node as usize] = op;
            e.call[node as usize] = !is_ret;
            if is_ret {
                e.ret_node[op as usize] = node;
            } else {
                e.call_node[op as usize] = node;
            }
        }
        e
    }

    /// The first entry still in the list (`END` when empty).
    #[inline]
    pub fn first(&self) -> u32 {
        self.next[END as usize]
    }

    /// The entry after `node`.
    #[inline]
    pub fn next(&self, node: u32) -> u32 {
        self.next[node as usize]
    }

    /// Whether `node` is a call entry.
    #[inline]
    pub fn is_call(&self, node: u32) -> bool {
        self.call[node as usize]
    }

    /// The operation of `node`.
    #[inline]
    pub fn op(&self, node: u32) -> usize {
        self.op[node as usize] as usize
    }

    /// The call entry of `op`.
    #[inline]
    pub fn call_node(&self, op: usize) -> u32 {
        self.call_node[op]
    }

    fn unlink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = n;
        self.prev[n as usize] = p;
    }

    fn relink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = node;
        self.prev[n as usize] = node;
    }

    /// Removes `op`'s entries (it has been linearized).
    #[inline]
    pub fn lift(&mut self, op: usize) {
        self.unlink(self.call_node[op]);
        let ret = self.ret_node[op];
        if ret != END {
            self.unlink(ret);
        }
    }

    /// Restores `op`'s entries; must undo the most recent `lift` still in effect.
    #[inline]
    pub fn unlift(&mut self, op: usize) {
        let ret = self.ret_node[op];
        if ret != END {
            self.relink(ret);
        }
        self.relink(self.call_node[op]);
    }
}
