//! Row structs (what the database holds) and the queries over them. Wire types live in
//! `shared`; the `From`/`to_wire` conversions here are the only bridge between the two.

pub mod agent;
pub mod api_token;
pub mod attachment;
pub mod audit;
pub mod comment;
pub mod event;
pub mod idempotency;
pub mod reference;
pub mod ticket;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

/// The current time as stored: UTC, millisecond precision.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

/// A stored timestamp on the wire (RFC 3339, UTC).
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
