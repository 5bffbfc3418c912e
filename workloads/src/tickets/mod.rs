//! The tickets workload: users placing, releasing and confirming holds and reading their own
//! holds, against the ticket HTTP contract; then final reads of every inventory and log, and of each
//! user's holds on the events they asked to hold.

mod client;
mod names;

pub use client::TicketClient;
pub use names::user_name;

use crate::op::{Completion, Op};
use crate::weights::{parse_weights, Weighted};
use crate::workload::{WorkerCtx, Workload};
use checker::models::tickets::CREATE_EVENT;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The share of each operation in the mix, as integer weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix {
    /// `place_hold`.
    pub place_hold: u32,
    /// `release` of one of the user's holds.
    pub release: u32,
    /// `confirm` (checkout) of one of the user's holds.
    pub confirm: u32,
    /// `read_inventory`.
    pub read_inventory: u32,
    /// `list_holds` of the user's own holds.
    pub list_holds: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            place_hold: 4,
            release: 2,
            confirm: 1,
            read_inventory: 1,
            list_holds: 2,
        }
    }
}

impl Mix {
    /// Parses `place_hold:4,release:2,...`; operations not named get weight 0.
    pub fn parse(text: &str) -> Result<Mix, String> {
        let mut mix = Mix {
            place_hold: 0,
            release: 0,
            confirm: 0,
            read_inventory: 0,
            list_holds: 0,
        };
        for (name, weight) in parse_weights(text)? {
            let slot = match name.as_str() {
                "place_hold" => &mut mix.place_hold,
                "release" => &mut mix.release,
                "confirm" => &mut mix.confirm,
                "read_inventory" => &mut mix.read_inventory,
                "list_holds" => &mut mix.list_holds,
                other => {
                    return Err(format!(
                        "{other:?} is not a tickets operation; use place_hold, release, confirm, \
                         read_inventory or list_holds"
                    ))
                }
            };
            *slot = weight;
        }
        Ok(mix)
    }
}

/// Parses a qty distribution `qty:weight,...`, e.g. `1:6,2:3,3:1`.
pub fn parse_qty(text: &str) -> Result<Vec<(u64, u32)>, String> {
    parse_weights(text)?
        .into_iter()
        .map(|(q, w)| match q.parse::<u64>() {
            Ok(q) if q > 0 => Ok((q, w)),
            _ => Err(format!("qty {q:?} is not a positive whole number of seats")),
        })
        .collect()
}

/// How the tickets workload runs.
#[derive(Debug, Clone)]
pub struct TicketsConfig {
    /// Prefix of event names and request ids, unique per run so runs never collide.
    pub run_tag: String,
    /// Number of events.
    pub events: usize,
    /// Seats per event.
    pub capacity: u64,
    /// Number of users; worker `i` acts as user `i % users` and sticks to node `i % nodes`. With
    /// as many users as workers, a user is one process on one node; with fewer, a user's workers
    /// run on several nodes and the user's session spans them (a client behind a load balancer).
    pub users: usize,
    /// Seats per `place_hold`, as (qty, weight).
    pub qty: Vec<(u64, u32)>,
    /// The operation mix.
    pub mix: Mix,
    /// Send each user's highest seen sequence number as `min_seq` with `list_holds`.
    pub min_seq: bool,
    /// After a `place_hold` ends `info`, the user retries it once with the same request id.
    pub retry_unknown: bool,
    /// The service's hold TTL, when holds expire: recorded with each event's setup.
    pub hold_ttl: Option<std::time::Duration>,
}

impl TicketsConfig {
    /// The defaults: 3 events of 20 seats, 10 users, 1-3 seats per hold, the default mix.
    pub fn new(run_tag: impl Into<String>) -> TicketsConfig {
        TicketsConfig {
            run_tag: run_tag.into(),
            events: 3,
            capacity: 20,
            users: 10,
            qty: vec![(1, 6), (2, 3), (3, 1)],
            mix: Mix::default(),
            min_seq: false,
            retry_unknown: true,
            hold_ttl: None,
        }
    }

    /// "Last seats" mode: one event with only `seats` seats that every process fights over, and
    /// nobody gives seats back.
    pub fn last_seats(mut self, seats: u64) -> TicketsConfig {
        self.events = 1;
        self.capacity = seats;
        self.mix.release = 0;
        self
    }

    /// The events' names.
    pub fn event_names(&self) -> Vec<String> {
        (1..=self.events)
            .map(|i| format!("{}-e{i}", self.run_tag))
            .collect()
    }

    /// Each event's capacity, for the ledger and the model.
    pub fn capacities(&self) -> BTreeMap<String, u64> {
        self.event_names()
            .into_iter()
            .map(|e| (e, self.capacity))
            .collect()
    }
}

/// The f of each mix entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Place,
    Release,
    Confirm,
    Inventory,
    List,
}

/// What one user knows: their holds, the highest sequence number seen per event, and a
/// `place_hold` to retry.
#[derive(Default)]
struct UserState {
    holds: Vec<(String, String)>,
    seen: HashMap<String, u64>,
    retry: Option<Op>,
    /// The request id retried last, so a retry that ends `info` again is not retried forever.
    retried: Option<String>,
    /// The events the user asked to hold seats of: only there can they hold any, so the final
    /// reads list their holds there alone (they grow with what the run touched).
    placed_on: BTreeSet<String>,
}

/// The tickets workload.
pub struct TicketsWorkload {
    config: TicketsConfig,
    events: Vec<String>,
    users: Vec<(String, Mutex<UserState>)>,
    mix: Weighted<Kind>,
    qty: Weighted<u64>,
    requests: AtomicU64,
}

/// A tickets configuration that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum TicketsConfigError {
    /// Zero events, users or seats, or no operation or qty with a positive weight.
    #[error("the tickets workload needs {0}")]
    Empty(&'static str),
}

impl TicketsWorkload {
    /// A workload for `config`.
    pub fn new(config: TicketsConfig) -> Result<TicketsWorkload, TicketsConfigError> {
        let m = config.mix;
        let mix = Weighted::new([
            (Kind::Place, m.place_hold),
            (Kind::Release, m.release),
            (Kind::Confirm, m.confirm),
            (Kind::Inventory, m.read_inventory),
            (Kind::List, m.list_holds),
        ])
        .ok_or(TicketsConfigError::Empty(
            "an operation mix with a positive weight",
        ))?;
        let qty = Weighted::new(config.qty.iter().copied().filter(|(q, _)| *q > 0)).ok_or(
            TicketsConfigError::Empty("a positive qty with a positive weight"),
        )?;
        if config.events == 0 || config.users == 0 || config.capacity == 0 {
            return Err(TicketsConfigError::Empty(
                "at least one event, one user and one seat",
            ));
        }
        let users = (0..config.users)
            .map(|n| (user_name(n), Mutex::default()))
            .collect();
        Ok(TicketsWorkload {
            events: config.event_names(),
            config,
            users,
            mix,
            qty,
            requests: AtomicU64::new(0),
        })
    }

    /// The configuration it runs.
    pub fn config(&self) -> &TicketsConfig {
        &self.config
    }

    fn user_of(&self, slot: usize) -> (&str, MutexGuard<'_, UserState>) {
        let (name, state) = &self.users[slot % self.users.len()];
        (name, state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn list_holds(&self, user: &str, state: &UserState, event: &str) -> Op {
        let mut value = json!({"event": event, "user": user});
        if self.config.min_seq {
            if let Some(seq) = state.seen.get(event) {
                value["min_seq"] = json!(seq);
            }
        }
        Op::new("list_holds", value)
    }

    fn place_hold(&self, user: &str, worker: &mut WorkerCtx) -> Op {
        let event = self.pick_event(worker);
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("{}-r{n}", self.config.run_tag);
        let qty = self.qty.choose(&mut worker.rng);
        Op::new(
            "place_hold",
            json!({"event": event, "user": user, "qty": qty, "request_id": request_id}),
        )
    }

    fn pick_event(&self, worker: &mut WorkerCtx) -> String {
        self.events
            .choose(&mut worker.rng)
            .cloned()
            .unwrap_or_default()
    }
}

impl Workload for TicketsWorkload {
    fn user_for(&self, slot: usize) -> Option<String> {
        Some(self.users[slot % self.users.len()].0.clone())
    }

    /// One `create_event` per event: its name, capacity and the service's hold TTL when holds
    /// expire (docs/operations.md).
    fn setup(&self) -> Vec<Op> {
        self.events
            .iter()
            .map(|event| {
                let mut value = json!({"event": event, "capacity": self.config.capacity});
                if let Some(ttl) = self.config.hold_ttl {
                    value["hold_ttl_ms"] = json!(ttl.as_millis() as u64);
                }
                Op::new(CREATE_EVENT, value)
            })
            .collect()
    }

    fn fs(&self) -> Vec<&'static str> {
        // place_hold stands in for a release or confirm with no hold to give; the final reads
        // read inventories, logs and lists.
        let mix = self.config.mix;
        let mut fs = vec!["place_hold", "read_inventory", "list_holds", "read_log"];
        for (f, weight) in [("release", mix.release), ("confirm", mix.confirm)] {
            if weight > 0 {
                fs.push(f);
            }
        }
        fs
    }

    fn next_op(&self, worker: &mut WorkerCtx) -> Op {
        let (user, mut state) = self.user_of(worker.slot);
        if let Some(retry) = state.retry.take() {
            return retry;
        }
        let kind = self.mix.choose(&mut worker.rng);
        match kind {
            Kind::Release | Kind::Confirm if !state.holds.is_empty() => {
                let i = worker.rng.random_range(0..state.holds.len());
                let (event, hold) = state.holds.swap_remove(i);
                let f = if kind == Kind::Release {
                    "release"
                } else {
                    "confirm"
                };
                Op::new(f, json!({"event": event, "hold": hold}))
            }
            Kind::Inventory => Op::new("read_inventory", json!({"event": self.pick_event(worker)})),
            Kind::List => {
                let event = self.pick_event(worker);
                self.list_holds(user, &state, &event)
            }
            _ => {
                let op = self.place_hold(user, worker);
                if let Some(event) = op.value.get("event").and_then(Value::as_str) {
                    state.placed_on.insert(event.to_owned());
                }
                op
            }
        }
    }

    fn observe(&self, worker: &WorkerCtx, op: &Op, completion: &Completion) {
        let (_, mut state) = self.user_of(worker.slot);
        let value = completion.value();
        let event = value
            .get("event")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let (Completion::Ok(_), Some(seq)) =
            (completion, value.get("seq").and_then(Value::as_u64))
        {
            let seen = state.seen.entry(event.to_owned()).or_insert(0);
            *seen = (*seen).max(seq);
        }
        match (op.f, completion) {
            ("place_hold", Completion::Ok(v)) => {
                if let Some(hold) = v.get("hold").and_then(Value::as_str) {
                    state.holds.push((event.to_owned(), hold.to_owned()));
                }
            }
            ("place_hold", Completion::Info(_)) if self.config.retry_unknown => {
                let request = op
                    .value
                    .get("request_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                if state.retried != request {
                    state.retried = request;
                    state.retry = Some(op.clone());
                }
            }
            _ => {}
        }
    }

    fn final_reads(&self, nodes: usize) -> Vec<(usize, Op)> {
        let mut reads = Vec::new();
        for node in 0..nodes.max(1) {
            for event in &self.events {
                reads.push((node, Op::new("read_inventory", json!({"event": event}))));
                reads.push((node, Op::new("read_log", json!({"event": event}))));
            }
            for (n, (user, state)) in self.users.iter().enumerate() {
                if n % nodes.max(1) != node {
                    continue;
                }
                let state = state.lock().unwrap_or_else(|p| p.into_inner());
                // A user holds seats only of events they asked to hold: the final reads stay
                // proportional to what the run touched, not to --users times --events.
                for event in &state.placed_on {
                    reads.push((node, self.list_holds(user, &state, event)));
                }
            }
        }
        reads
    }
}
