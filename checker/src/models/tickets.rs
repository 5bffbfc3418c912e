//! `tickets`: ConcertFrenzy's seats and holds, one partition per event.
//!
//! Per event the state is the seats taken (by active and confirmed holds), what is known about the
//! event's capacity (an interval: reads and sold-out answers narrow it), and each placement's hold
//! status. Holds whose id no client saw (a `place_hold` that timed out) are anonymous until a
//! release, confirm or list names them: that binding is a nondeterministic step.
//!
//! Expiry (`hold_ttl`): each placed hold gets an invented expire operation whose window is from
//! the placement's call + TTL (certainly active before) to its return + TTL + slack (certainly
//! expired after); the search places it anywhere in that window, which is exactly "may be either
//! in between". A hold whose placement never returned may expire at any time after call + TTL.

use super::cow_array::CowArray;
use super::tickets_holds::HoldEvents;
use super::{input_str, Interner};
use crate::fast_hash::{FastMap, FastSet};
use crate::history::{Operation, Outcome};
use crate::json::{Json, Str};
use crate::model::{Model, OpError, Partition, Point, Timing};
use serde_json::Value;
use std::borrow::Cow;
use std::time::Duration;

/// The tickets model.
#[derive(Debug, Clone)]
pub struct TicketsModel {
    init: Option<Value>,
    hold_ttl: Option<Duration>,
    expiry_slack: Duration,
    /// The event each hold id an ok `place_hold` returned belongs to, over the whole history.
    hold_events: HoldEvents,
}

impl TicketsModel {
    /// Events start with `init` seats (a number for all, or an object of event -> number; unknown
    /// when `None`); holds expire `hold_ttl` after placement, up to `expiry_slack` late.
    pub fn new(
        init: Option<Value>,
        hold_ttl: Option<Duration>,
        expiry_slack: Duration,
    ) -> TicketsModel {
        TicketsModel {
            init,
            hold_ttl,
            expiry_slack,
            hold_events: HoldEvents::default(),
        }
    }

    /// The same model with every hold id of `ops` bound to its event before the partitions are
    /// compiled: hold ids are unique across events, so an id an ok `place_hold` of one event
    /// returned names no hold of any other event (no unknown placement there can explain it).
    pub fn binding_holds_of(mut self, ops: &[Operation]) -> Self {
        self.hold_events = HoldEvents::of(ops);
        self
    }

    fn capacity(&self, event: &str) -> Option<i64> {
        match &self.init {
            Some(Value::Object(map)) => map.get(event).and_then(Value::as_i64),
            Some(v) => v.as_i64(),
            None => None,
        }
    }
}

/// Which hold an operation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoldRef {
    /// A hold some ok `place_hold` of this event returned: that placement.
    Known(u32),
    /// A hold id no ok `place_hold` returned: one of the anonymous holds, slot in `bound`.
    Orphan(u32),
    /// A hold id an ok `place_hold` of another event returned (index into `foreign`): never a
    /// hold of this event.
    Foreign(u32),
}

/// What one tickets operation does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TicketOp {
    /// Placement `p` (index into `placements`) took its seats.
    Place(u32),
    /// A `place_hold` of `qty` seats was refused: fewer than `qty` remained.
    SoldOut { user: u32, qty: i64 },
    /// The hold was released: its seats come back.
    Release(HoldRef),
    /// The hold was confirmed (checked out): its seats stay sold.
    Confirm(HoldRef),
    /// A release or confirm was refused because the hold was not active.
    NotActive(HoldRef),
    /// `remaining` seats were left.
    Inventory(i64),
    /// These were all of `user`'s active holds.
    List { user: u32, holds: Vec<HoldRef> },
    /// Placement `p`'s hold expired (if still active).
    Expire(u32),
}

/// A `place_hold` that took (or may have taken) effect.
#[derive(Debug, Clone)]
pub(crate) struct Placement {
    pub user: u32,
    pub qty: i64,
    /// The hold id, when an ok reply named it.
    pub hold: Option<Str>,
}

/// A hold's status in a state.
pub(crate) mod status {
    /// Its placement has not taken effect.
    pub const NOT_PLACED: u8 = 0;
    /// Placed and active: its seats are taken.
    pub const ACTIVE: u8 = 1;
    /// Confirmed: its seats stay taken.
    pub const CONFIRMED: u8 = 2;
    /// Released by its user: its seats are back.
    pub const RELEASED: u8 = 3;
    /// Expired: its seats are back.
    pub const EXPIRED: u8 = 4;
}

/// A state of one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketsState {
    /// Seats held by active and confirmed holds.
    pub(crate) taken: i64,
    /// The capacity is at least this.
    pub(crate) min_capacity: i64,
    /// The capacity is at most this.
    pub(crate) max_capacity: i64,
    /// Each placement's status (shared between states: an event may have thousands).
    pub(crate) status: CowArray<u8>,
    /// For each orphan hold id, the placement it names (`u32::MAX`: not yet known).
    pub(crate) bound: CowArray<u32>,
}

/// One event's operations, compiled.
#[derive(Debug, Clone)]
pub struct TicketsPartition {
    pub(crate) event: String,
    pub(crate) timings: Vec<Timing>,
    pub(crate) ops: Vec<TicketOp>,
    pub(crate) placements: Vec<Placement>,
    pub(crate) orphans: Vec<String>,
    /// Hold ids of other events named here, each with the event whose placement returned it.
    pub(crate) foreign: Vec<(String, String)>,
    pub(crate) users: Interner,
    /// Each user's placements (by interned user).
    by_user: Vec<Vec<u32>>,
    /// The placements no ok reply named (which orphan hold ids may name).
    anonymous: Vec<u32>,
    capacity: Option<i64>,
    /// Whether holds expire (each placement then has an expiry of its own).
    expiring: bool,
}

/// Reads the partition's operations, keeping what is needed to resolve hold ids.
struct Reader<'a> {
    model: &'a TicketsModel,
    part: TicketsPartition,
    known: FastMap<Str, u32>,
    orphans: FastMap<String, u32>,
}

/// The error string a failed reply carries.
fn error_of(op: &Operation) -> Option<&str> {
    op.output.get("error").and_then(Json::as_str)
}

/// A timing that must fall between call and completion, whatever the outcome (refusals are
/// observations that happened).
fn observed(op: &Operation) -> Timing {
    let mut t = Timing::of(op);
    t.ret = op.completion.map(|c| Point {
        position: 2 * c + 1,
        time: op.ret.unwrap_or(op.call),
    });
    t
}

impl Reader<'_> {
    fn hold(&mut self, text: &str) -> HoldRef {
        if let Some(&p) = self.known.get(text) {
            return HoldRef::Known(p);
        }
        if let Some(event) = self.model.hold_events.get(text) {
            let foreign = &mut self.part.foreign;
            let slot = foreign
                .iter()
                .position(|(h, _)| h == text)
                .unwrap_or_else(|| {
                    foreign.push((text.to_owned(), event.to_string()));
                    foreign.len() - 1
                });
            return HoldRef::Foreign(slot as u32);
        }
        let next = self.orphans.len() as u32;
        let slot = *self.orphans.entry(text.to_owned()).or_insert(next);
        if slot == next {
            self.part.orphans.push(text.to_owned());
        }
        HoldRef::Orphan(slot)
    }

    fn qty(op: &Operation) -> Result<i64, OpError> {
        op.input
            .get("qty")
            .and_then(Json::as_i64)
            .filter(|q| *q > 0)
            .ok_or_else(|| {
                OpError::new(
                    op,
                    format!(
                        "place_hold needs a positive integer \"qty\", got {}",
                        op.input
                    ),
                )
            })
    }

    /// Registers the hold ids ok placements returned, so later reads can name them.
    fn place(&mut self, op: &Operation) -> Result<(), OpError> {
        if op.f != "place_hold"
            || !matches!(op.outcome, Outcome::Ok | Outcome::Info | Outcome::Pending)
        {
            return Ok(());
        }
        let user = self.part.users.intern(input_str(op, "user")?);
        let qty = Self::qty(op)?;
        let hold = match op.outcome {
            Outcome::Ok => Some(
                op.output
                    .get("hold")
                    .and_then(Json::as_text)
                    .ok_or_else(|| {
                        OpError::new(op, "an ok place_hold needs the \"hold\" id it was given")
                    })?
                    .clone(),
            ),
            _ => None,
        };
        let p = self.part.placements.len() as u32;
        if let Some(h) = &hold {
            self.known.insert(h.clone(), p);
        }
        self.part.placements.push(Placement { user, qty, hold });
        self.push(Timing::of(op), TicketOp::Place(p));
        if let Some(ttl) = self.model.hold_ttl {
            let slack = self.model.expiry_slack;
            let expire = Expiry { ttl, slack };
            self.push(expire.timing(op), TicketOp::Expire(p));
        }
        Ok(())
    }

    fn push(&mut self, timing: Timing, op: TicketOp) {
        self.part.timings.push(timing);
        self.part.ops.push(op);
    }

    /// Reads every operation other than placements.
    fn other(&mut self, op: &Operation) -> Result<(), OpError> {
        let happened = matches!(op.outcome, Outcome::Ok | Outcome::Info | Outcome::Pending);
        match op.f.as_str() {
            "place_hold" => {
                if op.outcome == Outcome::Fail && error_of(op) == Some("sold_out") {
                    let user = self.part.users.intern(input_str(op, "user")?);
                    let qty = Self::qty(op)?;
                    self.push(observed(op), TicketOp::SoldOut { user, qty });
                }
            }
            "release" | "confirm" => {
                let hold = self.hold(input_str(op, "hold")?);
                if happened {
                    let t = if op.f == "release" { TicketOp::Release(hold) } else { TicketOp::Confirm(hold) };
                    self.push(Timing::of(op), t);
                } else if error_of(op) == Some("hold_not_active") {
                    self.push(observed(op), TicketOp::NotActive(hold));
                }
            }
            "read_inventory" if op.outcome == Outcome::Ok => {
                let remaining = op.output.get("remaining").and_then(Json::as_i64).ok_or_else(|| {
                    OpError::new(op, format!("an ok read_inventory needs an integer \"remaining\", got {}", op.output))
                })?;
                self.push(Timing::of(op), TicketOp::Inventory(remaining));
            }
            "list_holds" if op.outcome == Outcome::Ok => {
                let user = self.part.users.intern(input_str(op, "user")?);
                let listed = op.output.get("holds").and_then(Json::as_array).ok_or_else(|| {
                    OpError::new(op, format!("an ok list_holds needs a \"holds\" array, got {}", op.output))
                })?;
                let mut holds = Vec::new();
                for h in listed {
                    let text = h.as_str().ok_or_else(|| OpError::new(op, format!("hold ids are strings, got {h}")))?;
                    let r = self.hold(text);
                    if !holds.contains(&r) {
                        holds.push(r);
                    }
                }
                self.push(Timing::of(op), TicketOp::List { user, holds });
            }
            "read_inventory" | "list_holds" | "read_log" | CREATE_EVENT => {}
            other => {
                return Err(OpError::new(
                    op,
                    format!("tickets has create_event, place_hold, release, confirm, read_inventory, list_holds and read_log, not {other}"),
                ))
            }
        }
        Ok(())
    }
}

/// The operation a workload records first for each event: its setup, `{"event", "capacity"}`.
pub const CREATE_EVENT: &str = "create_event";

/// The capacity an ok `create_event` of the partition set up (it takes precedence over `--init`:
/// the history describes its own system).
fn created_capacity(ops: &[&Operation]) -> Result<Option<i64>, OpError> {
    let mut created = ops
        .iter()
        .filter(|op| op.f == CREATE_EVENT && op.outcome == Outcome::Ok);
    let Some(op) = created.next() else {
        return Ok(None);
    };
    op.input
        .get("capacity")
        .and_then(Json::as_i64)
        .filter(|c| *c >= 0)
        .map(Some)
        .ok_or_else(|| {
            OpError::new(
                op,
                format!(
                    "create_event needs a non-negative integer \"capacity\", got {}",
                    op.input
                ),
            )
        })
}

/// The window in which a hold expires.
struct Expiry {
    ttl: Duration,
    slack: Duration,
}

impl Expiry {
    /// From the placement's call + TTL to its return + TTL + slack (open-ended if it never returned).
    fn timing(&self, op: &Operation) -> Timing {
        let ttl = self.ttl.as_nanos() as u64;
        let slack = self.slack.as_nanos() as u64;
        let at = |time: u64| Point { position: 0, time };
        Timing {
            source: op.id,
            real: false,
            call: at(op.call.saturating_add(ttl)),
            ret: match op.outcome {
                Outcome::Ok => Some(at(op
                    .ret
                    .unwrap_or(op.call)
                    .saturating_add(ttl)
                    .saturating_add(slack))),
                _ => None,
            },
        }
    }
}

/// Puts invented instants (position 0, time set) between the events around them: after every
/// event strictly earlier for calls, after every event no later for returns.
fn place_on_timeline(timings: &mut [Timing], ops: &[&Operation]) {
    let mut events: Vec<(u64, u64)> = Vec::with_capacity(ops.len() * 2);
    for op in ops {
        events.push((op.id, op.call));
        if let (Some(c), Some(r)) = (op.completion, op.ret) {
            events.push((c, r));
        }
    }
    events.sort_unstable();
    let mut max_time = 0;
    for e in events.iter_mut() {
        max_time = max_time.max(e.1);
        e.1 = max_time;
    }
    let after = |time: u64, inclusive: bool| -> u64 {
        let n = events.partition_point(|&(_, t)| if inclusive { t <= time } else { t < time });
        if n == 0 {
            0
        } else {
            2 * events[n - 1].0 + 2
        }
    };
    for t in timings.iter_mut().filter(|t| !t.real) {
        t.call.position = after(t.call.time, false);
        if let Some(ret) = &mut t.ret {
            ret.position = after(ret.time, true);
        }
    }
}

impl Model for TicketsModel {
    type Part = TicketsPartition;

    fn partition_key<'o>(&self, op: &'o Operation) -> Result<Cow<'o, str>, OpError> {
        input_str(op, "event").map(Cow::Borrowed)
    }

    fn compile(&self, key: &str, ops: &[&Operation]) -> Result<TicketsPartition, OpError> {
        let mut reader = Reader {
            model: self,
            part: TicketsPartition {
                event: key.to_owned(),
                timings: Vec::new(),
                ops: Vec::new(),
                placements: Vec::new(),
                orphans: Vec::new(),
                foreign: Vec::new(),
                users: Interner::default(),
                by_user: Vec::new(),
                anonymous: Vec::new(),
                capacity: created_capacity(ops)?.or_else(|| self.capacity(key)),
                expiring: self.hold_ttl.is_some(),
            },
            known: FastMap::default(),
            orphans: FastMap::default(),
        };
        for op in ops {
            reader.place(op)?;
        }
        for op in ops {
            reader.other(op)?;
        }
        let mut part = reader.part;
        place_on_timeline(&mut part.timings, ops);
        part.index_placements();
        Ok(part)
    }
}

impl TicketsPartition {
    /// Fills the indexes of placements by user and of anonymous placements.
    fn index_placements(&mut self) {
        for (p, placement) in self.placements.iter().enumerate() {
            let user = placement.user as usize;
            if self.by_user.len() <= user {
                self.by_user.resize(user + 1, Vec::new());
            }
            self.by_user[user].push(p as u32);
            if placement.hold.is_none() {
                self.anonymous.push(p as u32);
            }
        }
    }

    /// Placements an unbound orphan id may name: active, anonymous, not yet named by another
    /// orphan, and (when given) `user`'s.
    /// The placements no ok reply named (which orphan hold ids may name).
    pub(crate) fn anonymous_placements(&self) -> &[u32] {
        &self.anonymous
    }

    fn anonymous_active(&self, state: &TicketsState, user: Option<u32>) -> Vec<u32> {
        let candidates = match user {
            Some(u) => self.by_user.get(u as usize).map_or(&[][..], Vec::as_slice),
            None => &self.anonymous,
        };
        let mut found: Vec<u32> = candidates
            .iter()
            .copied()
            .filter(|&p| {
                state.status.get(p as usize) == status::ACTIVE
                    && self.placements[p as usize].hold.is_none()
            })
            .collect();
        // Most lists find none: only then read the orphans' bindings.
        if !found.is_empty() {
            let bound: FastSet<u32> = state.bound.iter().filter(|&p| p != u32::MAX).collect();
            found.retain(|p| !bound.contains(p));
        }
        found
    }

    /// The placements a hold reference may name in `state`, each with the state that binding it
    /// gives (for orphans not yet bound: any anonymous active hold).
    fn resolve(&self, state: &TicketsState, hold: HoldRef) -> Vec<(u32, TicketsState)> {
        match hold {
            HoldRef::Known(p) => vec![(p, state.clone())],
            HoldRef::Orphan(o) if state.bound.get(o as usize) != u32::MAX => {
                vec![(state.bound.get(o as usize), state.clone())]
            }
            HoldRef::Foreign(_) => Vec::new(),
            HoldRef::Orphan(o) => self
                .anonymous_active(state, None)
                .into_iter()
                .map(|p| {
                    let mut s = state.clone();
                    s.bound.set(o as usize, p);
                    (p, s)
                })
                .collect(),
        }
    }

    /// Ends an active hold with `to`, giving its seats back unless it was confirmed.
    fn end_hold(&self, state: &TicketsState, hold: HoldRef, to: u8, next: &mut Vec<TicketsState>) {
        for (p, mut s) in self.resolve(state, hold) {
            if s.status.get(p as usize) != status::ACTIVE {
                continue;
            }
            s.status.set(p as usize, to);
            if to != status::CONFIRMED {
                s.taken -= self.placements[p as usize].qty;
            }
            next.push(s);
        }
    }

    /// Whether `holds` can be exactly `user`'s active holds; pushes each way it can.
    fn list(
        &self,
        state: &TicketsState,
        user: u32,
        holds: &[HoldRef],
        next: &mut Vec<TicketsState>,
    ) {
        let mut named = Vec::new();
        let mut unbound = Vec::new();
        for &h in holds {
            match h {
                HoldRef::Known(p) => named.push(p),
                HoldRef::Orphan(o) if state.bound.get(o as usize) != u32::MAX => {
                    named.push(state.bound.get(o as usize))
                }
                HoldRef::Orphan(o) => unbound.push(o),
                HoldRef::Foreign(_) => return,
            }
        }
        let mine = |p: u32| {
            state.status.get(p as usize) == status::ACTIVE
                && self.placements[p as usize].user == user
        };
        if !named.iter().all(|&p| mine(p)) {
            return;
        }
        let anonymous = self.anonymous_active(state, Some(user));
        let active = self
            .by_user
            .get(user as usize)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|&&p| mine(p))
            .count();
        let active_named = active - anonymous.len();
        if active_named != named.len() || anonymous.len() != unbound.len() {
            return;
        }
        bind_all(state, &unbound, &anonymous, next);
    }
}

/// Pushes one state per way of binding each orphan in `orphans` to a distinct placement of `to`.
fn bind_all(state: &TicketsState, orphans: &[u32], to: &[u32], next: &mut Vec<TicketsState>) {
    let Some((&first, rest)) = orphans.split_first() else {
        next.push(state.clone());
        return;
    };
    for (i, &p) in to.iter().enumerate() {
        let mut s = state.clone();
        s.bound.set(first as usize, p);
        let others: Vec<u32> = to
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, &q)| q)
            .collect();
        bind_all(&s, rest, &others, next);
    }
}

impl Partition for TicketsPartition {
    type State = TicketsState;

    fn ops(&self) -> &[Timing] {
        &self.timings
    }

    fn init(&self) -> TicketsState {
        TicketsState {
            taken: 0,
            min_capacity: self.capacity.unwrap_or(0),
            max_capacity: self.capacity.unwrap_or(i64::MAX),
            status: CowArray::new(self.placements.len(), status::NOT_PLACED),
            bound: CowArray::new(self.orphans.len(), u32::MAX),
        }
    }

    fn step(&self, state: &TicketsState, op: usize, next: &mut Vec<TicketsState>) {
        match &self.ops[op] {
            TicketOp::Place(p) => {
                let qty = self.placements[*p as usize].qty;
                let min = state.min_capacity.max(state.taken + qty);
                if min <= state.max_capacity {
                    let mut s = state.clone();
                    s.min_capacity = min;
                    s.taken += qty;
                    s.status.set(*p as usize, status::ACTIVE);
                    next.push(s);
                }
            }
            TicketOp::SoldOut { qty, .. } => {
                let max = state.max_capacity.min(state.taken + qty - 1);
                if state.min_capacity <= max {
                    let mut s = state.clone();
                    s.max_capacity = max;
                    next.push(s);
                }
            }
            TicketOp::Inventory(remaining) => {
                let capacity = remaining + state.taken;
                if (state.min_capacity..=state.max_capacity).contains(&capacity) {
                    let mut s = state.clone();
                    s.min_capacity = capacity;
                    s.max_capacity = capacity;
                    next.push(s);
                }
            }
            TicketOp::Release(h) => self.end_hold(state, *h, status::RELEASED, next),
            TicketOp::Confirm(h) => self.end_hold(state, *h, status::CONFIRMED, next),
            TicketOp::NotActive(h) => match h {
                HoldRef::Orphan(o) if state.bound.get(*o as usize) == u32::MAX => {
                    next.push(state.clone())
                }
                HoldRef::Foreign(_) => next.push(state.clone()),
                _ => {
                    for (p, s) in self.resolve(state, *h) {
                        if s.status.get(p as usize) != status::ACTIVE {
                            next.push(s);
                        }
                    }
                }
            },
            TicketOp::List { user, holds } => self.list(state, *user, holds, next),
            TicketOp::Expire(p) => match state.status.get(*p as usize) {
                status::NOT_PLACED => {}
                status::ACTIVE => {
                    let mut s = state.clone();
                    s.status.set(*p as usize, status::EXPIRED);
                    s.taken -= self.placements[*p as usize].qty;
                    next.push(s);
                }
                _ => next.push(state.clone()),
            },
        }
    }

    fn judges_hopeless(&self, first: usize) -> bool {
        matches!(self.ops[first], TicketOp::Inventory(_))
    }

    fn hopeless(&self, state: &TicketsState, first: usize, before: &[usize]) -> bool {
        let TicketOp::Inventory(remaining) = self.ops[first] else {
            return false;
        };
        super::tickets_reach::unreachable_read(self, state, remaining, before)
    }

    fn observes_only(&self, op: usize) -> bool {
        matches!(
            self.ops[op],
            TicketOp::SoldOut { .. }
                | TicketOp::NotActive(_)
                | TicketOp::Inventory(_)
                | TicketOp::List { .. }
        )
    }

    /// Placements whose hold id no reply named, of the same user and quantity, are
    /// interchangeable (unless holds expire: each has its own expiry window).
    fn effect_key(&self, op: usize) -> Option<u64> {
        let TicketOp::Place(p) = self.ops[op] else {
            return None;
        };
        let placement = &self.placements[p as usize];
        if self.expiring || placement.hold.is_some() {
            return None;
        }
        let qty = u32::try_from(placement.qty).ok()?;
        Some((u64::from(placement.user) << 32) | u64::from(qty))
    }

    fn state_heap_bytes(&self, state: &TicketsState) -> usize {
        state.status.step_heap_bytes() + state.bound.step_heap_bytes()
    }

    fn describe_op(&self, op: usize) -> String {
        super::tickets_explain::describe_op(self, op)
    }

    fn describe_state(&self, state: &TicketsState) -> String {
        super::tickets_explain::describe_state(self, state)
    }

    fn explain(&self, state: &TicketsState, stuck: &[usize]) -> String {
        super::tickets_explain::explain(self, state, stuck)
    }
}
