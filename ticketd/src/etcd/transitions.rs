//! Ending a hold (confirm, release, expire): one txn guarded by the hold's revision, and for the
//! transitions that return seats also by the inventory's, so each hold ends exactly once.

use std::time::Instant;

use super::gateway::{Compare, Op};
use super::place::CONTENTION_DEADLINE;
use super::{decode, encode, EtcdTickets};
use crate::error::TicketError;
use crate::model::{now_ms, HoldChange, HoldRecord, Inventory, LogKind, LogRecord};
use crate::validate::hold_event;

impl EtcdTickets {
    /// Moves an active hold to the state after `kind` (HoldConfirmed, HoldReleased or HoldExpired).
    /// Confirm and release refuse a hold past its expiry time; expiry refuses one that is not.
    pub(super) async fn transition(
        &self,
        hold_id: &str,
        kind: LogKind,
    ) -> Result<HoldChange, TicketError> {
        let event = hold_event(hold_id)?;
        let hold_key = self.keys.hold(event, hold_id);
        let inventory_key = self.keys.inventory(event);
        let reads = [Op::Get(hold_key.clone()), Op::Get(inventory_key.clone())];
        let mut snapshot = self.gateway.txn(&[], &reads, &[]).await?;
        let deadline = Instant::now() + CONTENTION_DEADLINE;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let hold_kv = snapshot
                .first_kv(0)
                .ok_or_else(|| TicketError::UnknownHold(hold_id.to_string()))?;
            let mut hold: HoldRecord = decode(hold_kv)?;
            if let Some(state) = hold.blocker(kind, now_ms()) {
                return Err(TicketError::HoldNotActive {
                    hold: hold_id.to_string(),
                    state: state.name().to_string(),
                });
            }
            let mut compares = vec![Compare::ModRevision(hold_key.clone(), hold_kv.mod_revision)];
            let mut writes = vec![
                Op::Delete(self.keys.expiry(hold.expires_at, hold_id)),
                Op::Put(
                    self.keys.log(event, hold_id, kind.name()),
                    encode(&LogRecord::of(kind, &hold)),
                ),
            ];
            if kind != LogKind::HoldConfirmed {
                let inventory_kv = snapshot
                    .first_kv(1)
                    .ok_or_else(|| TicketError::UnknownEvent(event.to_string()))?;
                let mut inventory: Inventory = decode(inventory_kv)?;
                inventory.remaining += i64::from(hold.qty);
                compares.push(Compare::ModRevision(
                    inventory_key.clone(),
                    inventory_kv.mod_revision,
                ));
                writes.push(Op::Put(inventory_key.clone(), encode(&inventory)));
            }
            hold.state = kind.resulting_state();
            writes.push(Op::Put(hold_key.clone(), encode(&hold)));
            let reply = self.gateway.txn(&compares, &writes, &reads).await?;
            if reply.succeeded {
                return Ok(HoldChange {
                    hold: hold.hold,
                    state: hold.state,
                    seq: reply.header.revision,
                });
            }
            if Instant::now() > deadline {
                return Err(TicketError::Contention { attempts });
            }
            snapshot = reply;
        }
    }
}
