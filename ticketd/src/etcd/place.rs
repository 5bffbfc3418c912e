//! Creating events and placing holds: one compare-guarded etcd txn each (or, non-atomic, three writes).

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

/// What a placeHold does, decided from a snapshot of the inventory and the request id.
enum Plan {
    /// The request id was used before: answer with that hold.
    Replay(PlacedHold),
    /// Take the seats: the inventory was read at `inventory_rev`.
    Place {
        inventory_rev: i64,
        inventory: Inventory,
        hold: HoldRecord,
    },
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

    /// The two reads every placeHold decision starts from: the inventory and the request id.
    fn snapshot_ops(&self, event: &str, request_id: &str) -> [Op; 2] {
        [
            Op::Get(self.keys.inventory(event)),
            Op::Get(self.keys.request(event, request_id)),
        ]
    }

    /// Decides a placeHold from a txn reply whose first two results are the snapshot reads.
    fn plan(
        &self,
        event: &str,
        request: &PlaceHold,
        snapshot: &TxnReply,
    ) -> Result<Plan, TicketError> {
        if let Some(kv) = snapshot.first_kv(1) {
            let done: RequestRecord = decode(kv)?;
            return Ok(Plan::Replay(PlacedHold {
                hold: done.hold,
                seq: kv.create_revision,
                expires_at: done.expires_at,
                replayed: true,
            }));
        }
        let kv = snapshot
            .first_kv(0)
            .ok_or_else(|| TicketError::UnknownEvent(event.to_string()))?;
        let inventory: Inventory = decode(kv)?;
        if inventory.remaining < i64::from(request.qty) {
            return Err(TicketError::SoldOut {
                event: event.to_string(),
                requested: request.qty,
                remaining: inventory.remaining,
            });
        }
        // The inventory revision is consumed by exactly one successful compare-and-swap, so it
        // names the hold uniquely within the event.
        let id = format!("{event}:{}", kv.mod_revision);
        let hold = HoldRecord::placed(id, event, request, self.hold_ttl);
        Ok(Plan::Place {
            inventory_rev: kv.mod_revision,
            inventory: Inventory {
                remaining: inventory.remaining - i64::from(request.qty),
                ..inventory
            },
            hold,
        })
    }

    /// The writes that record a placed hold (all but the inventory).
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

    /// Takes the seats with a compare-and-swap on the inventory, retried on fresh snapshots until it
    /// wins or the request turns out to be a replay, sold out, or too contended. With `whole_hold`
    /// the same txn also writes the hold, its request id, expiry entry and HoldPlaced entry (and
    /// requires the request id unused); without it only the inventory is written.
    /// Returns the hold and the txn's revision.
    async fn take_seats(
        &self,
        event: &str,
        request: &PlaceHold,
        whole_hold: bool,
    ) -> Result<Result<(HoldRecord, i64), PlacedHold>, TicketError> {
        let deadline = Instant::now() + CONTENTION_DEADLINE;
        let inventory_key = self.keys.inventory(event);
        let reads = self.snapshot_ops(event, &request.request_id);
        let mut snapshot = self.gateway.txn(&[], &reads, &[]).await?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (inventory_rev, inventory, hold) = match self.plan(event, request, &snapshot)? {
                Plan::Replay(placed) => return Ok(Err(placed)),
                Plan::Place {
                    inventory_rev,
                    inventory,
                    hold,
                } => (inventory_rev, inventory, hold),
            };
            let mut compares = vec![Compare::ModRevision(inventory_key.clone(), inventory_rev)];
            let mut writes = vec![Op::Put(inventory_key.clone(), encode(&inventory))];
            if whole_hold {
                compares.push(Compare::Absent(
                    self.keys.request(event, &request.request_id),
                ));
                writes.extend(self.hold_writes(&hold));
                writes.push(self.placed_entry(&hold));
            }
            let reply = self.gateway.txn(&compares, &writes, &reads).await?;
            if reply.succeeded {
                return Ok(Ok((hold, reply.header.revision)));
            }
            if Instant::now() > deadline {
                return Err(TicketError::Contention { attempts });
            }
            snapshot = reply;
        }
    }

    /// placeHold as one txn: inventory unchanged since read and request id unused, then inventory,
    /// hold, request id, expiry entry and HoldPlaced entry together.
    pub(super) async fn place_atomic(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        Ok(match self.take_seats(event, request, true).await? {
            Ok((hold, seq)) => placed(hold, seq),
            Err(replayed) => replayed,
        })
    }

    /// placeHold as three separate requests (inventory, then hold record, then log entry), so a
    /// crash between them leaves seats taken without a hold, or a hold without its HoldPlaced.
    pub(super) async fn place_non_atomic(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        let count = self.non_atomic_count.fetch_add(1, Ordering::SeqCst) + 1;
        let hold = match self.take_seats(event, request, false).await? {
            Ok((hold, _)) => hold,
            Err(replayed) => return Ok(replayed),
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
