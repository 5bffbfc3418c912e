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

pub(crate) use bitset::mix;
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
    /// outcomes counted per class of identical effect (a configuration whose unused effects can
    /// stand in for another's, class for class or by paths of moves, dominates it).
    Frontier,
}

/// Unknown-outcome operations from which the frontier engine is chosen: below this the
/// backtracking search rarely has more than a few ways to try each one.
const FRONTIER_FROM_OPTIONAL: usize = 8;

/// Distinct unknown-outcome effects up to which the frontier engine is chosen: beyond, the
/// configurations' sets of used effects stop collapsing into few.
const FRONTIER_UP_TO_EFFECTS: usize = 64;

/// Required operations other than observations that may be open at once for the frontier
/// engine to be chosen: it keeps a configuration per set of them placed ahead of their return,
/// which for operations that commute (tickets placements by many clients) is every subset.
const FRONTIER_UP_TO_OPEN_UPDATES: usize = 8;

/// The engine that suits `part`: the frontier when enough of its operations have unknown
/// outcomes and those repeat a few effects (each operation has an [`Partition::effect_key`], at
/// most [`FRONTIER_UP_TO_EFFECTS`] distinct), no more than 64 required operations are ever open
/// at once and no more than [`FRONTIER_UP_TO_OPEN_UPDATES`] of those change the state.
/// Otherwise (few unknown outcomes, each with an effect of its own, or many concurrent updates,
/// like tickets placements) backtracking, which finds a valid order fastest.
pub fn choose<P: Partition>(part: &P) -> Engine {
    let optional: Vec<usize> = (0..part.ops().len())
        .filter(|&i| !part.ops()[i].required())
        .collect();
    if optional.len() < FRONTIER_FROM_OPTIONAL
        || most_open(part, |_| true) > frontier::MAX_OPEN
        || most_open(part, |i| !part.observes_only(i)) > FRONTIER_UP_TO_OPEN_UPDATES
    {
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
        Some(Engine::Frontier) if most_open(part, |_| true) > frontier::MAX_OPEN => {
            Engine::Backtracking
        }
        Some(engine) => engine,
    }
}

/// The most required operations of those `counted` open (called, not returned) at once.
fn most_open<P: Partition>(part: &P, counted: impl Fn(usize) -> bool) -> usize {
    let mut points: Vec<(model::Point, bool)> = Vec::new();
    for (i, t) in part.ops().iter().enumerate() {
        if !counted(i) {
            continue;
        }
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

/// Search steps per operation the backtracking search may take first where [`choose`] picks
/// the frontier: a valid history is usually found in about one step per operation, while the
/// frontier also refutes.
const TRIAL_STEPS_PER_OP: u64 = 32;

/// Searches one partition for a linearization with the engine `wanted` (see [`resolve`];
/// `None`: where [`choose`] picks the frontier, a short backtracking search first, which finds
/// most valid orders, then a frontier walk with every unknown-outcome effect reusable, which
/// refutes most invalid histories, before the exact frontier walk); returns the outcome and the
/// engine that gave it.
pub fn search_with<P: Partition>(
    wanted: Option<Engine>,
    part: &P,
    budget: &Budget,
) -> (SearchOutcome<P::State>, Engine) {
    let engine = resolve(wanted, part);
    match engine {
        Engine::Backtracking => (backtrack::search(part, budget, u64::MAX), engine),
        Engine::Frontier => {
            if wanted.is_none() {
                let steps = TRIAL_STEPS_PER_OP.saturating_mul(part.ops().len() as u64);
                let trial = backtrack::search(part, budget, steps);
                if !matches!(trial, SearchOutcome::Stopped(_)) {
                    return (trial, Engine::Backtracking);
                }
                if let Some(refuted) = frontier::refute_relaxed(part, budget) {
                    return (refuted, engine);
                }
            }
            (frontier::search(part, budget), engine)
        }
    }
}

/// Searches one partition for a linearization with the engines [`search_with`] picks.
pub fn search<P: Partition>(part: &P, budget: &Budget) -> SearchOutcome<P::State> {
    search_with(None, part, budget).0
}
