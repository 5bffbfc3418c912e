//! Where ticketd keeps its records in etcd. Event names and hold ids contain no `/`, so every
//! per-event prefix range is exact.

/// The key layout under one prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// The layout under `prefix` (e.g. `ticketd/`).
    pub fn new(prefix: &str) -> Self {
        Keys {
            prefix: prefix.to_string(),
        }
    }

    /// An event's inventory (`Inventory` JSON); its mod revision guards every change of seats.
    pub fn inventory(&self, event: &str) -> String {
        format!("{}inv/{event}", self.prefix)
    }

    /// One hold record (`HoldRecord` JSON).
    pub fn hold(&self, event: &str, hold: &str) -> String {
        format!("{}hold/{event}/{hold}", self.prefix)
    }

    /// The prefix of an event's hold records.
    pub fn holds(&self, event: &str) -> String {
        format!("{}hold/{event}/", self.prefix)
    }

    /// The idempotency record of one request id (`RequestRecord` JSON); its existence means "done".
    pub fn request(&self, event: &str, request_id: &str) -> String {
        format!("{}req/{event}/{request_id}", self.prefix)
    }

    /// One log entry (`LogRecord` JSON); its create revision is its sequence number.
    pub fn log(&self, event: &str, hold: &str, kind: &str) -> String {
        format!("{}log/{event}/{hold}/{kind}", self.prefix)
    }

    /// The prefix of an event's log.
    pub fn logs(&self, event: &str) -> String {
        format!("{}log/{event}/", self.prefix)
    }

    /// The expiry index entry of an active hold, ordered by expiry time; its value is the hold id.
    pub fn expiry(&self, expires_at: u64, hold: &str) -> String {
        format!("{}exp/{expires_at:020}/{hold}", self.prefix)
    }

    /// The first expiry index key, and the key after every hold due by `now_ms`.
    pub fn expiry_due(&self, now_ms: u64) -> (String, String) {
        let start = format!("{}exp/", self.prefix);
        let end = format!("{}exp/{:020}", self.prefix, now_ms + 1);
        (start, end)
    }
}
