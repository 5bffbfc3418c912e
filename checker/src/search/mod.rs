//! The linearizability search for one partition, by one of two engines chosen per partition:
//! Wing & Gong's backtracking with Lowe's memoization ([`Engine::Backtracking`]), or a walk along
//! the history that keeps every reachable configuration at once ([`Engine::Frontier`]), which
//! stays small where many operations have unknown outcomes.

mod antichain;
mod backtrack;
mod bitset;
mod budget;
mod cache;
mod effects;
mod entries;
mod failure;
mod frontier;
mod hash;
mod path;

pub(crate) use budget::{memory_reason, resident_bytes};
pub use budget::{Budget, Stop};

use crate::model::{self, Partition};
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

/// Distinct unknown-outcome effects up to which the frontier engine is chosen: beyond, the
/// configurations' sets of used effects stop collapsing into few.
const FRONTIER_UP_TO_EFFECTS: usize = 64;

/// The engine that suits `part`: the frontier when enough of its operations have unknown
/// outcomes and those repeat a few effects (each operation has an [`Partition::effect_key`], at
/// most [`FRONTIER_UP_TO_EFFECTS`] distinct), and no more than 64 required operations are ever
/// open at once. Otherwise (few unknown outcomes, or each with an effect of its own, like a
/// tickets hold) backtracking, which finds a valid order fastest.
pub fn choose<P: Partition>(part: &P) -> Engine {
    let optional: Vec<usize> = (0..part.ops().len())
        .filter(|&i| !part.ops()[i].required())
        .collect();
    if optional.len() < FRONTIER_FROM_OPTIONAL || most_open(part) > frontier::MAX_OPEN {
        return Engine::Backtracking;
    }
    let keys: Option<std::collections::HashSet<u64>> =
        optional.iter().map(|&i| part.effect_key(i)).collect();
    match keys {
        Some(keys) if keys.len() <= FRONTIER_UP_TO_EFFECTS => Engine::Frontier,
        _ => Engine::Backtracking,
    }
}

/// The engine to use for `part` when the caller asks for `wanted` (`None`: [`choose`]); the
/// frontier only where it fits (see [`choose`]).
pub fn resolve<P: Partition>(wanted: Option<Engine>, part: &P) -> Engine {
    match wanted {
        None => choose(part),
        Some(Engine::Frontier) if most_open(part) > frontier::MAX_OPEN => Engine::Backtracking,
        Some(engine) => engine,
    }
}

/// The most required operations open (called, not returned) at once.
fn most_open<P: Partition>(part: &P) -> usize {
    let mut points: Vec<(model::Point, bool)> = Vec::new();
    for t in part.ops() {
        if let Some(ret) = t.ret {
            points.push((t.call, false));
            points.push((ret, true));
        }
    }
    points.sort_unstable();
    let (mut open, mut most) = (0usize, 0);
    for (_, is_ret) in points {
        if is_ret {
            open -= 1;
        } else {
            open += 1;
            most = most.max(open);
        }
    }
    most
}

/// Searches one partition for a linearization with `engine` (see [`resolve`]).
pub fn search_with<P: Partition>(
    engine: Engine,
    part: &P,
    budget: &Budget,
) -> SearchOutcome<P::State> {
    match resolve(Some(engine), part) {
        Engine::Backtracking => backtrack::search(part, budget),
        Engine::Frontier => frontier::search(part, budget),
    }
}

/// Searches one partition for a linearization with the engine [`choose`] picks.
pub fn search<P: Partition>(part: &P, budget: &Budget) -> SearchOutcome<P::State> {
    search_with(choose(part), part, budget)
}
