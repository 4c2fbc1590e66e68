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
    use crate::db::schema::tickets;
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
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        let words = super::words(q);
        !words.is_empty()
            && words.iter().all(|w| {
                let w = fold(w);
                tokens.iter().any(|t| {
                    if w.chars().count() >= 2 {
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
                comment::insert(
                    conn,
                    &comment::NewCommentRow {
                        ticket_id: id,
                        author_id: agent,
                        body: &phrase(&mut rng, 4),
                        created_at: now(),
                    },
                )
                .unwrap();
            }
        }
        assert_agrees(conn, &mut rng, 300);
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
