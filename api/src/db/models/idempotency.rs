//! The first responses of requests sent with an `Idempotency-Key`, kept for replay.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub id: i64,
    pub agent_id: i64,
    pub endpoint: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub status: i32,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct NewIdempotencyRow<'a> {
    pub agent_id: i64,
    pub endpoint: &'a str,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    pub status: i32,
    pub body: &'a str,
    pub location: Option<&'a str>,
    pub etag: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// The stored response to `key` of `agent_id` on `endpoint`, if it was made at `since` or later.
pub fn find(
    conn: &mut DbConn,
    agent_id: i64,
    endpoint: &str,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::agent_id.eq(agent_id))
        .filter(idempotency_keys::endpoint.eq(endpoint))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .filter(idempotency_keys::created_at.ge(since))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, new: &NewIdempotencyRow<'_>) -> QueryResult<usize> {
    diesel::insert_into(idempotency_keys::table)
        .values(new)
        .execute(conn)
}

/// Deletes the responses made before `cutoff` (expired keys).
pub fn delete_older_than(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
