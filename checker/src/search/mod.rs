//! The linearizability search for one partition, by one of two engines chosen per partition:
//! Wing & Gong's backtracking with Lowe's memoization ([`Engine::Backtracking`]), or a walk along
//! the history that keeps every reachable configuration at once ([`Engine::Frontier`]), which
//! stays small where many operations have unknown outcomes.

mod antichain;
mod backtrack;
mod bitset;
mod budget;
mod cache;
mod entries;
mod failure;
mod frontier;
mod hash;
mod path;

pub use budget::{Budget, Stop};

use crate::model::Partition;
use serde::{Deserialize, Serialize};

/// Where a failed search got furthest.
#[derive(Debug, Clone)]
pub struct Failure<S> {
    /// The longest linearizable prefix found: operation indices in order.
    pub prefix: Vec<usize>,
    /// The state after it.
    pub state: S,
    /// Operations that could be placed next by real time but cannot take effect in that state
    /// (or, when all could, the one whose return forces it next).
    pub stuck: Vec<usize>,
}

/// The answer for one partition.
#[derive(Debug, Clone)]
pub enum SearchOutcome<S> {
    /// Some order of the operations agrees with real time and the model.
    Linearizable,
    /// None does.
    NotLinearizable(Failure<S>),
    /// The search stopped first.
    Stopped(Stop),
}

/// The two ways to search a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Depth-first over whole linearizations, memoizing (linearized set, state): fastest when few
    /// operations have unknown outcomes.
    Backtracking,
    /// Lowe's just-in-time linearization: walks the history in order with the set of every
    /// reachable configuration, an operation placed only when its return forces it, unknown
    /// outcomes kept as unused effects (a configuration with more of them left dominates one with
    /// fewer).
    Frontier,
}

/// Unknown-outcome operations from which the frontier engine is chosen: below this the
/// backtracking search rarely has more than a few ways to try each one.
const FRONTIER_FROM_OPTIONAL: usize = 8;

/// The engine that suits `part`: the frontier when enough of its operations have unknown outcomes.
pub fn choose<P: Partition>(part: &P) -> Engine {
    let optional = part.ops().iter().filter(|t| !t.required()).count();
    if optional >= FRONTIER_FROM_OPTIONAL {
        Engine::Frontier
    } else {
        Engine::Backtracking
    }
}

/// Searches one partition for a linearization with `engine`.
pub fn search_with<P: Partition>(
    engine: Engine,
    part: &P,
    budget: &Budget,
) -> SearchOutcome<P::State> {
    match engine {
        Engine::Backtracking => backtrack::search(part, budget),
        Engine::Frontier => frontier::search(part, budget),
    }
}

/// Searches one partition for a linearization with the engine [`choose`] picks.
pub fn search<P: Partition>(part: &P, budget: &Budget) -> SearchOutcome<P::State> {
    search_with(choose(part), part, budget)
}
