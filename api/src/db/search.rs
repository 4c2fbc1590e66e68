//! Ticket filters as SQL, including the SQLite-specific full-text search (FTS5).
//!
//! Free text is split into words (runs of letters and digits). Every word must occur in the
//! ticket (subject, customer name, contact, description or any comment); words of two or more
//! characters match as prefixes (`conc` finds `Conceição`). Case and accents are ignored by the
//! index's `unicode61 remove_diacritics 2` tokenizer. A query that is a ticket number (`#123` or
//! `123`) also finds that ticket directly.

use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::sqlite::Sqlite;
use shared::{TEXT_COUNT_CAP, TicketFilter};

use crate::db::DbConn;
use crate::db::schema::tickets;

/// A boolean SQL condition over `tickets`.
pub type Predicate = Box<dyn BoxableExpression<tickets::table, Sqlite, SqlType = Bool>>;

/// At most this many words of a query are used; the rest are ignored.
const MAX_WORDS: usize = 12;

/// Words of this many characters match as prefixes, through the index's prefix indexes
/// (`prefix='2 3 4 5 6 7 8 9 10'` in the migration; keep the two in step). One-character and
/// longer words match whole words only: a prefix without its own index would make FTS5 merge
/// the lists of every word it starts, which is slow on common stems.
const PREFIX_CHARS: std::ops::RangeInclusive<usize> = 2..=10;

/// Whether the index's tokenizer (`unicode61`, default categories `L* N* Co`) keeps `c` in a
/// word. Splitting exactly there means a quoted word is always one token: with `detail=none`
/// FTS5 refuses multi-token phrases.
fn is_word_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number
    ) || c.general_category() == GeneralCategory::PrivateUse
}

/// The words of a free-text query, as the search sees them.
pub fn words(q: &str) -> Vec<&str> {
    q.split(|c: char| !is_word_char(c))
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
            if PREFIX_CHARS.contains(&w.chars().count()) {
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

/// A free-text query, as the index sees it: the FTS5 expression of its words and the ticket
/// number it may name (at least one of the two is present).
#[derive(Debug, Clone)]
pub struct TextSearch {
    expression: Option<String>,
    number: Option<i64>,
}

impl TextSearch {
    /// The text search `filter` asks for; `None` when its query has no words and no number.
    pub fn of(filter: &TicketFilter) -> Option<Self> {
        let q = filter.q.as_deref()?;
        let search = Self {
            expression: fts_expression(q),
            number: ticket_number(q),
        };
        (search.expression.is_some() || search.number.is_some()).then_some(search)
    }
}

/// Whether `filter` searches text (a query without words or a number searches nothing).
pub fn has_text(filter: &TicketFilter) -> bool {
    TextSearch::of(filter).is_some()
}

fn and(left: Option<Predicate>, right: Predicate) -> Option<Predicate> {
    Some(match left {
        Some(left) => Box::new(left.and(right)),
        None => right,
    })
}

/// The condition selecting the tickets `filter`'s fields describe (its text aside, see
/// [`TextSearch`]); `None` selects every ticket.
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
    pred
}

/// `tickets` filtered by `filter`'s fields, boxed so callers can add ordering and paging.
pub fn filtered(filter: &TicketFilter) -> tickets::BoxedQuery<'static, Sqlite> {
    let query = tickets::table.into_boxed();
    match predicate(filter) {
        Some(pred) => query.filter(pred),
        None => query,
    }
}

// --- Text searches -------------------------------------------------------------------------
//
// The index drives: FTS5 yields matching rowids newest first (`ORDER BY rowid DESC`), lazily,
// and each one joins its ticket by primary key for the other filters (`CROSS JOIN` keeps that
// order; the planner must not start from `tickets`). A page of 25 therefore reads about 25
// index entries whatever the number of matches, where `tickets.id IN (SELECT rowid ...)` would
// first collect every match. Diesel's DSL cannot join the virtual table, so these few queries
// are SQL text with bound values; the column names are the schema's.

/// A text search examines at most this many index matches to count; past it counts are capped.
const TEXT_SCAN_CAP: i64 = 2_000;

enum Value {
    Text(String),
    Int(i64),
}

/// `filter`'s fields as SQL conditions on `t` (tickets), each starting with ` AND `.
fn field_conditions(filter: &TicketFilter, values: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    let mut add = |condition: &str, value: Value| {
        sql.push_str(" AND ");
        sql.push_str(condition);
        values.push(value);
    };
    if let Some(status) = filter.status {
        add("t.status = ?", Value::Text(status.as_str().to_owned()));
    }
    if let Some(priority) = filter.priority {
        add("t.priority = ?", Value::Text(priority.as_str().to_owned()));
    }
    if let Some(category) = &filter.category {
        add("t.category = ?", Value::Text(category.clone()));
    }
    if let Some(channel) = &filter.channel {
        add("t.channel = ?", Value::Text(channel.clone()));
    }
    if let Some(assignee) = filter.assignee_id {
        add("t.assignee_id = ?", Value::Int(assignee));
    }
    sql
}

fn query(sql: String, values: Vec<Value>) -> BoxedSqlQuery<'static, Sqlite, SqlQuery> {
    values.into_iter().fold(
        diesel::sql_query(sql).into_boxed(),
        |q, value| match value {
            Value::Text(text) => q.bind::<Text, _>(text),
            Value::Int(n) => q.bind::<BigInt, _>(n),
        },
    )
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = Text)]
    status: String,
}

/// The status of the ticket `search` names by number, if that ticket exists, passes
/// `filter`'s fields and is older than `before`.
fn numbered(
    conn: &mut DbConn,
    search: &TextSearch,
    filter: &TicketFilter,
    before: Option<i64>,
) -> QueryResult<Option<String>> {
    let Some(number) = search.number.filter(|n| before.is_none_or(|b| *n < b)) else {
        return Ok(None);
    };
    let mut values = vec![Value::Int(number)];
    let conditions = field_conditions(filter, &mut values);
    let found = query(
        format!("SELECT t.status FROM tickets t WHERE t.id = ?{conditions}"),
        values,
    )
    .get_result::<Status>(conn)
    .optional()?;
    Ok(found.map(|row| row.status))
}

/// Ids of up to `limit` tickets matching `search` and `filter`'s fields, newest first, older
/// than `before` if given.
pub fn page_ids(
    conn: &mut DbConn,
    search: &TextSearch,
    filter: &TicketFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::new();
    if let Some(expression) = &search.expression {
        let mut values = vec![Value::Text(expression.clone())];
        let mut sql = String::from(
            "SELECT f.rowid AS id FROM tickets_fts f CROSS JOIN tickets t INDEXED BY tickets_facets \
             ON t.id = f.rowid WHERE f.tickets_fts MATCH ?",
        );
        if let Some(before) = before {
            sql.push_str(" AND f.rowid < ?");
            values.push(Value::Int(before));
        }
        sql.push_str(&field_conditions(filter, &mut values));
        sql.push_str(" ORDER BY f.rowid DESC LIMIT ?");
        values.push(Value::Int(limit));
        ids = query(sql, values)
            .load::<Id>(conn)?
            .into_iter()
            .map(|row| row.id)
            .collect();
    }
    if let Some(number) = search.number
        && !ids.contains(&number)
        && numbered(conn, search, filter, before)?.is_some()
    {
        ids.push(number);
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(ids)
}

/// The statuses of the tickets matching `search` and `filter`'s fields, and whether the list is
/// capped. It is exact up to [`TEXT_COUNT_CAP`] matches found within the newest
/// [`TEXT_SCAN_CAP`] index matches; past either limit it is capped, holds at most
/// [`TEXT_COUNT_CAP`] statuses, and every count made from it is a lower bound.
pub fn statuses(
    conn: &mut DbConn,
    search: &TextSearch,
    filter: &TicketFilter,
) -> QueryResult<(Vec<String>, bool)> {
    let cap = usize::try_from(TEXT_COUNT_CAP).unwrap_or(usize::MAX);
    let mut statuses = Vec::new();
    let mut capped = false;
    if let Some(expression) = &search.expression {
        let mut values = vec![Value::Text(expression.clone()), Value::Int(TEXT_SCAN_CAP)];
        let conditions = field_conditions(filter, &mut values);
        values.push(Value::Int(TEXT_COUNT_CAP + 1));
        statuses = query(
            format!(
                "SELECT t.status FROM (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? \
                 ORDER BY rowid DESC LIMIT ?) f CROSS JOIN tickets t INDEXED BY tickets_facets \
                 ON t.id = f.rowid \
                 WHERE 1{conditions} LIMIT ?"
            ),
            values,
        )
        .load::<Status>(conn)?
        .into_iter()
        .map(|row| row.status)
        .collect();
        capped = statuses.len() > cap;
        statuses.truncate(cap);
        if !capped && !conditions.is_empty() {
            // The fields filtered some index matches out: were there more than were examined?
            let examined = query(
                "SELECT count(*) AS id FROM \
                 (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT ?)"
                    .to_owned(),
                vec![Value::Text(expression.clone()), Value::Int(TEXT_SCAN_CAP)],
            )
            .get_result::<Id>(conn)?
            .id;
            capped = examined >= TEXT_SCAN_CAP;
        }
    }
    if let Some(number) = search.number.filter(|_| !capped)
        && let Some(status) = numbered(conn, search, filter, None)?
        && !index_has(conn, search, number)?
    {
        statuses.push(status);
    }
    Ok((statuses, capped))
}

/// Whether ticket `id` is among the index matches of `search`.
fn index_has(conn: &mut DbConn, search: &TextSearch, id: i64) -> QueryResult<bool> {
    let Some(expression) = &search.expression else {
        return Ok(false);
    };
    let found = query(
        "SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid = ?".to_owned(),
        vec![Value::Text(expression.clone()), Value::Int(id)],
    )
    .load::<Id>(conn)?;
    Ok(!found.is_empty())
}

/// From now until [`index_pending`], in the current write transaction, the search triggers only
/// note the tickets to re-index in `search_pending` (see the migration
/// `2026-11-29-000003_search_index_per_commit`). FTS5 writes a new index segment at every
/// savepoint, i.e. at every statement of a write: deferring turns one segment per write into one
/// per transaction. Only the writer thread calls it, right after `BEGIN IMMEDIATE`.
pub fn defer_indexing(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("UPDATE search_deferral SET active = 1")
        .execute(conn)
        .map(drop)
}

/// Ends [`defer_indexing`]: indexes every noted ticket and forgets the notes, in one statement
/// (one segment). Runs in the same transaction, just before `COMMIT`, so the index is never
/// behind a committed write; if it fails, the transaction must not commit.
pub fn index_pending(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("UPDATE search_deferral SET active = 0").execute(conn)?;
    // Inserting a note again fires the trigger that builds the ticket's document and drops the
    // note (the migration keeps that definition in one place). SQLite reads the notes before it
    // writes any, and it is one statement, so FTS5 flushes once.
    diesel::sql_query(
        "INSERT OR REPLACE INTO search_pending (ticket_id) SELECT ticket_id FROM search_pending",
    )
    .execute(conn)
    .map(drop)
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
        assert_eq!(
            fts_expression("confirmação GV2026ABCDEF").as_deref(),
            Some("\"confirmação\" \"GV2026ABCDEF\""),
            "words longer than the prefix indexes match whole"
        );
        assert_eq!(
            fts_expression("e\u{301}x²").as_deref(),
            Some("\"e\" \"x²\"*"),
            "combining marks separate words, as in the tokenizer"
        );
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

/// Full-text search against a naive scan of the same data: the index must return exactly the
/// tickets whose text (fields and comments) has, for every query word, a word starting with it
/// (or equal to it, for one-letter words), ignoring case and accents.
#[cfg(test)]
mod fts_matches_naive_scan {
    use diesel::prelude::*;
    use rand::seq::IndexedRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use shared::TicketFilter;

    use crate::db::models::{agent, comment, now, ticket};
    use crate::db::schema::{comments, search_deferral, search_pending, tickets};
    use crate::db::{self, DbConn, DbPool};

    const VOCABULARY: &[&str] = &[
        "João",
        "joão",
        "JOÃO",
        "Conceição",
        "conceicao",
        "Ângela",
        "angela",
        "São",
        "Paulo",
        "ingresso",
        "ingressos",
        "reembolso",
        "Pagamento",
        "pix",
        "cartão",
        "cartao",
        "evento",
        "Açaí",
        "coração",
        "pé",
        "x",
        "é",
        "rock",
        "rio",
        "portão",
        "fila",
        "Lúcia",
        "lucia",
        "GV-123",
        "11-9999",
        "e-mail",
        "ação",
        "acao",
        "rápido",
        "rapido",
        // Longer than the prefix indexes: whole words only.
        "confirmação",
        "confirmacao",
        "reembolsado",
        "reembolsados",
        "GV2026ABCDEF",
        // Split where the tokenizer splits (marks and symbols are separators).
        "nota½",
        "नमस्ते",
        "x²",
        "e\u{301}",
    ];

    /// What the search promises, implemented the slow, obvious way.
    fn fold(text: &str) -> String {
        text.chars()
            .flat_map(char::to_lowercase)
            .map(shared::validation::fold_accent)
            .collect()
    }

    fn naive_match(doc: &str, q: &str) -> bool {
        let doc = fold(doc);
        let tokens: Vec<&str> = doc
            .split(|c: char| !super::is_word_char(c))
            .filter(|t| !t.is_empty())
            .collect();
        let words = super::words(q);
        !words.is_empty()
            && words.iter().all(|w| {
                let w = fold(w);
                tokens.iter().any(|t| {
                    if super::PREFIX_CHARS.contains(&w.chars().count()) {
                        t.starts_with(&w)
                    } else {
                        *t == w
                    }
                })
            })
    }

    fn phrase(rng: &mut ChaCha8Rng, words: usize) -> String {
        (0..words)
            .map(|_| *VOCABULARY.choose(rng).unwrap_or(&"x"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn fresh_db() -> (tempfile::TempDir, DbPool) {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::open(&dir.path().join("t.db")).unwrap();
        (dir, pool)
    }

    fn add_agent(conn: &mut DbConn) -> i64 {
        agent::insert(
            conn,
            &agent::NewAgentRow {
                name: "Ana",
                email: "ana@x.io",
                password_hash: "-",
                role: "admin",
                created_at: now(),
            },
        )
        .unwrap()
        .id
    }

    fn add_ticket(
        conn: &mut DbConn,
        agent: i64,
        subject: &str,
        name: &str,
        description: &str,
    ) -> i64 {
        let at = now();
        ticket::insert(
            conn,
            &ticket::NewTicketRow {
                subject,
                customer_name: name,
                customer_contact: "cliente@x.io",
                channel: "chat",
                category: "outros",
                description,
                priority: "normal",
                assignee_id: Some(agent),
                created_by: agent,
                created_at: at,
                updated_at: at,
            },
        )
        .unwrap()
        .id
    }

    fn search(conn: &mut DbConn, q: &str) -> Vec<i64> {
        let filter = TicketFilter {
            q: Some(q.to_owned()),
            ..Default::default()
        };
        let mut ids: Vec<i64> = ticket::page(conn, &filter, None, 10_000)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Every ticket's searchable text, read back from the tables.
    fn documents(conn: &mut DbConn) -> Vec<(i64, String)> {
        let rows = ticket::page(conn, &TicketFilter::default(), None, 10_000).unwrap();
        rows.into_iter()
            .map(|t| {
                let comments: Vec<String> = comment::for_ticket(conn, t.id)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.body)
                    .collect();
                (
                    t.id,
                    format!(
                        "{} {} {} {} {}",
                        t.subject,
                        t.customer_name,
                        t.customer_contact,
                        t.description,
                        comments.join(" ")
                    ),
                )
            })
            .collect()
    }

    fn assert_agrees(conn: &mut DbConn, rng: &mut ChaCha8Rng, queries: usize) {
        let docs = documents(conn);
        for _ in 0..queries {
            let words = rng.random_range(1..=2);
            let mut q = phrase(rng, words);
            // Partial words: cut some queries to a prefix.
            if rng.random_bool(0.3) {
                let keep = rng.random_range(2..=4);
                q = q.chars().take(keep).collect();
            }
            if super::ticket_number(&q).is_some() {
                continue;
            }
            let mut expected: Vec<i64> = docs
                .iter()
                .filter(|(_, doc)| naive_match(doc, &q))
                .map(|(id, _)| *id)
                .collect();
            expected.sort_unstable();
            assert_eq!(search(conn, &q), expected, "query {q:?}");
        }
    }

    #[test]
    fn random_queries_find_exactly_the_naive_matches() {
        let (_dir, pool) = fresh_db();
        let conn = &mut pool.get().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let agent = add_agent(conn);
        for _ in 0..150 {
            let id = add_ticket(
                conn,
                agent,
                &phrase(&mut rng, 3),
                &phrase(&mut rng, 2),
                &phrase(&mut rng, 6),
            );
            for _ in 0..rng.random_range(0..3) {
                add_comment(conn, id, agent, &phrase(&mut rng, 4)).unwrap();
            }
        }
        assert_agrees(conn, &mut rng, 300);
    }

    fn add_comment(conn: &mut DbConn, ticket: i64, agent: i64, body: &str) -> QueryResult<i64> {
        let new = comment::NewCommentRow {
            ticket_id: ticket,
            author_id: agent,
            body,
            created_at: now(),
        };
        comment::insert(conn, &new).map(|row| row.id)
    }

    /// One random change through the writer thread, as a write of whatever batch it lands in:
    /// a new ticket, or (given an existing one) a subject edit, a comment or deleting its
    /// comments; with `fail`, the write fails after making its change and must leave no trace.
    async fn random_write(
        writer: &db::writer::Writer,
        rng: &mut ChaCha8Rng,
        agent: i64,
        existing: Option<i64>,
        fail: bool,
    ) -> Result<i64, crate::error::ApiError> {
        let (subject, name, description) = (phrase(rng, 3), phrase(rng, 2), phrase(rng, 6));
        let kind = rng.random_range(0..4);
        writer
            .write(move |conn| {
                let id = match (kind, existing) {
                    (1, Some(id)) => {
                        let changes = ticket::TicketChangeset {
                            subject: Some(subject),
                            ..Default::default()
                        };
                        ticket::update(conn, id, &changes)?.id
                    }
                    (2, Some(id)) => {
                        add_comment(conn, id, agent, &description)?;
                        id
                    }
                    (3, Some(id)) => {
                        diesel::delete(comments::table.filter(comments::ticket_id.eq(id)))
                            .execute(conn)?;
                        id
                    }
                    _ => add_ticket(conn, agent, &subject, &name, &description),
                };
                if fail {
                    return Err(crate::error::ApiError::internal("refused on purpose"));
                }
                Ok(id)
            })
            .await
    }

    /// The same agreement when every change goes through the group commit, which indexes each
    /// batch's tickets once, just before its COMMIT: batches mix new tickets, edits, comments,
    /// comment deletes and failing writes (whose changes, notes included, roll back alone).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_through_the_group_commit_keep_the_index_exact() {
        let (dir, pool) = fresh_db();
        let agent = add_agent(&mut pool.get().unwrap());
        let writer = db::open_writer(&dir.path().join("t.db")).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut ids: Vec<i64> = Vec::new();
        for _ in 0..6 {
            let mut writes = Vec::new();
            for _ in 0..40 {
                let existing = ids.choose(&mut rng).copied();
                let fail = rng.random_bool(0.2);
                let mut rng = ChaCha8Rng::seed_from_u64(rng.random());
                let writer = writer.clone();
                writes.push(tokio::spawn(async move {
                    random_write(&writer, &mut rng, agent, existing, fail).await
                }));
            }
            for write in writes {
                if let Ok(id) = write.await.unwrap()
                    && !ids.contains(&id)
                {
                    ids.push(id);
                }
            }
        }
        writer.shutdown().await;
        let conn = &mut pool.get().unwrap();
        assert_agrees(conn, &mut rng, 300);
        let (active, pending): (bool, i64) = (
            search_deferral::table
                .select(search_deferral::active)
                .first(conn)
                .unwrap(),
            search_pending::table.count().get_result(conn).unwrap(),
        );
        assert!(!active && pending == 0, "committed with the index deferred");
    }

    /// `n` tickets about "Pix duplicado", in one transaction; their ids, oldest first.
    fn pix_tickets(conn: &mut DbConn, agent: i64, n: usize) -> Vec<i64> {
        conn.transaction(|conn| {
            (0..n)
                .map(|i| {
                    Ok(add_ticket(
                        conn,
                        agent,
                        "Pix duplicado",
                        "Lúcia",
                        &format!("pedido {i}"),
                    ))
                })
                .collect::<QueryResult<Vec<i64>>>()
        })
        .unwrap()
    }

    fn pix(category: Option<&str>) -> TicketFilter {
        TicketFilter {
            q: Some("pix".into()),
            category: category.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn counts_past_the_cap_are_lower_bounds_and_paging_still_reaches_every_match() {
        let (_dir, pool) = fresh_db();
        let conn = &mut pool.get().unwrap();
        let agent = add_agent(conn);
        let cap = usize::try_from(shared::TEXT_COUNT_CAP).unwrap();
        let ids = pix_tickets(conn, agent, cap + 3);

        let counts = ticket::counts_by_status(conn, &pix(None)).unwrap();
        assert!(counts.capped);
        assert_eq!(
            (counts.open, counts.total),
            (shared::TEXT_COUNT_CAP, shared::TEXT_COUNT_CAP)
        );
        assert_eq!(
            ticket::count(conn, &pix(None)).unwrap(),
            (shared::TEXT_COUNT_CAP, true)
        );

        let mut listed = Vec::new();
        let mut before = None;
        loop {
            let page = ticket::page(conn, &pix(None), before, 97).unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            listed.extend(page.iter().map(|t| t.id));
        }
        listed.reverse();
        assert_eq!(listed, ids, "every match, newest first, once");

        diesel::delete(tickets::table.filter(tickets::id.eq_any(&ids[..3])))
            .execute(conn)
            .unwrap();
        let exact = ticket::counts_by_status(conn, &pix(None)).unwrap();
        assert!(!exact.capped, "at the cap the count is exact");
        assert_eq!(exact.total, shared::TEXT_COUNT_CAP);
    }

    #[test]
    fn a_count_that_examined_too_many_index_matches_says_so() {
        let (_dir, pool) = fresh_db();
        let conn = &mut pool.get().unwrap();
        let agent = add_agent(conn);
        let scan = usize::try_from(super::TEXT_SCAN_CAP).unwrap();
        let ids = pix_tickets(conn, agent, scan + 2);
        // The two oldest are the only payment tickets; the newest matches are all elsewhere.
        diesel::update(tickets::table.filter(tickets::id.eq_any(&ids[..2])))
            .set(tickets::category.eq("pagamento"))
            .execute(conn)
            .unwrap();

        let counts = ticket::counts_by_status(conn, &pix(Some("pagamento"))).unwrap();
        assert!(counts.capped, "not every match was examined");
        let page = ticket::page(conn, &pix(Some("pagamento")), None, 25).unwrap();
        assert_eq!(page.len(), 2, "the list is not capped");

        let few = ticket::counts_by_status(conn, &pix(Some("outros"))).unwrap();
        assert!(few.capped);
        let exact = ticket::counts_by_status(
            conn,
            &TicketFilter {
                q: Some(format!("#{}", ids[1])),
                category: Some("pagamento".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (exact.total, exact.capped),
            (1, false),
            "a ticket number is exact"
        );
    }

    #[test]
    fn the_index_follows_edits_comments_and_deletes() {
        let (_dir, pool) = fresh_db();
        let conn = &mut pool.get().unwrap();
        let agent = add_agent(conn);
        let id = add_ticket(
            conn,
            agent,
            "Ingresso perdido",
            "Ângela Souza",
            "Chegou nada",
        );
        let other = add_ticket(conn, agent, "Pix duplicado", "Lúcia", "Cobrança em dobro");
        assert_eq!(search(conn, "angela"), [id]);

        let changes = ticket::TicketChangeset {
            customer_name: Some("Conceição Lima".into()),
            ..Default::default()
        };
        ticket::update(conn, id, &changes).unwrap();
        assert!(
            search(conn, "angela").is_empty(),
            "old text must leave the index"
        );
        assert_eq!(search(conn, "conceicao"), [id]);

        comment::insert(
            conn,
            &comment::NewCommentRow {
                ticket_id: other,
                author_id: agent,
                body: "Estorno feito no cartão",
                created_at: now(),
            },
        )
        .unwrap();
        assert_eq!(search(conn, "cartao estorno"), [other]);
        // An edit keeps the comments searchable.
        let changes = ticket::TicketChangeset {
            subject: Some("Pix em dobro".into()),
            ..Default::default()
        };
        ticket::update(conn, other, &changes).unwrap();
        assert_eq!(search(conn, "estorno"), [other]);

        diesel::delete(tickets::table.find(other))
            .execute(conn)
            .unwrap();
        assert!(search(conn, "estorno").is_empty());
        assert!(search(conn, "pix").is_empty());
        assert_eq!(search(conn, "lima"), [id]);
    }
}
