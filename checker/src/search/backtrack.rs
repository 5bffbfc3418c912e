//! Wing & Gong's backtracking over the operations that may take effect next, with Lowe's
//! memoization of (linearized set, state).
//!
//! Two refinements keep it small. Operations with no return (`info`, pending) may take effect at
//! any time after their call, or never: they have no return entry, and the search succeeds once
//! every required operation is placed. And an operation that leaves the state unchanged (a read
//! that matches, a refused cas) is placed at once and never reconsidered: moving such an
//! observation earlier in any linearization keeps that linearization valid, so if nothing works
//! after placing it, nothing works without placing it either. (Only observations: a write of the
//! value already there also leaves the state unchanged now, but not where it really happened.)

use super::bitset::Bitset;
use super::budget::Budget;
use super::cache::Cache;
use super::entries::{Entries, END};
use super::failure::replay;
use super::{SearchOutcome, Stop};
use crate::model::Partition;

/// How often (in search steps) the budget is checked.
const CHECK_EVERY: u64 = 1 << 12;

/// A placed operation, and what to restore when it is taken back.
struct Frame<S> {
    op: u32,
    prev: S,
    /// Which of the step's successors is in effect.
    choice: u32,
    /// Untried successors: `alts[alt_next..alt_end]`.
    alt_next: usize,
    alt_end: usize,
    alt_start: usize,
    /// Placed because it left the state unchanged: failing after it fails its parent too.
    forced: bool,
}

/// Links each operation with no return to the previous one (by call) with the same effect.
fn twins<P: Partition>(part: &P) -> Vec<u32> {
    let timings = part.ops();
    let mut order: Vec<usize> = (0..timings.len())
        .filter(|&i| timings[i].ret.is_none())
        .collect();
    order.sort_by_key(|&i| timings[i].call);
    let mut last = std::collections::HashMap::new();
    let mut twin = vec![u32::MAX; timings.len()];
    for i in order {
        if let Some(key) = part.effect_key(i) {
            if let Some(prev) = last.insert(key, i as u32) {
                twin[i] = prev;
            }
        }
    }
    twin
}

/// Searches one partition for a linearization by backtracking, in at most `steps` search steps
/// (beyond: stopped).
pub(crate) fn search<P: Partition>(
    part: &P,
    budget: &Budget,
    steps: u64,
) -> SearchOutcome<P::State> {
    let mut s = Search::new(part);
    let outcome = s.run(budget, steps);
    budget.release(s.reported);
    outcome
}

struct Search<'p, P: Partition> {
    part: &'p P,
    entries: Entries,
    /// For an operation with no return: the previous such operation with the same effect (by
    /// call), which must be placed first; `u32::MAX` when none.
    twin: Vec<u32>,
    bits: Bitset,
    cache: Cache<P::State>,
    stack: Vec<Frame<P::State>>,
    alts: Vec<(u32, P::State)>,
    /// The best prefix: `(op, choice)` pairs, equal to `stack[..low]` up to `low`.
    best: Vec<(u32, u32)>,
    low: usize,
    /// The operations that may go before the first to return (see [`Partition::hopeless`]).
    before: Vec<usize>,
    /// Whether the model judges any operation's dead ends ([`Partition::judges_hopeless`]):
    /// when not, the search never looks for them.
    judges: bool,
    /// Memory this search has reported to the budget.
    reported: u64,
}

impl<'p, P: Partition> Search<'p, P> {
    fn new(part: &'p P) -> Self {
        let n = part.ops().len();
        let bits = Bitset::new(n);
        Search {
            part,
            entries: Entries::new(part.ops()),
            twin: twins(part),
            cache: Cache::new(bits.words().len()),
            bits,
            stack: Vec::new(),
            alts: Vec::new(),
            best: Vec::new(),
            low: 0,
            before: Vec::new(),
            judges: (0..n).any(|op| part.judges_hopeless(op)),
            reported: 0,
        }
    }

    fn remember(&mut self, state: &P::State) -> bool {
        let part = self.part;
        self.cache
            .insert(&self.bits, state, |s| part.state_heap_bytes(s))
    }

    /// Whether the model can tell that `state`, with the operations placed so far, is a dead
    /// end ([`Partition::hopeless`]).
    fn hopeless(&mut self, state: &P::State) -> bool {
        if !self.judges {
            return false;
        }
        let mut entry = self.entries.first();
        while entry != END && self.entries.is_call(entry) {
            entry = self.entries.next(entry);
        }
        if entry == END || !self.part.judges_hopeless(self.entries.op(entry)) {
            return false;
        }
        let (first, returns) = (self.entries.op(entry), entry);
        self.before.clear();
        let mut entry = self.entries.first();
        while entry != returns {
            let op = self.entries.op(entry);
            if op != first {
                self.before.push(op);
            }
            entry = self.entries.next(entry);
        }
        self.part.hopeless(state, first, &self.before)
    }

    fn note_best(&mut self) {
        if self.stack.len() > self.best.len() {
            self.best.truncate(self.low);
            self.best
                .extend(self.stack[self.low..].iter().map(|f| (f.op, f.choice)));
            self.low = self.stack.len();
        }
    }

    fn run(&mut self, budget: &Budget, steps: u64) -> SearchOutcome<P::State> {
        let part = self.part;
        let timings = part.ops();
        let mut required_left = timings.iter().filter(|t| t.required()).count();
        let mut state = part.init();
        let mut out: Vec<P::State> = Vec::new();
        let mut entry = self.entries.first();
        // Each scan of the operations that may go next first looks for an observation that
        // holds in the state as it is (placed at once, see the module's doc), and only then
        // tries each operation in order: an update placed ahead of a read it followed makes the
        // read fail, and every order of the concurrent updates is tried before that is undone.
        let mut observations_first = true;
        let mut ticks: u64 = 0;
        loop {
            if required_left == 0 {
                return SearchOutcome::Linearizable;
            }
            ticks += 1;
            if ticks > steps {
                return SearchOutcome::Stopped(Stop::Exhausted(format!(
                    "the backtracking search took more than {steps} steps"
                )));
            }
            if ticks % CHECK_EVERY == 0 {
                let now = self.cache.bytes();
                let burst = self.cache.burst(2 * CHECK_EVERY as usize);
                let checked = budget.check(self.reported, now, burst);
                self.reported = now;
                if let Err(stop) = checked {
                    return SearchOutcome::Stopped(stop);
                }
            }
            let mut backtrack = entry == END || !self.entries.is_call(entry);
            if backtrack && observations_first {
                observations_first = false;
                entry = self.entries.first();
                continue;
            }
            if !backtrack {
                let op = self.entries.op(entry);
                if observations_first && !part.observes_only(op) {
                    entry = self.entries.next(entry);
                    continue;
                }
                let twin = self.twin[op];
                if twin != u32::MAX && !self.bits.contains(twin as usize) {
                    entry = self.entries.next(entry);
                    continue;
                }
                out.clear();
                part.step(&state, op, &mut out);
                if out.is_empty() {
                    entry = self.entries.next(entry);
                    continue;
                }
                let forced = part.observes_only(op) && out.len() == 1 && out[0] == state;
                if observations_first && !forced {
                    entry = self.entries.next(entry);
                    continue;
                }
                self.bits.set(op);
                let alt_start = self.alts.len();
                let mut chosen = None;
                for (i, next) in out.drain(..).enumerate() {
                    if chosen.is_some() {
                        self.alts.push((i as u32, next));
                    } else if self.remember(&next) {
                        chosen = Some((i as u32, next));
                    }
                }
                match chosen {
                    Some((choice, next)) => {
                        self.stack.push(Frame {
                            op: op as u32,
                            prev: std::mem::replace(&mut state, next),
                            choice,
                            alt_next: alt_start,
                            alt_end: self.alts.len(),
                            alt_start,
                            forced,
                        });
                        self.entries.lift(op);
                        if timings[op].required() {
                            required_left -= 1;
                        }
                        self.note_best();
                        entry = self.entries.first();
                        observations_first = true;
                        if self.hopeless(&state) {
                            (entry, observations_first) = (END, false);
                        }
                    }
                    None => {
                        self.bits.clear(op);
                        if forced {
                            backtrack = true;
                        } else {
                            entry = self.entries.next(entry);
                        }
                    }
                }
            }
            if !backtrack {
                continue;
            }
            // Take back placed operations until one has an untried successor or a next candidate.
            loop {
                let Some(frame) = self.stack.last_mut() else {
                    return SearchOutcome::NotLinearizable(replay(self.part, &self.best));
                };
                let mut resumed = None;
                while frame.alt_next < frame.alt_end {
                    let k = frame.alt_next;
                    frame.alt_next += 1;
                    let (choice, ref alt) = self.alts[k];
                    if self
                        .cache
                        .insert(&self.bits, alt, |s| part.state_heap_bytes(s))
                    {
                        resumed = Some((choice, alt.clone()));
                        break;
                    }
                }
                if let Some((choice, alt)) = resumed {
                    let depth = self.stack.len() - 1;
                    self.stack[depth].choice = choice;
                    state = alt;
                    self.low = self.low.min(depth);
                    self.note_best();
                    entry = self.entries.first();
                    observations_first = true;
                    if self.hopeless(&state) {
                        (entry, observations_first) = (END, false);
                    }
                    break;
                }
                let Some(frame) = self.stack.pop() else {
                    unreachable!()
                };
                let op = frame.op as usize;
                state = frame.prev;
                self.bits.clear(op);
                self.entries.unlift(op);
                if timings[op].required() {
                    required_left += 1;
                }
                self.alts.truncate(frame.alt_start);
                self.low = self.low.min(self.stack.len());
                if !frame.forced {
                    entry = self.entries.next(self.entries.call_node(op));
                    observations_first = false;
                    break;
                }
            }
        }
    }
}
