//! Sets of configurations kept free of dominated ones: of two configurations with the same state
//! and the same operations placed early, one whose unused unknown-outcome effects can do
//! everything the other's can (see [`Effects::dominates`]) is enough, so only it is kept.

use super::effects::{may_dominate, Effects, Signature};
use super::hash::StateHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash};

/// The key two configurations must share to be compared: the model state, and the required
/// operations already placed ahead of their return (a bit per open operation).
pub(crate) type Key<S> = (S, u64);

/// One group: the used-effect counts (per class) of configurations sharing a key, none
/// dominating another, each with its payload.
pub(crate) type Group<T> = Vec<Entry<T>>;

/// One kept configuration: its used-effect counts, their signature, its payload.
pub(crate) struct Entry<T> {
    pub used: Vec<u32>,
    sig: Signature,
    pub payload: T,
}

/// Configurations grouped by [`Key`], each group an antichain.
pub(crate) struct Antichains<S, T> {
    groups: HashMap<Key<S>, Group<T>, BuildHasherDefault<StateHasher>>,
    len: usize,
}

impl<S: Eq + Hash, T> Antichains<S, T> {
    /// An empty set.
    pub fn new() -> Self {
        Antichains {
            groups: HashMap::default(),
            len: 0,
        }
    }

    /// How many configurations are kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds a configuration unless one already kept dominates it; drops those it dominates,
    /// handing their payloads to `dropped`. `false` when it was dominated.
    pub fn insert(
        &mut self,
        effects: &Effects,
        key: Key<S>,
        used: Vec<u32>,
        payload: T,
        mut dropped: impl FnMut(T),
    ) -> bool {
        let sig = effects.signature(&used);
        let group = self.groups.entry(key).or_default();
        let dominates = |a: &[u32], a_sig: &Signature, b: &[u32], b_sig: &Signature| {
            may_dominate(a_sig, b_sig) && effects.dominates(a, b)
        };
        if group
            .iter()
            .any(|kept| dominates(&kept.used, &kept.sig, &used, &sig))
        {
            return false;
        }
        let before = group.len();
        let mut at = 0;
        while at < group.len() {
            if dominates(&used, &sig, &group[at].used, &group[at].sig) {
                dropped(group.swap_remove(at).payload);
            } else {
                at += 1;
            }
        }
        group.push(Entry { used, sig, payload });
        self.len = self.len + group.len() - before;
        true
    }

    /// Takes every group out: its key and its configurations' used-effect counts and payloads.
    pub fn drain(&mut self) -> impl Iterator<Item = (Key<S>, Group<T>)> + '_ {
        self.len = 0;
        self.groups.drain()
    }
}
