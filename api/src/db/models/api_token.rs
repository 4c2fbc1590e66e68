//! API tokens: named credentials for integrations. Only the SHA-256 of a secret is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::{ApiToken, TokenScope};

use super::{agent, utc};
use crate::db::DbConn;
use crate::db::schema::api_tokens;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub agent_id: i64,
    pub name: String,
    pub scope: String,
    pub token_hash: String,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiTokenRow<'a> {
    pub agent_id: i64,
    pub name: &'a str,
    pub scope: &'static str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

impl ApiTokenRow {
    /// An unknown stored scope (impossible under the CHECK constraint) grants the least.
    pub fn scope(&self) -> TokenScope {
        self.scope.parse().unwrap_or(TokenScope::Read)
    }
}

pub fn insert(conn: &mut DbConn, new: &NewApiTokenRow<'_>) -> QueryResult<ApiTokenRow> {
    diesel::insert_into(api_tokens::table)
        .values(new)
        .returning(ApiTokenRow::as_returning())
        .get_result(conn)
}

/// The token whose secret hashes to `hash`, revoked or not.
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

/// A token that has not been revoked.
pub fn find_live(conn: &mut DbConn, id: i64) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .find(id)
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Tokens not revoked (expired ones included), newest first: of one agent, or of everyone.
pub fn list_live(conn: &mut DbConn, agent_id: Option<i64>) -> QueryResult<Vec<ApiTokenRow>> {
    let mut query = api_tokens::table
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiTokenRow::as_select())
        .order(api_tokens::id.desc())
        .into_boxed();
    if let Some(agent_id) = agent_id {
        query = query.filter(api_tokens::agent_id.eq(agent_id));
    }
    query.load(conn)
}

/// How many of an agent's tokens still work at `now` (neither revoked nor expired).
pub fn count_usable(conn: &mut DbConn, agent_id: i64, now: NaiveDateTime) -> QueryResult<i64> {
    api_tokens::table
        .filter(api_tokens::agent_id.eq(agent_id))
        .filter(api_tokens::revoked_at.is_null())
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(now)),
        )
        .count()
        .get_result(conn)
}

pub fn revoke(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(at))
    .execute(conn)
}

/// Revokes every token of an agent; returns how many were still live.
pub fn revoke_all(conn: &mut DbConn, agent_id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::agent_id.eq(agent_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(at))
    .execute(conn)
}

/// Records a use at `at`, unless one was recorded after `stale_before` (so that a busy token
/// costs one write a minute, not one per request).
pub fn touch(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table.find(id).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(stale_before)),
        ),
    )
    .set(api_tokens::last_used_at.eq(at))
    .execute(conn)
}

/// The wire form of `rows`, with one batched look-up of their agents' names.
pub fn to_wire(conn: &mut DbConn, rows: Vec<ApiTokenRow>) -> QueryResult<Vec<ApiToken>> {
    let refs = agent::refs(conn, rows.iter().map(|r| r.agent_id))?;
    Ok(rows
        .into_iter()
        .map(|row| ApiToken {
            id: row.id,
            scope: row.scope(),
            agent: agent::lookup(&refs, row.agent_id),
            name: row.name,
            prefix: row.prefix,
            created_at: utc(row.created_at),
            expires_at: row.expires_at.map(utc),
            last_used_at: row.last_used_at.map(utc),
        })
        .collect())
}
