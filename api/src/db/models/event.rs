//! The history of a ticket: who changed its status or assignee, when, from what, to what.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::{EventKind, TicketEvent};

use super::{agent, utc};
use crate::db::DbConn;
use crate::db::schema::ticket_events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_events)]
pub struct EventRow {
    pub id: i64,
    pub ticket_id: i64,
    pub actor_id: i64,
    pub kind: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct NewEventRow {
    pub ticket_id: i64,
    pub actor_id: i64,
    pub kind: &'static str,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &[NewEventRow]) -> QueryResult<usize> {
    diesel::insert_into(ticket_events::table)
        .values(new)
        .execute(conn)
}

fn agent_id(value: &Option<String>) -> Option<i64> {
    value.as_deref().and_then(|v| v.parse().ok())
}

/// The events of a ticket, oldest first.
pub fn for_ticket(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<TicketEvent>> {
    let rows: Vec<EventRow> = ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .order(ticket_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)?;
    let mut ids = Vec::with_capacity(rows.len() * 3);
    for row in &rows {
        ids.push(row.actor_id);
        if row.kind == EventKind::AssigneeChanged.as_str() {
            ids.extend(agent_id(&row.from_value));
            ids.extend(agent_id(&row.to_value));
        }
    }
    let refs = agent::refs(conn, ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let kind: EventKind = row.kind.parse().ok()?;
            let (mut from_status, mut to_status, mut from_assignee, mut to_assignee) =
                (None, None, None, None);
            match kind {
                EventKind::StatusChanged => {
                    from_status = row.from_value.as_deref().and_then(|v| v.parse().ok());
                    to_status = row.to_value.as_deref().and_then(|v| v.parse().ok());
                }
                EventKind::AssigneeChanged => {
                    from_assignee = agent_id(&row.from_value).map(|id| agent::lookup(&refs, id));
                    to_assignee = agent_id(&row.to_value).map(|id| agent::lookup(&refs, id));
                }
            }
            Some(TicketEvent {
                id: row.id,
                kind,
                actor: agent::lookup(&refs, row.actor_id),
                from_status,
                to_status,
                from_assignee,
                to_assignee,
                created_at: utc(row.created_at),
            })
        })
        .collect())
}
