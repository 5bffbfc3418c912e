//! Lowe's just-in-time linearization with a frontier: the history is walked once, in real-time
//! order, keeping every configuration the operations so far can reach.
//!
//! A configuration is a model state, the required operations placed ahead of their return, and
//! the unknown-outcome operations whose effect it has used. An operation is placed only when its
//! return forces it: then every sequence of pending operations ending with it is tried. An
//! unknown-outcome operation's effect is usable from its call on and never required; operations
//! with the same effect form a class of which the earliest-called is used first, so identical
//! effects are counted, not enumerated; and a configuration whose unused effects can do
//! everything another's can (same state, same operations placed) dominates it (see
//! [`Effects`]). Observations (reads, refused cas) are placed as soon as they
//! match: placing an observation earlier never hurts.

use super::antichain::Antichains;
use super::budget::Budget;
use super::effects::{Effects, NONE};
use super::failure::replay;
use super::path::Path;
use super::SearchOutcome;
use crate::model::Partition;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::Hash;

/// How often (in configurations visited) the budget is checked.
const CHECK_EVERY: u32 = 1 << 10;

/// Bytes a configuration costs beyond its state, roughly: hash slot, vectors, path step.
const CONFIG_OVERHEAD: usize = 96;

/// Required operations that may be open at once (the bits of a configuration's `placed`).
pub(crate) const MAX_OPEN: usize = 64;

/// Searches one partition by walking its history with a frontier of configurations.
pub(crate) fn search<P: Partition>(part: &P, budget: &Budget) -> SearchOutcome<P::State> {
    walk(part, budget, false)
}

/// Walks the partition once, exactly or `relaxed` (see [`Effects::relax`]), and gives back to
/// the budget the memory the walk reported.
fn walk<P: Partition>(part: &P, budget: &Budget, relaxed: bool) -> SearchOutcome<P::State> {
    let mut walk = Walk::new(part, relaxed);
    let outcome = walk.run(budget);
    budget.release(walk.reported);
    outcome
}

/// Whether the partition is certainly not linearizable, judged with every unknown-outcome
/// effect reusable (see [`Effects::relax`]): a quick refutation wherever the anomaly does not
/// hinge on how many unknown outcomes there are. Of configurations alike but for their effects,
/// the one that used an operation again fewest times is kept. `None` when the relaxed search
/// finds an order or stops, or when its longest prefix uses an operation twice (no real order
/// does): the exact search must decide, and explain.
pub(crate) fn refute_relaxed<P: Partition>(
    part: &P,
    budget: &Budget,
) -> Option<SearchOutcome<P::State>> {
    let outcome = walk(part, budget, true);
    let SearchOutcome::NotLinearizable(failure) = &outcome else {
        return None;
    };
    let mut placed = vec![false; part.ops().len()];
    let real = failure
        .prefix
        .iter()
        .all(|&op| !std::mem::replace(&mut placed[op], true));
    real.then_some(outcome)
}

/// A configuration on the frontier.
struct Config<S> {
    state: S,
    /// Required operations placed ahead of their return, by open slot (see [`Walk::open_slot`]).
    placed: u64,
    /// How many unknown-outcome operations of each class (see [`Effects`]) it has used.
    used: Vec<u32>,
    path: Path,
}

/// The walk's fixed facts about the partition and its moving position.
struct Walk<'p, P: Partition> {
    part: &'p P,
    /// Calls and returns in real-time order: `(op, is_return)`.
    events: Vec<(u32, bool)>,
    /// The classes of the unknown-outcome operations.
    effects: Effects,
    /// How many operations of each class have been called so far.
    called: Vec<u32>,
    /// The classes with an operation called so far, in order of their first call.
    live: Vec<u32>,
    /// Required operations called and not yet returned.
    open: Vec<u32>,
    /// Each open required operation's slot: its bit in a configuration's `placed`.
    open_slot: Vec<u32>,
    /// Slots free for the next call.
    free_slots: Vec<u32>,
    ticks: u32,
    /// Memory this walk has reported to the budget.
    reported: u64,
}

impl<'p, P: Partition> Walk<'p, P> {
    fn new(part: &'p P, relaxed: bool) -> Self {
        let timings = part.ops();
        let mut order = Vec::with_capacity(timings.len() * 2);
        for (i, t) in timings.iter().enumerate() {
            order.push((t.call, false, i as u32));
            if let Some(ret) = t.ret {
                order.push((ret, true, i as u32));
            }
        }
        order.sort_unstable();
        let calls: Vec<u32> = order.iter().filter(|e| !e.1).map(|e| e.2).collect();
        let mut effects = Effects::new(part, &calls);
        if relaxed {
            effects = effects.relax();
        }
        Walk {
            part,
            events: order.into_iter().map(|(_, r, op)| (op, r)).collect(),
            called: vec![0; effects.len()],
            live: Vec::new(),
            effects,
            open: Vec::new(),
            open_slot: vec![u32::MAX; timings.len()],
            free_slots: (0..MAX_OPEN as u32).rev().collect(),
            ticks: 0,
            reported: 0,
        }
    }

    fn run(&mut self, budget: &Budget) -> SearchOutcome<P::State> {
        let mut frontier = vec![Config {
            state: self.part.init(),
            placed: 0,
            used: vec![0; self.effects.used_len()],
            path: Path::default(),
        }];
        for at in 0..self.events.len() {
            let (op, is_return) = self.events[at];
            let op = op as usize;
            if !is_return {
                let class = self.effects.class_of[op];
                if class != NONE {
                    if self.called[class as usize] == 0 {
                        self.live.push(class);
                    }
                    self.called[class as usize] += 1;
                    continue;
                }
                let Some(slot) = self.free_slots.pop() else {
                    unreachable!("choose() keeps partitions with more than {MAX_OPEN} open operations from this engine");
                };
                self.open_slot[op] = slot;
                self.open.push(op as u32);
                for config in &mut frontier {
                    self.settle_one(config, op);
                }
                continue;
            }
            let mut next = match self.place(&frontier, op, budget) {
                Ok(next) => next,
                Err(stop) => return SearchOutcome::Stopped(stop),
            };
            if let Some(i) = self.open.iter().position(|&o| o as usize == op) {
                self.open.swap_remove(i);
            }
            self.free_slots.push(self.open_slot[op]);
            if next.len() == 0 {
                let best = frontier
                    .iter()
                    .map(|c| c.path.to_vec())
                    .max_by_key(Vec::len)
                    .unwrap_or_default();
                return SearchOutcome::NotLinearizable(replay(self.part, &best));
            }
            frontier.clear();
            for ((state, placed), group) in next.drain() {
                for entry in group {
                    frontier.push(Config {
                        state: state.clone(),
                        placed,
                        used: entry.used,
                        path: entry.payload,
                    });
                }
            }
        }
        SearchOutcome::Linearizable
    }

    /// Counts one visited configuration; every so often, reports memory and asks the budget.
    fn tick(&mut self, budget: &Budget, bytes: usize) -> Result<(), super::Stop> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % CHECK_EVERY != 0 {
            return Ok(());
        }
        let now = bytes as u64;
        let checked = budget.check(self.reported, now, 0);
        self.reported = now;
        checked
    }

    /// Bytes one configuration with `state` holds, roughly.
    fn config_bytes(&self, state: &P::State) -> usize {
        std::mem::size_of::<P::State>()
            + self.part.state_heap_bytes(state)
            + self.effects.len() * 4
            + CONFIG_OVERHEAD
    }

    /// The bit of open operation `op` in `placed`.
    #[inline]
    fn bit(&self, op: usize) -> u64 {
        1 << self.open_slot[op]
    }

    /// Places the just-called required operation `op` in `config` if it is an observation that
    /// matches the state.
    fn settle_one(&self, config: &mut Config<P::State>, op: usize) {
        if self.matches(&config.state, op) {
            config.placed |= self.bit(op);
            config.path = config.path.then(op, 0);
        }
    }

    /// Whether `op` is an observation that leaves `state` exactly as it is.
    fn matches(&self, state: &P::State, op: usize) -> bool {
        if !self.part.observes_only(op) {
            return false;
        }
        let mut out = Vec::with_capacity(1);
        self.part.step(state, op, &mut out);
        out.len() == 1 && out[0] == *state
    }

    /// Places every open observation that matches `state` and is not yet placed.
    fn settle(&self, state: &P::State, placed: &mut u64, path: &mut Path) {
        for &op in &self.open {
            let bit = self.bit(op as usize);
            if *placed & bit == 0 && self.matches(state, op as usize) {
                *placed |= bit;
                *path = path.then(op as usize, 0);
            }
        }
    }

    /// The unknown-outcome operations `used` may use next: of each class with one called and
    /// unused, the earliest-called unused (relaxed: of each class called, the earliest-called
    /// unused, or the last called once all are).
    fn usable<'a>(&'a self, used: &'a [u32]) -> impl Iterator<Item = usize> + 'a {
        let relaxed = self.effects.relaxed();
        self.live.iter().filter_map(move |&c| {
            let called = self.called[c as usize];
            let n = if relaxed {
                used[c as usize].min(called - 1)
            } else {
                used[c as usize]
            };
            (n < called).then(|| self.effects.members[c as usize][n as usize] as usize)
        })
    }

    /// Every configuration the frontier reaches by placing `due` (whose return has come), after
    /// any sequence of other pending operations and unknown-outcome effects. Configurations are
    /// explored fewest effects used first, so one that a later one dominates is dropped before it
    /// is explored.
    fn place(
        &mut self,
        frontier: &[Config<P::State>],
        due: usize,
        budget: &Budget,
    ) -> Result<Antichains<P::State, Path>, super::Stop> {
        let due_bit = self.bit(due);
        let mut next: Antichains<P::State, Path> = Antichains::new();
        let mut explore = Explore::default();
        let mut bytes = 0;
        for config in frontier {
            let (state, placed) = (config.state.clone(), config.placed);
            let (used, path) = (config.used.clone(), config.path.clone());
            bytes += self.config_bytes(&state);
            if placed & due_bit != 0 {
                next.insert(&self.effects, (state, placed & !due_bit), used, path, drop);
            } else {
                explore.push(&self.effects, state, placed, used, path);
            }
        }
        let mut out = Vec::new();
        while let Some(at) = explore.pop() {
            self.tick(budget, bytes)?;
            let pending = self
                .open
                .iter()
                .map(|&o| o as usize)
                .filter(|&o| at.placed & self.bit(o) == 0);
            let candidates: Vec<usize> = pending.chain(self.usable(&at.used)).collect();
            for op in candidates {
                out.clear();
                self.part.step(&at.state, op, &mut out);
                let class = self.effects.class_of[op];
                for (choice, state) in out.drain(..).enumerate() {
                    let mut placed = at.placed;
                    let mut used = at.used.clone();
                    if class != NONE {
                        if state == at.state {
                            // An unknown outcome that changes nothing is never worth using.
                            continue;
                        }
                        used[class as usize] += 1;
                        if used[class as usize] > self.called[class as usize] {
                            // Only when relaxed: used again, counted in the last place.
                            if let Some(again) = used.last_mut() {
                                *again += 1;
                            }
                        }
                    } else {
                        placed |= self.bit(op);
                    }
                    let mut path = at.path.then(op, choice);
                    self.settle(&state, &mut placed, &mut path);
                    bytes += self.config_bytes(&state);
                    if placed & due_bit != 0 {
                        next.insert(&self.effects, (state, placed & !due_bit), used, path, drop);
                    } else {
                        explore.push(&self.effects, state, placed, used, path);
                    }
                }
            }
        }
        Ok(next)
    }
}

/// The configurations of one step still to explore, fewest effects used first, and those
/// explored or queued, free of dominated ones.
struct Explore<S> {
    /// Queued configurations by id (`None` once taken or dominated).
    queued: Vec<Option<Config<S>>>,
    /// Ids by effects used, fewest first.
    order: BinaryHeap<Reverse<(u32, u32)>>,
    /// Every configuration explored or queued, by id.
    seen: Antichains<S, u32>,
}

impl<S: Eq + Hash> Default for Explore<S> {
    fn default() -> Self {
        Explore {
            queued: Vec::new(),
            order: BinaryHeap::new(),
            seen: Antichains::new(),
        }
    }
}

impl<S: Clone + Eq + Hash> Explore<S> {
    /// Queues a configuration unless one seen dominates it; unqueues those it dominates.
    fn push(&mut self, effects: &Effects, state: S, placed: u64, used: Vec<u32>, path: Path) {
        let id = self.queued.len() as u32;
        let queued = &mut self.queued;
        let cost = used.iter().sum();
        if self
            .seen
            .insert(effects, (state.clone(), placed), used.clone(), id, |gone| {
                queued[gone as usize] = None
            })
        {
            self.queued.push(Some(Config {
                state,
                placed,
                used,
                path,
            }));
            self.order.push(Reverse((cost, id)));
        }
    }

    /// The queued configuration with the fewest effects used.
    fn pop(&mut self) -> Option<Config<S>> {
        while let Some(Reverse((_, id))) = self.order.pop() {
            if let Some(config) = self.queued[id as usize].take() {
                return Some(config);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{refute_relaxed, search};
    use crate::history::History;
    use crate::model::Model;
    use crate::models::register::RegisterModel;
    use crate::search::{Budget, SearchOutcome};

    /// A cas-register history from `(process, type, f, value)` events, in order.
    fn history(events: &[(u64, &str, &str, &str)]) -> History {
        let text: String = events
            .iter()
            .enumerate()
            .map(|(i, (p, t, f, v))| {
                format!(
                    "{{\"index\":{i},\"time\":{i},\"process\":{p},\"type\":\"{t}\",\"f\":\"{f}\",\"value\":{v}}}\n"
                )
            })
            .collect();
        crate::jsonl::read_history(text.as_bytes()).expect("a well-formed history")
    }

    /// The relaxed refutation and the exact search of `h` as one cas-register.
    fn both(h: &History) -> (bool, bool) {
        let model = RegisterModel::new(true, None);
        let ops: Vec<_> = h.operations.iter().collect();
        let part = model.compile("", &ops).expect("register operations");
        let budget = Budget::new(None, u64::MAX);
        let relaxed = refute_relaxed(&part, &budget).is_some();
        let exact = matches!(search(&part, &budget), SearchOutcome::NotLinearizable(_));
        (relaxed, exact)
    }

    /// Three timed-out writes of 1 (processes 1, 2, 3) open throughout, while process 0 writes
    /// 0 and then reads each of `values` in turn.
    fn reads_after_writes_of_0(values: &[&str]) -> History {
        let mut events = Vec::new();
        for p in 1..=3 {
            events.push((p, "invoke", "write", "1"));
        }
        for value in values {
            events.push((0, "invoke", "write", "0"));
            events.push((0, "ok", "write", "0"));
            events.push((0, "invoke", "read", "null"));
            events.push((0, "ok", "read", *value));
        }
        for p in 1..=3 {
            events.push((p, "info", "write", "1"));
        }
        history(&events)
    }

    #[test]
    fn a_read_nothing_can_explain_is_refuted_without_counting_unknown_outcomes() {
        assert_eq!(
            both(&reads_after_writes_of_0(&["1", "1", "7"])),
            (true, true)
        );
    }

    #[test]
    fn an_anomaly_that_needs_more_unknown_outcomes_than_there_are_is_left_to_the_exact_search() {
        // Three unknown writes of 1 explain three reads of 1 between writes of 0, not four.
        assert_eq!(
            both(&reads_after_writes_of_0(&["1", "1", "1"])),
            (false, false)
        );
        assert_eq!(
            both(&reads_after_writes_of_0(&["1", "1", "1", "1"])),
            (false, true)
        );
    }
}
