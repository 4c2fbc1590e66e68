//! `GET /tickets` (newest first, keyset pages, filters, total) and `GET /tickets/counts`.

use reqwest::StatusCode;
use serde_json::json;
use shared::{NewTicket, Priority, StatusCounts, Ticket};

use crate::helpers::{
    TestAgent, TestApp, assert_invalid_fields, assert_problem, json_body, new_ticket,
};

/// A query string, as pairs.
type Query<'a> = &'a [(&'a str, &'a str)];

fn ids(tickets: &[Ticket]) -> Vec<i64> {
    tickets.iter().map(|t| t.id).collect()
}

fn newest_first(tickets: &[Ticket]) -> Vec<i64> {
    let mut ids = ids(tickets);
    ids.reverse();
    ids
}

async fn counts(app: &TestApp, token: &str, query: Query<'_>) -> StatusCounts {
    let response = app.get_query("/tickets/counts", token, query).await;
    json_body(response, StatusCode::OK).await
}

/// Four tickets that differ in every filterable attribute, in creation order:
/// 1. open, normal, pagamento, e-mail, Ana — 2. waiting, high, reembolso, whatsapp, Bruno —
/// 3. closed, urgent, reembolso, telefone, Ana — 4. open, low, conta, whatsapp, unassigned.
async fn varied_tickets(app: &TestApp, ana: &TestAgent, bruno: &TestAgent) -> Vec<Ticket> {
    let specs = [
        ("pagamento", "e-mail", Priority::Normal, ana.id()),
        ("reembolso", "whatsapp", Priority::High, bruno.id()),
        ("reembolso", "telefone", Priority::Urgent, ana.id()),
        ("conta", "whatsapp", Priority::Low, ana.id()),
    ];
    let mut tickets = Vec::new();
    for (i, (category, channel, priority, assignee)) in specs.into_iter().enumerate() {
        let new = NewTicket {
            category: category.into(),
            channel: channel.into(),
            priority: Some(priority),
            assignee_id: Some(assignee),
            ..new_ticket(&format!("Ticket {}", i + 1))
        };
        tickets.push(app.create_ticket(&ana.token, &new).await);
    }
    for (ticket, patch) in [
        (&tickets[1], json!({ "status": "waiting" })),
        (&tickets[2], json!({ "status": "closed" })),
        (&tickets[3], json!({ "assignee_id": null })),
    ] {
        app.update_ticket(&ana.token, ticket.id, &patch).await;
    }
    tickets
}

#[tokio::test]
async fn list_tickets_returns_newest_first_with_the_total() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let created = app.create_tickets(&ana.token, "Ticket", 3).await;

    let page = app.list_tickets(&ana.token, &[]).await;

    assert_eq!(ids(&page.items), newest_first(&created));
    assert_eq!(page.total, 3);
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn list_tickets_pages_25_at_a_time_by_default() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let created = app.create_tickets(&ana.token, "Ticket", 30).await;

    let first = app.list_tickets(&ana.token, &[]).await;
    let cursor = first.next_cursor.clone().expect("a second page");
    let second = app.list_tickets(&ana.token, &[("cursor", &cursor)]).await;

    assert_eq!(first.items.len(), 25);
    assert_eq!((first.total, second.total), (30, 30));
    assert_eq!(second.next_cursor, None);
    let walked: Vec<_> = ids(&first.items)
        .into_iter()
        .chain(ids(&second.items))
        .collect();
    assert_eq!(walked, newest_first(&created));
}

#[tokio::test]
async fn list_tickets_clamps_a_limit_above_100_to_100() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    app.create_tickets(&ana.token, "Ticket", 101).await;

    for limit in ["500", "9223372036854775807"] {
        let page = app.list_tickets(&ana.token, &[("limit", limit)]).await;

        assert_eq!(page.items.len(), 100, "limit={limit}");
        assert_eq!(page.total, 101);
        assert!(page.next_cursor.is_some());
    }
}

#[tokio::test]
async fn list_tickets_honours_a_small_limit() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let created = app.create_tickets(&ana.token, "Ticket", 3).await;

    let page = app.list_tickets(&ana.token, &[("limit", "2")]).await;

    assert_eq!(ids(&page.items), newest_first(&created)[..2]);
    assert!(page.next_cursor.is_some());
}

#[tokio::test]
async fn list_tickets_returns_422_for_a_limit_that_is_not_a_positive_number() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for limit in ["0", "-5", "ten"] {
        let response = app
            .get_query("/tickets", &ana.token, &[("limit", limit)])
            .await;
        assert_invalid_fields(response, &["limit"]).await;
    }
}

#[tokio::test]
async fn list_tickets_returns_422_for_unknown_filter_values() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for (param, value) in [
        ("status", "aberto"),
        ("priority", "critical"),
        ("assignee_id", "ana"),
    ] {
        let response = app
            .get_query("/tickets", &ana.token, &[(param, value)])
            .await;
        assert_invalid_fields(response, &[param]).await;
    }
}

#[tokio::test]
async fn list_tickets_returns_422_for_a_cursor_it_did_not_issue() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    app.create_tickets(&ana.token, "Ticket", 2).await;

    // Not base64; `t:0` (no such ticket); `x:5` (not a ticket cursor).
    for cursor in ["garbage!", "dDow", "eDo1"] {
        let response = app
            .get_query("/tickets", &ana.token, &[("cursor", cursor)])
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_cursor").await;
    }
}

#[tokio::test]
async fn list_tickets_filters_by_status_priority_category_channel_and_assignee() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let t = ids(&varied_tickets(&app, &ana, &bruno).await);
    let bruno_id = bruno.id().to_string();

    let cases: [(Query, Vec<i64>); 9] = [
        (&[("status", "open")], vec![t[3], t[0]]),
        (&[("status", "waiting")], vec![t[1]]),
        (&[("status", "closed")], vec![t[2]]),
        (&[("priority", "urgent")], vec![t[2]]),
        (&[("category", "reembolso")], vec![t[2], t[1]]),
        (&[("channel", "whatsapp")], vec![t[3], t[1]]),
        (&[("assignee_id", &bruno_id)], vec![t[1]]),
        (&[("channel", "whatsapp"), ("status", "open")], vec![t[3]]),
        (&[("category", "outros")], vec![]),
    ];
    for (query, expected) in cases {
        let page = app.list_tickets(&ana.token, query).await;
        assert_eq!(ids(&page.items), expected, "{query:?}");
        assert_eq!(page.total, expected.len() as i64, "{query:?}");
    }
}

#[tokio::test]
async fn list_tickets_total_counts_every_match_across_pages() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    app.create_tickets(&ana.token, "Ticket", 5).await;
    let other = NewTicket {
        category: "conta".into(),
        ..new_ticket("Outra categoria")
    };
    app.create_ticket(&ana.token, &other).await;

    let page = app
        .list_tickets(&ana.token, &[("category", "pagamento"), ("limit", "2")])
        .await;

    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, 5);
}

#[tokio::test]
async fn counts_returns_tickets_per_status() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    varied_tickets(&app, &ana, &bruno).await;

    let all = counts(&app, &ana.token, &[]).await;

    assert_eq!(
        all,
        StatusCounts {
            open: 2,
            waiting: 1,
            closed: 1,
            total: 4,
            capped: false,
        }
    );
}

#[tokio::test]
async fn counts_follow_the_category_and_q_filters() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let t = varied_tickets(&app, &ana, &bruno).await;
    app.comment(&ana.token, t[2].id, "Estorno solicitado ao banco")
        .await;
    app.comment(&ana.token, t[3].id, "Estorno não se aplica")
        .await;

    let refunds = counts(&app, &ana.token, &[("category", "reembolso")]).await;
    let estorno = counts(&app, &ana.token, &[("q", "estorno")]).await;
    let both = counts(
        &app,
        &ana.token,
        &[("category", "reembolso"), ("q", "estorno")],
    )
    .await;
    let none = counts(&app, &ana.token, &[("q", "inexistente")]).await;

    assert_eq!(
        (refunds.open, refunds.waiting, refunds.closed, refunds.total),
        (0, 1, 1, 2)
    );
    assert_eq!(
        (estorno.open, estorno.waiting, estorno.closed, estorno.total),
        (1, 0, 1, 2)
    );
    assert_eq!(
        (both.open, both.waiting, both.closed, both.total),
        (0, 0, 1, 1)
    );
    assert_eq!(none, StatusCounts::default());
}

#[tokio::test]
async fn counts_return_422_for_unknown_filter_values() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let response = app
        .get_query("/tickets/counts", &ana.token, &[("status", "fechado")])
        .await;

    assert_invalid_fields(response, &["status"]).await;
}
