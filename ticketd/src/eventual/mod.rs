//! The eventual design (ConcertFrenzy today): each region answers from its own copy of the
//! inventory and replicates its changes to the other regions asynchronously.

pub mod inbound;
mod replication;
mod state;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::config::EventualConfig;
use crate::error::TicketError;
use crate::model::{
    now_ms, EventView, HoldChange, HoldRecord, HoldState, HoldsQuery, HoldsView, LogKind, LogView,
    PlacedHold,
};
use crate::tickets::Tickets;
use crate::validate::{hold_event, PlaceHold};

use replication::{Batch, PeerLink};

use state::{Change, RegionState, ReplicatedOp};

/// One region.
#[derive(Debug)]
pub struct Region {
    name: String,
    state: Mutex<RegionState>,
    seq: watch::Sender<i64>,
    peers: Vec<Arc<PeerLink>>,
    replication_lag: Duration,
    peer_ack_timeout: Option<Duration>,
    hold_ttl: Duration,
    min_seq_wait: Duration,
}

impl Region {
    /// A region with empty state; [`Region::start_replication`] starts sending to the peers.
    pub fn new(config: &EventualConfig, hold_ttl: Duration, min_seq_wait: Duration) -> Self {
        Region {
            name: config.region.clone(),
            state: Mutex::new(RegionState::default()),
            seq: watch::Sender::new(0),
            peers: config
                .peers
                .iter()
                .map(|url| Arc::new(PeerLink::new(url, &config.peer_secret)))
                .collect(),
            replication_lag: config.replication_lag,
            peer_ack_timeout: config.peer_ack_timeout,
            hold_ttl,
            min_seq_wait,
        }
    }

    /// Spawns one sender task per peer; the caller aborts them on shutdown.
    pub fn start_replication(&self) -> Vec<tokio::task::JoinHandle<()>> {
        self.peers
            .iter()
            .map(|peer| tokio::spawn(Arc::clone(peer).run(self.replication_lag)))
            .collect()
    }

    /// Locks the state; a poisoned lock (a panic elsewhere) is reported as unavailable.
    fn lock(&self) -> Result<MutexGuard<'_, RegionState>, TicketError> {
        self.state
            .lock()
            .map_err(|_| TicketError::Unavailable("the region's state is poisoned".into()))
    }

    /// Applies a change made here, queues it for every peer, and returns its number and the seq.
    fn make(&self, state: &mut RegionState, change: Change) -> (u64, i64) {
        state.apply(&change);
        state.made += 1;
        let op = ReplicatedOp {
            origin: self.name.clone(),
            number: state.made,
            change,
        };
        for peer in &self.peers {
            peer.enqueue(op.clone());
        }
        self.seq.send_replace(state.seq);
        (op.number, state.seq)
    }

    /// Applies changes replicated from a peer.
    pub fn receive(&self, batch: &Batch) -> Result<(), TicketError> {
        let mut state = self.lock()?;
        for op in &batch.ops {
            state.apply_replicated(op);
        }
        self.seq.send_replace(state.seq);
        Ok(())
    }

    /// Waits until every peer accepted change `number`; ConcertFrenzy reports a timeout as a
    /// failed hold although the change stays queued and is delivered later.
    async fn wait_for_peers(&self, number: u64) -> Result<(), TicketError> {
        let Some(timeout) = self.peer_ack_timeout else {
            return Ok(());
        };
        let deadline = Instant::now() + timeout;
        for peer in &self.peers {
            if !peer.wait_acked(number, deadline).await {
                return Err(TicketError::HoldFailed {
                    peer: peer.url.clone(),
                    waited_ms: timeout.as_millis(),
                });
            }
        }
        Ok(())
    }

    /// Waits, bounded, until this region has applied `min_seq` changes.
    async fn catch_up(&self, min_seq: Option<i64>) -> Result<(), TicketError> {
        let Some(min_seq) = min_seq else {
            return Ok(());
        };
        let mut seq = self.seq.subscribe();
        let waited = tokio::time::timeout(self.min_seq_wait, seq.wait_for(|s| *s >= min_seq)).await;
        if waited.is_ok_and(|r| r.is_ok()) {
            return Ok(());
        }
        Err(TicketError::Stale {
            min_seq,
            reached: *self.seq.borrow(),
            waited_ms: self.min_seq_wait.as_millis(),
        })
    }

    /// Expires this region's own holds that are due (the origin region owns a hold's expiry).
    pub fn expire_due(&self) {
        let Ok(mut state) = self.lock() else {
            return;
        };
        let own = format!(":{}-", self.name);
        let now = now_ms();
        let due: Vec<String> = state
            .holds
            .values()
            .filter(|h| {
                h.state == HoldState::Active && h.expires_at <= now && h.hold.contains(&own)
            })
            .map(|h| h.hold.clone())
            .collect();
        for hold in due {
            self.make(
                &mut state,
                Change::HoldEnded {
                    hold,
                    kind: LogKind::HoldExpired,
                },
            );
        }
    }

    /// The event's copy here, if it was created here or replicated here.
    fn created_event<'a>(
        state: &'a RegionState,
        event: &str,
    ) -> Result<&'a state::EventCopy, TicketError> {
        state
            .events
            .get(event)
            .filter(|copy| copy.created)
            .ok_or_else(|| TicketError::UnknownEvent(event.to_string()))
    }
}

/// Expires due holds every `interval`, forever (the server aborts the task on shutdown).
pub async fn run_sweeper(region: Arc<Region>, interval: Duration) {
    loop {
        tokio::time::sleep(interval).await;
        region.expire_due();
    }
}

impl Tickets for Region {
    async fn create_event(
        &self,
        event: &str,
        capacity: u64,
    ) -> Result<(bool, EventView), TicketError> {
        let mut state = self.lock()?;
        if let Ok(copy) = Self::created_event(&state, event) {
            if copy.inventory.capacity != capacity {
                return Err(TicketError::EventExists {
                    event: event.to_string(),
                    capacity: copy.inventory.capacity,
                });
            }
            return Ok((false, view(event, copy, state.seq)));
        }
        let change = Change::EventCreated {
            event: event.to_string(),
            capacity,
        };
        let (_, seq) = self.make(&mut state, change);
        Ok((true, view(event, Self::created_event(&state, event)?, seq)))
    }

    async fn place_hold(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        let (number, placed) = {
            let mut state = self.lock()?;
            let copy = Self::created_event(&state, event)?;
            let key = (event.to_string(), request.request_id.clone());
            if let Some(done) = state.requests.get(&key) {
                return Ok(PlacedHold {
                    hold: done.hold.clone(),
                    seq: done.seq,
                    expires_at: done.expires_at,
                    replayed: true,
                });
            }
            // The check runs against this region's copy, which lags the other regions' sales.
            if copy.inventory.remaining < i64::from(request.qty) {
                return Err(TicketError::SoldOut {
                    event: event.to_string(),
                    requested: request.qty,
                    remaining: copy.inventory.remaining,
                });
            }
            let id = format!("{event}:{}-{}", self.name, state.made + 1);
            let hold = HoldRecord::placed(id, event, request, self.hold_ttl);
            let placed = PlacedHold {
                hold: hold.hold.clone(),
                seq: 0,
                expires_at: hold.expires_at,
                replayed: false,
            };
            let (number, seq) = self.make(&mut state, Change::HoldPlaced { hold });
            (number, PlacedHold { seq, ..placed })
        };
        self.wait_for_peers(number).await?;
        Ok(placed)
    }

    async fn finish_hold(&self, hold_id: &str, kind: LogKind) -> Result<HoldChange, TicketError> {
        hold_event(hold_id)?;
        let mut state = self.lock()?;
        let hold = state
            .holds
            .get(hold_id)
            .ok_or_else(|| TicketError::UnknownHold(hold_id.to_string()))?;
        if let Some(state) = hold.blocker(kind, now_ms()) {
            return Err(TicketError::HoldNotActive {
                hold: hold_id.to_string(),
                state: state.name().to_string(),
            });
        }
        let change = Change::HoldEnded {
            hold: hold_id.to_string(),
            kind,
        };
        let (_, seq) = self.make(&mut state, change);
        Ok(HoldChange {
            hold: hold_id.to_string(),
            state: kind.resulting_state(),
            seq,
        })
    }

    async fn read_event(
        &self,
        event: &str,
        min_seq: Option<i64>,
    ) -> Result<EventView, TicketError> {
        self.catch_up(min_seq).await?;
        let state = self.lock()?;
        Ok(view(event, Self::created_event(&state, event)?, state.seq))
    }

    async fn list_holds(
        &self,
        event: &str,
        query: &HoldsQuery,
        min_seq: Option<i64>,
    ) -> Result<HoldsView, TicketError> {
        self.catch_up(min_seq).await?;
        let state = self.lock()?;
        Self::created_event(&state, event)?;
        let mut view = HoldsView {
            event: event.to_string(),
            holds: Vec::new(),
            confirmed: Vec::new(),
            seq: state.seq,
        };
        let selected = state
            .holds
            .values()
            .filter(|h| h.event == event && query.user.as_ref().is_none_or(|u| *u == h.user));
        for hold in selected {
            match hold.state {
                HoldState::Active => view.holds.push(hold.hold.clone()),
                HoldState::Confirmed => view.confirmed.push(hold.hold.clone()),
                HoldState::Released | HoldState::Expired => {}
            }
        }
        Ok(view)
    }

    async fn read_log(
        &self,
        event: &str,
        after: i64,
        min_seq: Option<i64>,
    ) -> Result<LogView, TicketError> {
        self.catch_up(min_seq).await?;
        let state = self.lock()?;
        let copy = Self::created_event(&state, event)?;
        Ok(LogView {
            event: event.to_string(),
            entries: copy.log.iter().filter(|e| e.seq > after).cloned().collect(),
            seq: state.seq,
        })
    }
}

/// The reply for an event's copy at `seq`.
fn view(event: &str, copy: &state::EventCopy, seq: i64) -> EventView {
    EventView {
        event: event.to_string(),
        capacity: copy.inventory.capacity,
        remaining: copy.inventory.remaining,
        seq,
    }
}
