//! Creating events and placing holds: one compare-guarded etcd txn per batch of placeHolds (or,
//! non-atomic, three writes per placeHold).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::gateway::{Compare, Op, TxnReply};
use super::{decode, encode, EtcdTickets, RequestRecord};
use crate::config::CrashPlan;
use crate::error::TicketError;
use crate::model::{EventView, HoldRecord, Inventory, LogKind, LogRecord, PlacedHold};
use crate::validate::PlaceHold;

/// How long placeHold keeps retrying after losing compare-and-swap races before it gives up.
pub(super) const CONTENTION_DEADLINE: Duration = Duration::from_secs(10);

/// The most placeHolds one txn can carry: each takes 4 of etcd's default 128 ops per txn, plus one
/// for the inventory.
pub const MAX_BATCH_LIMIT: usize = 31;

/// What a batch takes: the inventory's revision as read, and its value after the batch's holds.
type Taking = (i64, Inventory);

/// How one placeHold of a batch ends, decided from a snapshot.
pub(super) enum Outcome {
    /// Answered without writing: a replay, sold out, or unknown event.
    Done(Result<PlacedHold, TicketError>),
    /// Takes seats with this new hold, if the txn wins.
    Placed(HoldRecord),
}

impl Outcome {
    /// The reply, once the txn that placed the holds committed at `seq`.
    pub(super) fn reply(self, seq: i64) -> Result<PlacedHold, TicketError> {
        match self {
            Outcome::Done(reply) => reply,
            Outcome::Placed(hold) => Ok(placed(hold, seq)),
        }
    }
}

impl EtcdTickets {
    /// Creates an event unless it exists; an existing event with the same capacity is not an error.
    pub(super) async fn create(
        &self,
        event: &str,
        capacity: u64,
    ) -> Result<(bool, EventView), TicketError> {
        let key = self.keys.inventory(event);
        let inventory = Inventory {
            capacity,
            remaining: capacity as i64,
        };
        let reply = self
            .gateway
            .txn(
                &[Compare::Absent(key.clone())],
                &[Op::Put(key.clone(), encode(&inventory))],
                &[Op::Get(key)],
            )
            .await?;
        let seq = reply.header.revision;
        if reply.succeeded {
            return Ok((true, view(event, inventory, seq)));
        }
        let existing: Inventory = match reply.first_kv(0) {
            Some(kv) => decode(kv)?,
            None => {
                return Err(TicketError::Unavailable(
                    "the event vanished while being created".into(),
                ))
            }
        };
        if existing.capacity != capacity {
            return Err(TicketError::EventExists {
                event: event.to_string(),
                capacity: existing.capacity,
            });
        }
        Ok((false, view(event, existing, seq)))
    }

    /// The reads every placeHold decision starts from: the inventory, then each request id.
    fn snapshot_ops(&self, event: &str, requests: &[PlaceHold]) -> Vec<Op> {
        let ids = requests
            .iter()
            .map(|r| Op::Get(self.keys.request(event, &r.request_id)));
        std::iter::once(Op::Get(self.keys.inventory(event)))
            .chain(ids)
            .collect()
    }

    /// Decides every request of a batch from a txn reply that starts with the snapshot reads, in
    /// order, against one inventory. Returns the outcomes and, when some take seats, the inventory's
    /// revision as read and its new value.
    fn plan(
        &self,
        event: &str,
        requests: &[PlaceHold],
        snapshot: &TxnReply,
    ) -> Result<(Vec<Outcome>, Option<Taking>), TicketError> {
        let kv = snapshot
            .first_kv(0)
            .ok_or_else(|| TicketError::UnknownEvent(event.to_string()))?;
        let mut inventory: Inventory = decode(kv)?;
        let mut taken = false;
        let mut outcomes = Vec::with_capacity(requests.len());
        for (i, request) in requests.iter().enumerate() {
            if let Some(done) = snapshot.first_kv(i + 1) {
                let record: RequestRecord = decode(done)?;
                outcomes.push(Outcome::Done(Ok(PlacedHold {
                    hold: record.hold,
                    seq: done.create_revision,
                    expires_at: record.expires_at,
                    replayed: true,
                })));
            } else if inventory.remaining < i64::from(request.qty) {
                outcomes.push(Outcome::Done(Err(TicketError::SoldOut {
                    event: event.to_string(),
                    requested: request.qty,
                    remaining: inventory.remaining,
                })));
            } else {
                // The inventory revision is consumed by exactly one successful compare-and-swap,
                // so with the position in the batch it names the hold uniquely within the event.
                let id = format!("{event}:{}.{i}", kv.mod_revision);
                outcomes.push(Outcome::Placed(HoldRecord::placed(
                    id,
                    event,
                    request,
                    self.hold_ttl,
                )));
                inventory.remaining -= i64::from(request.qty);
                taken = true;
            }
        }
        Ok((outcomes, taken.then_some((kv.mod_revision, inventory))))
    }

    /// The writes that record a placed hold (all but the inventory and the log entry).
    fn hold_writes(&self, hold: &HoldRecord) -> [Op; 3] {
        let done = RequestRecord {
            hold: hold.hold.clone(),
            expires_at: hold.expires_at,
        };
        [
            Op::Put(self.keys.hold(&hold.event, &hold.hold), encode(hold)),
            Op::Put(
                self.keys.request(&hold.event, &hold.request_id),
                encode(&done),
            ),
            Op::Put(
                self.keys.expiry(hold.expires_at, &hold.hold),
                hold.hold.clone().into_bytes(),
            ),
        ]
    }

    /// The write of a hold's HoldPlaced log entry.
    fn placed_entry(&self, hold: &HoldRecord) -> Op {
        let key = self
            .keys
            .log(&hold.event, &hold.hold, LogKind::HoldPlaced.name());
        Op::Put(key, encode(&LogRecord::of(LogKind::HoldPlaced, hold)))
    }

    /// Takes the seats of a batch of placeHolds (distinct request ids) with one compare-and-swap on
    /// the inventory, retried on fresh snapshots until it wins or nothing is left to place. With
    /// `whole_holds` the same txn also writes each hold, its request id, expiry entry and HoldPlaced
    /// entry (and requires the request ids unused); without it only the inventory is written.
    /// Returns the outcomes and the revision of the winning txn (0 when nothing was written).
    pub(super) async fn take_seats(
        &self,
        event: &str,
        requests: &[PlaceHold],
        whole_holds: bool,
    ) -> Result<(Vec<Outcome>, i64), TicketError> {
        let deadline = Instant::now() + CONTENTION_DEADLINE;
        let inventory_key = self.keys.inventory(event);
        let reads = self.snapshot_ops(event, requests);
        let mut snapshot = self.gateway.txn(&[], &reads, &[]).await?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (outcomes, taking) = self.plan(event, requests, &snapshot)?;
            let Some((inventory_rev, inventory)) = taking else {
                return Ok((outcomes, 0));
            };
            let mut compares = vec![Compare::ModRevision(inventory_key.clone(), inventory_rev)];
            let mut writes = vec![Op::Put(inventory_key.clone(), encode(&inventory))];
            for outcome in outcomes.iter().filter(|_| whole_holds) {
                if let Outcome::Placed(hold) = outcome {
                    compares.push(Compare::Absent(self.keys.request(event, &hold.request_id)));
                    writes.extend(self.hold_writes(hold));
                    writes.push(self.placed_entry(hold));
                }
            }
            let reply = self.gateway.txn(&compares, &writes, &reads).await?;
            if reply.succeeded {
                return Ok((outcomes, reply.header.revision));
            }
            if Instant::now() > deadline {
                return Err(TicketError::Contention { attempts });
            }
            snapshot = reply;
        }
    }

    /// placeHold as three separate requests (inventory, then hold record, then log entry), so a
    /// crash between them leaves seats taken without a hold, or a hold without its HoldPlaced.
    pub(super) async fn place_non_atomic(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        let count = self.non_atomic_count.fetch_add(1, Ordering::SeqCst) + 1;
        let (mut outcomes, seq) = self
            .take_seats(event, std::slice::from_ref(request), false)
            .await?;
        let hold = match outcomes.pop() {
            Some(Outcome::Placed(hold)) => hold,
            Some(done) => return done.reply(seq),
            None => {
                return Err(TicketError::Unavailable(
                    "placeHold produced no outcome".into(),
                ))
            }
        };
        self.maybe_crash(1, count);
        self.gateway.txn(&[], &self.hold_writes(&hold), &[]).await?;
        self.maybe_crash(2, count);
        let reply = self
            .gateway
            .txn(&[], &[self.placed_entry(&hold)], &[])
            .await?;
        Ok(placed(hold, reply.header.revision))
    }

    /// Exits the process when the crash plan says this non-atomic placeHold dies after `step`.
    fn maybe_crash(&self, step: u8, count: u32) {
        if let Some(plan) = self.crash {
            if plan.after_step == step && plan.every > 0 && count % plan.every == 0 {
                eprintln!(
                    "ticketd: injected crash after step {step} of non-atomic placeHold #{count}"
                );
                std::process::exit(CrashPlan::EXIT_CODE);
            }
        }
    }
}

/// The reply for a newly placed hold written at `seq`.
fn placed(hold: HoldRecord, seq: i64) -> PlacedHold {
    PlacedHold {
        hold: hold.hold,
        seq,
        expires_at: hold.expires_at,
        replayed: false,
    }
}

/// The reply for an event's inventory at `seq`.
pub(super) fn view(event: &str, inventory: Inventory, seq: i64) -> EventView {
    EventView {
        event: event.to_string(),
        capacity: inventory.capacity,
        remaining: inventory.remaining,
        seq,
    }
}
