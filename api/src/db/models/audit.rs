//! The audit log: security-relevant events, append-only (triggers refuse updates and deletes).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::{AuditAction, AuditEntry};

use super::{agent, now, utc};
use crate::db::DbConn;
use crate::db::schema::audit_log;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub details: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditRow {
    at: NaiveDateTime,
    actor_id: Option<i64>,
    action: &'static str,
    target: Option<String>,
    ip: Option<String>,
    details: String,
}

/// An event to record. Details are facts (ids, names, roles, reasons), never credentials.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    action: AuditAction,
    actor_id: Option<i64>,
    target: Option<String>,
    ip: Option<String>,
    details: BTreeMap<String, String>,
}

impl AuditEvent {
    pub fn new(action: AuditAction, ip: Option<String>) -> Self {
        Self {
            action,
            actor_id: None,
            target: None,
            ip,
            details: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn actor(mut self, agent_id: i64) -> Self {
        self.actor_id = Some(agent_id);
        self
    }

    /// The event is about this agent.
    #[must_use]
    pub fn on_agent(mut self, agent_id: i64) -> Self {
        self.target = Some(format!("agent:{agent_id}"));
        self
    }

    /// The event is about this API token.
    #[must_use]
    pub fn on_token(mut self, token_id: i64) -> Self {
        self.target = Some(format!("token:{token_id}"));
        self
    }

    #[must_use]
    pub fn detail(mut self, key: &str, value: impl ToString) -> Self {
        self.details.insert(key.to_owned(), value.to_string());
        self
    }

    /// Appends the event, stamped now.
    pub fn record(self, conn: &mut DbConn) -> QueryResult<()> {
        let details = serde_json::to_string(&self.details).unwrap_or_else(|_| "{}".to_owned());
        diesel::insert_into(audit_log::table)
            .values(&NewAuditRow {
                at: now(),
                actor_id: self.actor_id,
                action: self.action.as_str(),
                target: self.target,
                ip: self.ip,
                details,
            })
            .execute(conn)
            .map(drop)
    }
}

/// Up to `limit` entries older than `before` (an id), newest first.
pub fn page(conn: &mut DbConn, before: Option<i64>, limit: i64) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn)
}

/// The wire form of `rows`, with one batched look-up of the actors' names.
pub fn to_wire(conn: &mut DbConn, rows: Vec<AuditRow>) -> QueryResult<Vec<AuditEntry>> {
    let refs = agent::refs(conn, rows.iter().filter_map(|r| r.actor_id))?;
    rows.into_iter()
        .map(|row| {
            let action = row.action.parse::<AuditAction>().map_err(|()| {
                diesel::result::Error::DeserializationError(
                    format!("unknown audit action {:?}", row.action).into(),
                )
            })?;
            Ok(AuditEntry {
                id: row.id,
                at: utc(row.at),
                actor: row.actor_id.map(|id| agent::lookup(&refs, id)),
                action,
                target: row.target,
                ip: row.ip,
                details: serde_json::from_str(&row.details).unwrap_or_default(),
            })
        })
        .collect()
}
