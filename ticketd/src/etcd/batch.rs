//! Group commit of placeHolds: the placeHolds one instance receives for one event wait in a queue,
//! and whoever gets the event's turn carries up to `max_batch` of them in one etcd txn. The
//! instance's own clients then no longer fail each other's compare-and-swap, and one Raft round
//! places many holds. Each hold is still all-or-nothing: the batch's txn commits every write or none.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::place::{Outcome, CONTENTION_DEADLINE};
use super::EtcdTickets;
use crate::error::TicketError;
use crate::model::PlacedHold;
use crate::validate::PlaceHold;

/// A placeHold waiting for a batch.
struct Waiting {
    request: PlaceHold,
    reply: oneshot::Sender<Result<PlacedHold, TicketError>>,
}

/// One event's queue on this instance.
#[derive(Default)]
pub(super) struct EventQueue {
    pending: Mutex<Vec<Waiting>>,
    /// Held while one batch (or one non-atomic placeHold) of the event is in flight.
    pub(super) turn: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for EventQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventQueue")
    }
}

impl EventQueue {
    fn push(&self, waiting: Waiting) -> Result<(), TicketError> {
        self.pending
            .lock()
            .map_err(|_| TicketError::Unavailable("the event queue is poisoned".into()))?
            .push(waiting);
        Ok(())
    }

    /// Takes up to `max` waiting placeHolds with distinct request ids, oldest first; a repeated
    /// request id waits for the next batch (where it finds the first one's hold). placeHolds whose
    /// client has gone are dropped unplaced.
    fn take(&self, max: usize) -> Vec<Waiting> {
        let Ok(mut pending) = self.pending.lock() else {
            return Vec::new();
        };
        pending.retain(|w| !w.reply.is_closed());
        let mut batch: Vec<Waiting> = Vec::new();
        let mut kept = Vec::new();
        for waiting in pending.drain(..) {
            let repeated = batch
                .iter()
                .any(|b| b.request.request_id == waiting.request.request_id);
            if repeated || batch.len() >= max {
                kept.push(waiting);
            } else {
                batch.push(waiting);
            }
        }
        *pending = kept;
        batch
    }
}

impl EtcdTickets {
    /// The queue placeHolds of `event` wait in on this instance.
    pub(super) fn event_queue(&self, event: &str) -> Result<Arc<EventQueue>, TicketError> {
        let mut queues = self
            .event_queues
            .lock()
            .map_err(|_| TicketError::Unavailable("the event queues are poisoned".into()))?;
        Ok(Arc::clone(queues.entry(event.to_string()).or_default()))
    }

    /// Queues an atomic placeHold and returns its reply, running batches whenever this request
    /// gets the event's turn before its reply has come.
    pub(super) async fn place_batched(
        &self,
        event: &str,
        request: &PlaceHold,
    ) -> Result<PlacedHold, TicketError> {
        let queue = self.event_queue(event)?;
        let (reply, mut replied) = oneshot::channel();
        queue.push(Waiting {
            request: request.clone(),
            reply,
        })?;
        let waiting = async {
            loop {
                tokio::select! {
                    biased;
                    answer = &mut replied => {
                        return answer.unwrap_or_else(|_| Err(TicketError::Unavailable(
                            "the batch carrying this placeHold was abandoned".into(),
                        )));
                    }
                    _turn = queue.turn.lock() => {
                        let batch = queue.take(self.max_batch);
                        if !batch.is_empty() {
                            self.run_batch(event, batch).await;
                        }
                    }
                }
            }
        };
        tokio::time::timeout(CONTENTION_DEADLINE, waiting)
            .await
            .unwrap_or_else(|_| {
                Err(TicketError::Unavailable(
                    "placeHold waited too long for its turn on this event".into(),
                ))
            })
    }

    /// Places one batch in one txn and answers every placeHold in it.
    async fn run_batch(&self, event: &str, batch: Vec<Waiting>) {
        let requests: Vec<PlaceHold> = batch.iter().map(|w| w.request.clone()).collect();
        let replies: Vec<Result<PlacedHold, TicketError>> =
            match self.take_seats(event, &requests, true).await {
                Ok((outcomes, seq)) => outcomes
                    .into_iter()
                    .map(|o: Outcome| o.reply(seq))
                    .collect(),
                Err(e) => vec![Err(e); batch.len()],
            };
        for (waiting, reply) in batch.into_iter().zip(replies) {
            let _ = waiting.reply.send(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(request_id: &str) -> (Waiting, oneshot::Receiver<Result<PlacedHold, TicketError>>) {
        let (reply, replied) = oneshot::channel();
        let request = PlaceHold {
            user: "u".into(),
            qty: 1,
            request_id: request_id.into(),
        };
        (Waiting { request, reply }, replied)
    }

    fn ids(batch: &[Waiting]) -> Vec<&str> {
        batch
            .iter()
            .map(|w| w.request.request_id.as_str())
            .collect()
    }

    #[test]
    fn a_batch_takes_distinct_request_ids_up_to_the_limit_and_skips_gone_clients() {
        let queue = EventQueue::default();
        let mut receivers = Vec::new();
        for id in ["a", "b", "a", "gone", "c", "d"] {
            let (w, r) = waiting(id);
            queue.push(w).expect("the queue takes it");
            receivers.push((id, r));
        }
        receivers.retain(|(id, _)| *id != "gone");
        assert_eq!(ids(&queue.take(3)), ["a", "b", "c"]);
        assert_eq!(ids(&queue.take(3)), ["a", "d"]);
        assert!(queue.take(3).is_empty());
    }
}
