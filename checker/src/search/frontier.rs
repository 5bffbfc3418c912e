//! Lowe's just-in-time linearization with a frontier: the history is walked once, in real-time
//! order, keeping every configuration the operations so far can reach.
//!
//! A configuration is a model state, the required operations placed ahead of their return, and
//! the unknown-outcome operations whose effect it has used. An operation is placed only when its
//! return forces it: then every sequence of pending operations ending with it is tried. An
//! unknown-outcome operation's effect is usable from its call on and never required; of several
//! with the same effect the earliest-called is used first, so identical effects are counted, not
//! enumerated; and a configuration that has used a subset of another's effects (same state, same
//! operations placed) dominates it. Observations (reads, refused cas) are placed as soon as they
//! match: placing an observation earlier never hurts.

use super::antichain::Antichains;
use super::budget::Budget;
use super::failure::replay;
use super::path::Path;
use super::SearchOutcome;
use crate::model::Partition;
use std::collections::HashMap;

/// How often (in configurations visited) the budget is checked.
const CHECK_EVERY: u32 = 1 << 10;

/// Bytes a configuration costs beyond its state, roughly: hash slot, vectors, path step.
const CONFIG_OVERHEAD: usize = 96;

/// Searches one partition by walking its history with a frontier of configurations.
pub(crate) fn search<P: Partition>(part: &P, budget: &Budget) -> SearchOutcome<P::State> {
    let mut walk = Walk::new(part);
    let outcome = walk.run(budget);
    budget.release(walk.reported);
    outcome
}

/// A configuration on the frontier.
struct Config<S> {
    state: S,
    /// Required operations placed ahead of their return, sorted.
    placed: Vec<u32>,
    /// Bitset over unknown-outcome operations (by slot): those whose effect was used.
    used: Vec<u64>,
    path: Path,
}

/// The walk's fixed facts about the partition and its moving position.
struct Walk<'p, P: Partition> {
    part: &'p P,
    /// Calls and returns in real-time order: `(op, is_return)`.
    events: Vec<(u32, bool)>,
    /// Each operation's slot among the unknown-outcome operations (by call), or `u32::MAX`.
    slot: Vec<u32>,
    /// The operation in each slot.
    slot_op: Vec<u32>,
    /// For each slot: the previous slot with the same effect, which must be used first.
    twin: Vec<u32>,
    /// Slots called so far.
    called: usize,
    /// Required operations called and not yet returned.
    open: Vec<u32>,
    ticks: u32,
    /// Memory this walk has reported to the budget.
    reported: u64,
}

impl<'p, P: Partition> Walk<'p, P> {
    fn new(part: &'p P) -> Self {
        let timings = part.ops();
        let mut order = Vec::with_capacity(timings.len() * 2);
        for (i, t) in timings.iter().enumerate() {
            order.push((t.call, false, i as u32));
            if let Some(ret) = t.ret {
                order.push((ret, true, i as u32));
            }
        }
        order.sort_unstable();
        let mut slot = vec![u32::MAX; timings.len()];
        let mut slot_op = Vec::new();
        let mut twin = Vec::new();
        let mut last_of_effect = HashMap::new();
        for &(_, is_ret, op) in &order {
            if is_ret || timings[op as usize].required() {
                continue;
            }
            let s = slot_op.len() as u32;
            slot[op as usize] = s;
            slot_op.push(op);
            let before = part
                .effect_key(op as usize)
                .and_then(|key| last_of_effect.insert(key, s));
            twin.push(before.unwrap_or(u32::MAX));
        }
        Walk {
            part,
            events: order.into_iter().map(|(_, r, op)| (op, r)).collect(),
            slot,
            slot_op,
            twin,
            called: 0,
            open: Vec::new(),
            ticks: 0,
            reported: 0,
        }
    }

    fn run(&mut self, budget: &Budget) -> SearchOutcome<P::State> {
        let words = self.slot_op.len().div_ceil(64).max(1);
        let mut frontier = vec![Config {
            state: self.part.init(),
            placed: Vec::new(),
            used: vec![0; words],
            path: Path::default(),
        }];
        for at in 0..self.events.len() {
            let (op, is_return) = self.events[at];
            let op = op as usize;
            if !is_return {
                if self.slot[op] != u32::MAX {
                    self.called += 1;
                    continue;
                }
                self.open.push(op as u32);
                for config in &mut frontier {
                    self.settle_one(config, op);
                }
                continue;
            }
            if let Some(i) = self.open.iter().position(|&o| o as usize == op) {
                self.open.swap_remove(i);
            }
            let mut next: Antichains<P::State, Path> = Antichains::new();
            let mut bytes = 0;
            for config in &frontier {
                if let Err(stop) = self.expand(config, op, &mut next, &mut bytes, budget) {
                    return SearchOutcome::Stopped(stop);
                }
            }
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
                for (used, path) in group {
                    frontier.push(Config {
                        state: state.clone(),
                        placed: placed.clone(),
                        used,
                        path,
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
    fn config_bytes(&self, state: &P::State, placed: usize, words: usize) -> usize {
        std::mem::size_of::<P::State>()
            + self.part.state_heap_bytes(state)
            + placed * 4
            + words * 8
            + CONFIG_OVERHEAD
    }

    /// Places the just-called required operation `op` in `config` if it is an observation that
    /// matches the state.
    fn settle_one(&self, config: &mut Config<P::State>, op: usize) {
        if self.matches(&config.state, op) {
            let at = config.placed.partition_point(|&p| p < op as u32);
            config.placed.insert(at, op as u32);
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
    fn settle(&self, state: &P::State, placed: &mut Vec<u32>, path: &mut Path) {
        for &op in &self.open {
            if placed.binary_search(&op).is_err() && self.matches(state, op as usize) {
                let at = placed.partition_point(|&p| p < op);
                placed.insert(at, op);
                *path = path.then(op as usize, 0);
            }
        }
    }

    /// The unknown-outcome operations `used` may use next: called, unused, and the earliest
    /// unused of their effect.
    fn usable(&self, used: &[u64]) -> Vec<usize> {
        (0..self.called)
            .filter(|&s| {
                let free = used[s / 64] & (1 << (s % 64)) == 0;
                let t = self.twin[s] as usize;
                free && (self.twin[s] == u32::MAX || used[t / 64] & (1 << (t % 64)) != 0)
            })
            .collect()
    }

    /// Puts into `next` every configuration `config` reaches by placing `due` (whose return
    /// has come), after any sequence of other pending operations.
    fn expand(
        &mut self,
        config: &Config<P::State>,
        due: usize,
        next: &mut Antichains<P::State, Path>,
        bytes: &mut usize,
        budget: &Budget,
    ) -> Result<(), super::Stop> {
        let words = config.used.len();
        if let Ok(i) = config.placed.binary_search(&(due as u32)) {
            let mut placed = config.placed.clone();
            placed.remove(i);
            *bytes += self.config_bytes(&config.state, placed.len(), words);
            next.insert(
                (config.state.clone(), placed),
                config.used.clone(),
                config.path.clone(),
            );
            return Ok(());
        }
        let mut seen: Antichains<P::State, ()> = Antichains::new();
        let mut stack: Vec<Config<P::State>> = vec![Config {
            state: config.state.clone(),
            placed: config.placed.clone(),
            used: config.used.clone(),
            path: config.path.clone(),
        }];
        let mut out = Vec::new();
        while let Some(at) = stack.pop() {
            self.tick(budget, *bytes)?;
            let pending = self
                .open
                .iter()
                .map(|&o| o as usize)
                .chain(std::iter::once(due))
                .filter(|&o| at.placed.binary_search(&(o as u32)).is_err());
            let candidates: Vec<usize> = pending
                .chain(
                    self.usable(&at.used)
                        .into_iter()
                        .map(|s| self.slot_op[s] as usize),
                )
                .collect();
            for op in candidates {
                out.clear();
                self.part.step(&at.state, op, &mut out);
                for (choice, state) in out.drain(..).enumerate() {
                    let mut placed = at.placed.clone();
                    let mut used = at.used.clone();
                    let slot = self.slot[op];
                    if slot != u32::MAX {
                        used[slot as usize / 64] |= 1 << (slot % 64);
                    } else if op != due {
                        let i = placed.partition_point(|&p| p < op as u32);
                        placed.insert(i, op as u32);
                    }
                    let mut path = at.path.then(op, choice);
                    self.settle(&state, &mut placed, &mut path);
                    let size = self.config_bytes(&state, placed.len(), words);
                    *bytes += size;
                    if op == due {
                        next.insert((state, placed), used, path);
                    } else if let Ok(i) = placed.binary_search(&(due as u32)) {
                        placed.remove(i);
                        next.insert((state, placed), used, path);
                    } else if seen.insert((state.clone(), placed.clone()), used.clone(), ()) {
                        stack.push(Config {
                            state,
                            placed,
                            used,
                            path,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}
