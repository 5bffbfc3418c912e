//! Checks of everything a client sends, so bad input is refused before it touches any state.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::TicketError;

/// Longest event name, user name or request id accepted.
const MAX_NAME_LEN: usize = 128;
/// Largest capacity an event may be created with.
pub const MAX_CAPACITY: u64 = 1_000_000;

/// A validated placeHold request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceHold {
    /// Who holds the seats.
    pub user: String,
    /// How many seats (1..=max_qty).
    pub qty: u32,
    /// The client's idempotency key.
    pub request_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceHoldBody {
    user: String,
    qty: i64,
    request_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateEventBody {
    capacity: i64,
}

/// Parses a JSON body, naming what is wrong with it when it cannot.
fn parse_json<T: DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, TicketError> {
    serde_json::from_slice(body)
        .map_err(|e| TicketError::BadRequest(format!("the body must be JSON {expected}: {e}")))
}

/// Checks a name (event, user, request id, region): 1 to 128 characters of letters, digits, `-`, `_`, `.`.
pub fn check_name(what: &str, name: &str) -> Result<(), TicketError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > MAX_NAME_LEN || !ok_chars {
        return Err(TicketError::BadRequest(format!(
            "{what} {name:?} is not valid: use 1 to {MAX_NAME_LEN} letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(())
}

/// Parses and checks a placeHold body.
pub fn place_hold(body: &[u8], max_qty: u32) -> Result<PlaceHold, TicketError> {
    let raw: PlaceHoldBody = parse_json(body, r#"{"user": "...", "qty": n, "request_id": "..."}"#)?;
    check_name("user", &raw.user)?;
    check_name("request_id", &raw.request_id)?;
    if raw.qty < 1 || raw.qty > i64::from(max_qty) {
        return Err(TicketError::BadRequest(format!(
            "qty {} is out of range: ask for 1 to {max_qty} seats",
            raw.qty
        )));
    }
    Ok(PlaceHold {
        user: raw.user,
        qty: raw.qty as u32,
        request_id: raw.request_id,
    })
}

/// Parses and checks a create-event body; returns the capacity.
pub fn create_event(body: &[u8]) -> Result<u64, TicketError> {
    let raw: CreateEventBody = parse_json(body, r#"{"capacity": n}"#)?;
    if raw.capacity < 0 || raw.capacity as u64 > MAX_CAPACITY {
        return Err(TicketError::BadRequest(format!(
            "capacity {} is out of range: use 0 to {MAX_CAPACITY}",
            raw.capacity
        )));
    }
    Ok(raw.capacity as u64)
}

/// Splits a hold id `event:token` into its event, refusing ids ticketd cannot have issued.
pub fn hold_event(hold: &str) -> Result<&str, TicketError> {
    match hold.rsplit_once(':') {
        Some((event, token)) if !token.is_empty() && check_name("event", event).is_ok() => {
            Ok(event)
        }
        _ => Err(TicketError::UnknownHold(hold.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_hold_refuses_out_of_range_qty_and_unknown_fields() {
        let ok = place_hold(br#"{"user":"al","qty":2,"request_id":"r1"}"#, 10);
        assert_eq!(ok.map(|p| p.qty).ok(), Some(2));
        for bad in [
            r#"{"user":"al","qty":0,"request_id":"r1"}"#,
            r#"{"user":"al","qty":11,"request_id":"r1"}"#,
            r#"{"user":"al","qty":-3,"request_id":"r1"}"#,
            r#"{"user":"","qty":1,"request_id":"r1"}"#,
            r#"{"user":"al","qty":1}"#,
            r#"{"user":"al","qty":1,"request_id":"r1","x":1}"#,
            r#"{"user":"al","qty":1,"request_id":"a/b"}"#,
            "not json",
        ] {
            assert!(
                matches!(
                    place_hold(bad.as_bytes(), 10),
                    Err(TicketError::BadRequest(_))
                ),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn hold_ids_name_their_event() {
        assert_eq!(hold_event("e1:42").ok(), Some("e1"));
        assert_eq!(hold_event("e-1:eu-3").ok(), Some("e-1"));
        assert!(hold_event("nocolon").is_err());
        assert!(hold_event("e1:").is_err());
        assert!(hold_event(":5").is_err());
    }
}
