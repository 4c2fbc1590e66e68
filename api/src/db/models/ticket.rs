//! Tickets: rows, inserts, changesets and the paged, filtered reads.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use shared::{AgentRef, StatusCounts, Ticket, TicketFilter, TicketStatus};

use super::{agent, utc};
use crate::db::DbConn;
use crate::db::schema::{ticket_stats, tickets};
use crate::db::search::{self, TextSearch};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct TicketRow {
    pub id: i64,
    pub subject: String,
    pub customer_name: String,
    pub customer_contact: String,
    pub channel: String,
    pub category: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub first_response_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub comment_count: i64,
    pub attachment_count: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicketRow<'a> {
    pub subject: &'a str,
    pub customer_name: &'a str,
    pub customer_contact: &'a str,
    pub channel: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub priority: &'a str,
    pub assignee_id: Option<i64>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An update of a ticket; `None` leaves a column as it is, `Some(None)` sets it to NULL.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tickets)]
pub struct TicketChangeset {
    pub subject: Option<String>,
    pub customer_name: Option<String>,
    pub customer_contact: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee_id: Option<Option<i64>>,
    pub first_response_at: Option<Option<NaiveDateTime>>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub version: Option<i64>,
}

impl TicketChangeset {
    /// Whether this changes any field an agent edits (bookkeeping columns aside).
    pub fn edits_fields(&self) -> bool {
        self.subject.is_some()
            || self.customer_name.is_some()
            || self.customer_contact.is_some()
            || self.description.is_some()
            || self.channel.is_some()
            || self.category.is_some()
            || self.priority.is_some()
            || self.status.is_some()
            || self.assignee_id.is_some()
    }
}

impl TicketRow {
    pub fn status(&self) -> TicketStatus {
        self.status.parse().unwrap_or(TicketStatus::Open)
    }

    /// Agents this ticket refers to (for one batched name look-up).
    pub fn agent_ids(&self) -> impl Iterator<Item = i64> + use<> {
        [Some(self.created_by), self.assignee_id]
            .into_iter()
            .flatten()
    }

    pub fn into_wire(self, refs: &HashMap<i64, AgentRef>) -> Ticket {
        Ticket {
            id: self.id,
            status: self.status(),
            priority: self.priority.parse().unwrap_or(shared::Priority::Normal),
            assignee: self.assignee_id.map(|id| agent::lookup(refs, id)),
            created_by: agent::lookup(refs, self.created_by),
            subject: self.subject,
            customer_name: self.customer_name,
            customer_contact: self.customer_contact,
            channel: self.channel,
            category: self.category,
            description: self.description,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            first_response_at: self.first_response_at.map(utc),
            closed_at: self.closed_at.map(utc),
            version: self.version,
            comment_count: self.comment_count,
            attachment_count: self.attachment_count,
        }
    }
}

pub fn insert(conn: &mut DbConn, new: &NewTicketRow<'_>) -> QueryResult<TicketRow> {
    diesel::insert_into(tickets::table)
        .values(new)
        .returning(TicketRow::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<TicketRow>> {
    tickets::table
        .find(id)
        .select(TicketRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tickets::table.find(id))).get_result(conn)
}

pub fn update(conn: &mut DbConn, id: i64, changes: &TicketChangeset) -> QueryResult<TicketRow> {
    diesel::update(tickets::table.find(id))
        .set(changes)
        .returning(TicketRow::as_returning())
        .get_result(conn)
}

/// Up to `limit` tickets matching `filter`, newest first, older than ticket `before` if given.
pub fn page(
    conn: &mut DbConn,
    filter: &TicketFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<TicketRow>> {
    if let Some(text) = TextSearch::of(filter) {
        let ids = search::page_ids(conn, &text, filter, before, limit)?;
        return tickets::table
            .filter(tickets::id.eq_any(ids))
            .order(tickets::id.desc())
            .select(TicketRow::as_select())
            .load(conn);
    }
    let mut query = search::filtered(filter);
    if let Some(before) = before {
        query = query.filter(tickets::id.lt(before));
    }
    query
        .order(tickets::id.desc())
        .limit(limit)
        .select(TicketRow::as_select())
        .load(conn)
}

/// Whether the maintained `ticket_stats` counters can answer for `filter`: they count by
/// category and status only.
fn stats_can_answer(filter: &TicketFilter) -> bool {
    !search::has_text(filter)
        && filter.channel.is_none()
        && filter.priority.is_none()
        && filter.assignee_id.is_none()
}

/// Per-status counts from `ticket_stats`, optionally for one category.
fn stats_by_status(conn: &mut DbConn, category: Option<&str>) -> QueryResult<Vec<(String, i64)>> {
    // A few rows per category: summing them here is cheaper than a portable SUM's type dance.
    let mut query = ticket_stats::table
        .select((ticket_stats::status, ticket_stats::tickets))
        .into_boxed();
    if let Some(category) = category {
        query = query.filter(ticket_stats::category.eq(category.to_owned()));
    }
    let mut sums: Vec<(String, i64)> = Vec::new();
    for (status, n) in query.load::<(String, i64)>(conn)? {
        tally(&mut sums, status, n);
    }
    Ok(sums)
}

/// Adds `n` to `status`'s entry of `sums`.
fn tally(sums: &mut Vec<(String, i64)>, status: String, n: i64) {
    match sums.iter_mut().find(|(s, _)| *s == status) {
        Some((_, total)) => *total += n,
        None => sums.push((status, n)),
    }
}

/// How many tickets match `filter`, and whether that is a lower bound (a text search with more
/// matches than are counted exactly, see [`search::statuses`]).
pub fn count(conn: &mut DbConn, filter: &TicketFilter) -> QueryResult<(i64, bool)> {
    if stats_can_answer(filter) || TextSearch::of(filter).is_some() {
        let counts = counts_by_status(conn, filter)?;
        return Ok((counts.total, counts.capped));
    }
    let total = search::filtered(filter).count().get_result(conn)?;
    Ok((total, false))
}

/// Tickets matching `filter`, counted per status.
pub fn counts_by_status(conn: &mut DbConn, filter: &TicketFilter) -> QueryResult<StatusCounts> {
    let mut capped = false;
    let rows = if let Some(text) = TextSearch::of(filter) {
        let (statuses, is_capped) = search::statuses(conn, &text, filter)?;
        capped = is_capped;
        let mut rows = Vec::new();
        for status in statuses {
            tally(&mut rows, status, 1);
        }
        rows
    } else if stats_can_answer(filter) {
        let mut rows = stats_by_status(conn, filter.category.as_deref())?;
        if let Some(status) = filter.status {
            rows.retain(|(s, _)| s == status.as_str());
        }
        rows
    } else {
        let mut query = tickets::table
            .group_by(tickets::status)
            .select((tickets::status, count_star()))
            .into_boxed();
        if let Some(pred) = search::predicate(filter) {
            query = query.filter(pred);
        }
        query.load(conn)?
    };
    let mut counts = StatusCounts {
        capped,
        ..StatusCounts::default()
    };
    for (status, n) in rows {
        match status.parse() {
            Ok(TicketStatus::Open) => counts.open = n,
            Ok(TicketStatus::Waiting) => counts.waiting = n,
            Ok(TicketStatus::Closed) => counts.closed = n,
            Err(()) => {}
        }
        counts.total += n;
    }
    Ok(counts)
}

/// Converts rows to wire tickets with one query for all the agent names they mention.
pub fn to_wire(conn: &mut DbConn, rows: Vec<TicketRow>) -> QueryResult<Vec<Ticket>> {
    let refs = agent::refs(conn, rows.iter().flat_map(TicketRow::agent_ids))?;
    Ok(rows.into_iter().map(|row| row.into_wire(&refs)).collect())
}
