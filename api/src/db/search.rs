//! Ticket filters as SQL, including the SQLite-specific full-text search (FTS5).
//!
//! Free text is split into words (runs of letters and digits). Every word must occur in the
//! ticket (subject, customer name, contact, description or any comment); words of two or more
//! characters match as prefixes (`conc` finds `Conceição`). Case and accents are ignored by the
//! index's `unicode61 remove_diacritics 2` tokenizer. A query that is a ticket number (`#123` or
//! `123`) also finds that ticket directly.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;
use shared::TicketFilter;

use crate::db::schema::tickets;

/// A boolean SQL condition over `tickets`.
pub type Predicate = Box<dyn BoxableExpression<tickets::table, Sqlite, SqlType = Bool>>;

/// At most this many words of a query are used; the rest are ignored.
const MAX_WORDS: usize = 12;

/// The words of a free-text query, as the search sees them.
pub fn words(q: &str) -> Vec<&str> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect()
}

/// The FTS5 MATCH expression for `q`, or `None` when it has no words. Each word is quoted, so no
/// FTS5 syntax (columns, NEAR, operators) can be injected.
pub fn fts_expression(q: &str) -> Option<String> {
    let terms: Vec<String> = words(q)
        .into_iter()
        .map(|w| {
            if w.chars().count() >= 2 {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The ticket number a query names, if it is one: `#123` or `123`.
pub fn ticket_number(q: &str) -> Option<i64> {
    let digits = q.trim().strip_prefix('#').unwrap_or(q.trim());
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// Whether `filter` searches text (a query without words or a number searches nothing).
pub fn has_text(filter: &TicketFilter) -> bool {
    filter
        .q
        .as_deref()
        .is_some_and(|q| fts_expression(q).is_some() || ticket_number(q).is_some())
}

fn text_match(q: &str) -> Option<Predicate> {
    let by_text = fts_expression(q).map(|expr| -> Predicate {
        Box::new(
            sql::<Bool>("tickets.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                .bind::<Text, _>(expr)
                .sql(")"),
        )
    });
    match (ticket_number(q), by_text) {
        (Some(id), Some(text)) => Some(Box::new(tickets::id.eq(id).or(text))),
        (Some(id), None) => Some(Box::new(tickets::id.eq(id))),
        (None, text) => text,
    }
}

fn and(left: Option<Predicate>, right: Predicate) -> Option<Predicate> {
    Some(match left {
        Some(left) => Box::new(left.and(right)),
        None => right,
    })
}

/// The condition selecting the tickets `filter` describes; `None` selects every ticket.
pub fn predicate(filter: &TicketFilter) -> Option<Predicate> {
    let mut pred: Option<Predicate> = None;
    if let Some(status) = filter.status {
        pred = and(pred, Box::new(tickets::status.eq(status.as_str())));
    }
    if let Some(priority) = filter.priority {
        pred = and(pred, Box::new(tickets::priority.eq(priority.as_str())));
    }
    if let Some(category) = &filter.category {
        pred = and(pred, Box::new(tickets::category.eq(category.clone())));
    }
    if let Some(channel) = &filter.channel {
        pred = and(pred, Box::new(tickets::channel.eq(channel.clone())));
    }
    if let Some(assignee) = filter.assignee_id {
        pred = and(
            pred,
            Box::new(tickets::assignee_id.assume_not_null().eq(assignee)),
        );
    }
    if let Some(text) = filter.q.as_deref().and_then(text_match) {
        pred = and(pred, text);
    }
    pred
}

/// `tickets` filtered by `filter`, boxed so callers can add ordering and paging.
pub fn filtered(filter: &TicketFilter) -> tickets::BoxedQuery<'static, Sqlite> {
    let query = tickets::table.into_boxed();
    match predicate(filter) {
        Some(pred) => query.filter(pred),
        None => query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(
            fts_expression("João  da-Silva").as_deref(),
            Some("\"João\"* \"da\"* \"Silva\"*")
        );
        assert_eq!(fts_expression("a b").as_deref(), Some("\"a\" \"b\""));
    }

    #[test]
    fn fts_syntax_cannot_be_injected() {
        assert_eq!(
            fts_expression("subject:x OR \"y* NEAR(").as_deref(),
            Some("\"subject\"* \"x\" \"OR\"* \"y\" \"NEAR\"*")
        );
        assert_eq!(fts_expression("*** ()"), None);
    }

    #[test]
    fn ticket_numbers() {
        assert_eq!(ticket_number("#1234"), Some(1234));
        assert_eq!(ticket_number(" 42 "), Some(42));
        assert_eq!(ticket_number("#"), None);
        assert_eq!(ticket_number("12a"), None);
        assert_eq!(ticket_number("0"), None);
        assert_eq!(ticket_number("99999999999999999999"), None);
    }
}
