//! A full disk: writes answer 503 `storage_unavailable`, nothing half-written stays behind, the
//! database stays sound, and writes succeed again once there is room. "Full" is SQLite's own
//! `SQLITE_FULL`, raised by capping the page count of the server's write connection
//! (`PRAGMA max_page_count`), so the real error travels the real path: statement, savepoint,
//! group commit, problem body.

use diesel::connection::SimpleConnection;
use futures_util::future::join_all;
use reqwest::StatusCode;
use shared::{NewTicket, StatusCounts, Ticket};

use crate::helpers::{TestApp, assert_problem, json_body, new_ticket};

/// Runs `sql` on the server's write connection.
async fn on_write_connection(app: &TestApp, sql: &'static str) {
    app.writer
        .write(move |conn| Ok(conn.batch_execute(sql)?))
        .await
        .expect("the statement runs");
}

/// A ticket whose description needs several new database pages.
fn bulky(subject: &str) -> NewTicket {
    NewTicket {
        description: format!(
            "{subject}: {}",
            "Cobrança duplicada. ".repeat(900).trim_end()
        ),
        ..new_ticket(subject)
    }
}

#[tokio::test]
async fn a_full_disk_answers_503_keeps_the_database_intact_and_recovers() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut saved: Vec<(NewTicket, Ticket)> = Vec::new();
    for i in 1..=3 {
        let sent = bulky(&format!("Antes {i}"));
        saved.push((sent.clone(), app.create_ticket(&ana.token, &sent).await));
    }

    // No page can be added beyond the current size (SQLite raises the cap to the current size).
    on_write_connection(&app, "PRAGMA max_page_count = 1").await;
    let mut refused = 0;
    for round in 0..20 {
        if refused > 0 {
            break;
        }
        // Several at once, so that failures also hit writes sharing a group commit.
        let attempts: Vec<NewTicket> = (0..8)
            .map(|i| bulky(&format!("Cheio {round}.{i}")))
            .collect();
        let responses = join_all(
            attempts
                .iter()
                .map(|ticket| app.post("/tickets", &ana.token, ticket)),
        )
        .await;
        for (sent, response) in attempts.into_iter().zip(responses) {
            if response.status() == StatusCode::CREATED {
                let ticket: Ticket = json_body(response, StatusCode::CREATED).await;
                saved.push((sent, ticket));
            } else {
                let problem = assert_problem(
                    response,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                )
                .await;
                assert!(problem.detail.contains("not saved"), "{problem:?}");
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "no write ran out of room");

    assert_intact(&app, &ana.token, &saved).await;

    // Room again: the same server saves the next ticket.
    on_write_connection(&app, "PRAGMA max_page_count = 1073741823").await;
    let sent = bulky("Depois");
    saved.push((sent.clone(), app.create_ticket(&ana.token, &sent).await));
    assert_intact(&app, &ana.token, &saved).await;
}

/// Every acknowledged ticket is there and whole, nothing else is (a refused write left nothing
/// behind, not even in the counters), and SQLite finds the database sound.
async fn assert_intact(app: &TestApp, token: &str, saved: &[(NewTicket, Ticket)]) {
    for (sent, created) in saved {
        let stored = app.ticket(token, created.id).await.ticket;
        assert_eq!(stored.subject, sent.subject);
        assert!(
            stored.description == sent.description,
            "ticket {}: the description changed",
            created.id
        );
    }
    let expected = i64::try_from(saved.len()).unwrap();
    let page = app.list_tickets(token, &[("limit", "100")]).await;
    assert_eq!(page.total, expected, "tickets in the list");
    let counts: StatusCounts =
        json_body(app.get("/tickets/counts", token).await, StatusCode::OK).await;
    assert_eq!(counts.total, expected, "dashboard counters");
    let integrity = app
        .writer
        .write(|conn| Ok(api::db::maintenance::integrity_check(conn)?))
        .await
        .expect("the check runs");
    assert_eq!(integrity, ["ok"]);
}
