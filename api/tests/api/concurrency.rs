//! Many clients at once: keyset pages stay exact while tickets are being created, and
//! concurrent writers never fail (SQLite's write lock is queued for, not reported).

use std::collections::HashSet;

use futures_util::future::join_all;
use reqwest::StatusCode;
use shared::Role;
use tokio::sync::{Barrier, watch};

use crate::helpers::{TestApp, assert_problem, json_body, new_ticket};

const WRITERS: usize = 32;

/// Every ticket id, newest first, walking the pages with `next_cursor` and running
/// `between_pages` before each next page.
async fn walk(
    app: &TestApp,
    token: &str,
    limit: &str,
    mut between_pages: impl AsyncFnMut(),
) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", limit)];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor));
        }
        let page = app.list_tickets(token, &query).await;
        ids.extend(page.items.iter().map(|t| t.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
        between_pages().await;
    }
}

#[tokio::test]
async fn pages_neither_repeat_nor_skip_tickets_while_others_are_created() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let before: Vec<i64> = app
        .create_tickets(&ana.token, "Antes", 60)
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    let (inserted_tx, mut inserted_rx) = watch::channel(0_usize);

    let (app, token) = (&app, ana.token.as_str());

    // The walker waits for at least one insert between two pages, so that walking and inserting
    // interleave on every run; the inserter stops once the walker is done with its receiver.
    let walker = async move {
        walk(app, token, "7", async || {
            inserted_rx
                .changed()
                .await
                .expect("the inserter is running");
        })
        .await
    };
    let inserter = async move {
        let mut inserted = 0;
        loop {
            app.create_ticket(token, &new_ticket(&format!("Durante {inserted}")))
                .await;
            inserted += 1;
            if inserted_tx.send(inserted).is_err() {
                return inserted;
            }
        }
    };
    let (seen, inserted) = tokio::join!(walker, inserter);

    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a ticket was listed twice: {seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "not newest first: {seen:?}"
    );
    for id in &before {
        assert!(unique.contains(id), "ticket {id} was skipped: {seen:?}");
    }
    assert!(
        inserted >= 60 / 7,
        "only {inserted} tickets were created during the walk"
    );
    let everything = walk(app, token, "100", async || {}).await;
    assert_eq!(everything.len(), 60 + inserted);
    let existing_at_first_page: Vec<_> =
        everything.into_iter().filter(|id| *id <= seen[0]).collect();
    assert_eq!(seen, existing_at_first_page, "the walk has a gap");
}

#[tokio::test]
async fn thirty_two_concurrent_writers_all_get_201_and_every_ticket_is_kept() {
    let app = TestApp::spawn().await;
    let mut agents = Vec::new();
    for i in 0..WRITERS {
        agents.push(app.sign_up(&format!("Writer{i:02}")).await);
    }
    let start = Barrier::new(WRITERS);

    let writes = agents.iter().map(|agent| async {
        start.wait().await;
        let mut statuses = Vec::new();
        for n in 0..3 {
            let ticket = new_ticket(&format!("{} {n}", agent.agent.name));
            statuses.push(app.post("/tickets", &agent.token, &ticket).await.status());
        }
        statuses
    });
    let statuses: Vec<StatusCode> = join_all(writes).await.into_iter().flatten().collect();

    assert_eq!(statuses, vec![StatusCode::CREATED; WRITERS * 3]);
    let page = app.list_tickets(&agents[0].token, &[]).await;
    assert_eq!(page.total, (WRITERS * 3) as i64);
    let ids = walk(&app, &agents[0].token, "100", async || {}).await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), WRITERS * 3);
}

#[tokio::test]
async fn thirty_two_agents_commenting_on_one_ticket_at_once_all_succeed() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Popular")).await;
    let path = format!("/tickets/{}/comments", ticket.id);
    let start = Barrier::new(WRITERS);

    let writes = (0..WRITERS).map(|i| {
        let (path, start) = (&path, &start);
        let token = ana.token.as_str();
        let app = &app;
        async move {
            start.wait().await;
            app.post(
                path,
                token,
                &serde_json::json!({ "body": format!("Comentário {i}") }),
            )
            .await
            .status()
        }
    });
    let statuses = join_all(writes).await;

    assert_eq!(statuses, vec![StatusCode::CREATED; WRITERS]);
    let detail = app.ticket(&ana.token, ticket.id).await;
    assert_eq!(detail.ticket.comment_count, WRITERS as i64);
    assert_eq!(detail.comments.len(), WRITERS);
    let first_comment = detail.comments.iter().map(|c| c.created_at).min();
    assert_eq!(detail.ticket.first_response_at, first_comment);
}

#[tokio::test]
async fn concurrent_first_registrations_make_exactly_one_admin() {
    let app = TestApp::spawn().await;
    let start = Barrier::new(WRITERS);

    let registrations = (0..WRITERS).map(|i| {
        let (app, start) = (&app, &start);
        async move {
            start.wait().await;
            let email = format!("agent{i}@groovoo.test");
            let response = app
                .register("Agente", &email, crate::helpers::PASSWORD)
                .await;
            json_body::<shared::AuthResponse>(response, StatusCode::CREATED)
                .await
                .agent
                .role
        }
    });
    let roles = join_all(registrations).await;

    assert_eq!(
        roles.iter().filter(|r| **r == Role::Admin).count(),
        1,
        "{roles:?}"
    );
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_make_one_account() {
    let app = TestApp::spawn().await;
    let start = Barrier::new(8);

    let registrations = (0..8).map(|_| {
        let (app, start) = (&app, &start);
        async move {
            start.wait().await;
            app.register("Ana", "ana@groovoo.test", crate::helpers::PASSWORD)
                .await
        }
    });
    let responses = join_all(registrations).await;

    let mut created = 0;
    for response in responses {
        if response.status() == StatusCode::CREATED {
            created += 1;
        } else {
            assert_problem(response, StatusCode::CONFLICT, "email_taken").await;
        }
    }
    assert_eq!(created, 1);
}
