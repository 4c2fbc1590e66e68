//! A ticket's life: `POST /tickets`, `GET /tickets/{id}`, `PATCH /tickets/{id}`.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use shared::{AgentRef, EventKind, NewTicket, Priority, Ticket, TicketDetail, TicketStatus};

use crate::helpers::{
    TestAgent, TestApp, assert_invalid_fields, assert_problem, header_str, json_body, new_ticket,
    send,
};

fn agent_ref(agent: &TestAgent) -> AgentRef {
    AgentRef {
        id: agent.id(),
        name: agent.agent.name.clone(),
    }
}

/// A server, its first agent and one ticket of theirs.
async fn app_with_ticket() -> (TestApp, TestAgent, Ticket) {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app
        .create_ticket(&ana.token, &new_ticket("Cobrança em dobro"))
        .await;
    (app, ana, ticket)
}

/// `PATCH /tickets/{id}` with an `If-Match` header.
async fn patch_if_match(
    app: &TestApp,
    token: &str,
    id: i64,
    if_match: &str,
    patch: &Value,
) -> reqwest::Response {
    let request = app
        .authed(Method::PATCH, &format!("/tickets/{id}"), token)
        .header(header::IF_MATCH, if_match)
        .json(patch);
    send(request).await
}

#[tokio::test]
async fn create_ticket_returns_201_with_location_etag_and_an_open_ticket() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let response = app
        .post("/tickets", &ana.token, &new_ticket("Cobrança em dobro"))
        .await;
    let location = header_str(&response, header::LOCATION);
    let etag = header_str(&response, header::ETAG);
    let ticket: Ticket = json_body(response, StatusCode::CREATED).await;

    assert_eq!(location, format!("/api/v1/tickets/{}", ticket.id));
    assert_eq!(etag, "\"1\"");
    assert_eq!(ticket.subject, "Cobrança em dobro");
    assert_eq!(ticket.customer_name, "Maria Souza");
    assert_eq!(ticket.customer_contact, "maria@example.com");
    assert_eq!(
        (ticket.channel.as_str(), ticket.category.as_str()),
        ("e-mail", "pagamento")
    );
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(ticket.priority, Priority::Normal);
    assert_eq!(ticket.created_by, agent_ref(&ana));
    assert_eq!(ticket.version, 1);
    assert_eq!((ticket.comment_count, ticket.attachment_count), (0, 0));
    assert_eq!(ticket.created_at, ticket.updated_at);
    assert_eq!((ticket.first_response_at, ticket.closed_at), (None, None));
    let fetched: TicketDetail = json_body(
        send(app.client.get(app.url(&location)).bearer_auth(&ana.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fetched.ticket, ticket);
}

#[tokio::test]
async fn create_ticket_assigns_the_creator_unless_told_otherwise() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    let default = app
        .create_ticket(&ana.token, &new_ticket("Sem responsável"))
        .await;
    let chosen = app
        .create_ticket(
            &ana.token,
            &NewTicket {
                assignee_id: Some(bruno.id()),
                priority: Some(Priority::Urgent),
                ..new_ticket("Para o Bruno")
            },
        )
        .await;

    assert_eq!(default.assignee, Some(agent_ref(&ana)));
    assert_eq!(chosen.assignee, Some(agent_ref(&bruno)));
    assert_eq!(chosen.created_by, agent_ref(&ana));
    assert_eq!(chosen.priority, Priority::Urgent);
}

#[tokio::test]
async fn create_ticket_returns_422_for_unknown_channel_and_category_slugs() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        channel: "pombo-correio".into(),
        category: "Pagamento".into(),
        ..new_ticket("Slugs errados")
    };

    let response = app.post("/tickets", &ana.token, &ticket).await;

    let problem = assert_invalid_fields(response, &["channel", "category"]).await;
    assert!(problem.errors.iter().all(|e| e.code == "unknown_value"));
}

#[tokio::test]
async fn create_ticket_returns_422_for_an_assignee_who_is_not_an_agent() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        assignee_id: Some(999),
        ..new_ticket("Ninguém")
    };

    let response = app.post("/tickets", &ana.token, &ticket).await;

    assert_invalid_fields(response, &["assignee_id"]).await;
}

#[tokio::test]
async fn create_ticket_refuses_fields_a_client_must_not_set() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for (field, value) in [
        ("status", json!("closed")),
        ("id", json!(4242)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("version", json!(7)),
    ] {
        let mut body = serde_json::to_value(new_ticket("Mass assignment")).unwrap();
        body[field] = value;
        let response = app.post("/tickets", &ana.token, &body).await;
        let problem =
            assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        assert!(
            problem.detail.contains(field),
            "{field}: {}",
            problem.detail
        );
    }
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 0);
}

#[tokio::test]
async fn create_ticket_returns_422_naming_each_invalid_field() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "   ".into(),
        customer_name: "x".repeat(201),
        customer_contact: "tab\there".into(),
        description: String::new(),
        ..new_ticket("")
    };

    let response = app.post("/tickets", &ana.token, &ticket).await;

    let problem = assert_invalid_fields(
        response,
        &[
            "subject",
            "customer_name",
            "customer_contact",
            "description",
        ],
    )
    .await;
    let codes: Vec<_> = problem.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        ["required", "too_long", "invalid_format", "required"]
    );
}

#[tokio::test]
async fn create_ticket_returns_422_when_a_required_field_is_missing() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut body = serde_json::to_value(new_ticket("Sem cliente")).unwrap();
    body.as_object_mut().unwrap().remove("customer_name");

    let response = app.post("/tickets", &ana.token, &body).await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(
        problem.detail.contains("customer_name"),
        "{}",
        problem.detail
    );
}

#[tokio::test]
async fn get_ticket_returns_the_ticket_with_its_comments_attachments_history_and_etag() {
    let (app, ana, ticket) = app_with_ticket().await;
    app.comment(&ana.token, ticket.id, "Estamos verificando.")
        .await;
    app.attach(&ana.token, ticket.id, "print.png", crate::helpers::PNG)
        .await;
    app.update_ticket(&ana.token, ticket.id, &json!({ "status": "waiting" }))
        .await;

    let response = app
        .get(&format!("/tickets/{}", ticket.id), &ana.token)
        .await;
    let etag = header_str(&response, header::ETAG);
    let detail: TicketDetail = json_body(response, StatusCode::OK).await;

    assert_eq!(etag, format!("\"{}\"", detail.ticket.version));
    assert_eq!(detail.ticket.id, ticket.id);
    assert_eq!(detail.ticket.status, TicketStatus::Waiting);
    assert_eq!(
        (detail.ticket.comment_count, detail.ticket.attachment_count),
        (1, 1)
    );
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.attachments.len(), 1);
    assert_eq!(detail.events.len(), 1);
}

#[tokio::test]
async fn get_ticket_returns_404_for_an_unknown_id() {
    let (app, ana, ticket) = app_with_ticket().await;

    for path in [
        format!("/tickets/{}", ticket.id + 1),
        "/tickets/0".into(),
        "/tickets/abc".into(),
    ] {
        let response = app.get(&path, &ana.token).await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn update_ticket_changes_the_given_fields_and_bumps_version_and_etag() {
    let (app, ana, ticket) = app_with_ticket().await;
    let patch = json!({
        "subject": "Cobrança duplicada no Pix",
        "customer_name": "Maria S. Souza",
        "customer_contact": "+55 11 99999-0000",
        "description": "Duas cobranças de R$ 120.",
        "priority": "high",
        "category": "reembolso",
        "channel": "whatsapp",
    });

    let response = app
        .patch(&format!("/tickets/{}", ticket.id), &ana.token, &patch)
        .await;
    let etag = header_str(&response, header::ETAG);
    let updated: Ticket = json_body(response, StatusCode::OK).await;

    assert_eq!(etag, "\"2\"");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.subject, "Cobrança duplicada no Pix");
    assert_eq!(updated.customer_name, "Maria S. Souza");
    assert_eq!(updated.customer_contact, "+55 11 99999-0000");
    assert_eq!(updated.description, "Duas cobranças de R$ 120.");
    assert_eq!(updated.priority, Priority::High);
    assert_eq!(
        (updated.category.as_str(), updated.channel.as_str()),
        ("reembolso", "whatsapp")
    );
    assert_eq!(updated.status, TicketStatus::Open);
    assert!(updated.updated_at >= ticket.updated_at);
    assert!(app.ticket(&ana.token, ticket.id).await.events.is_empty());
}

#[tokio::test]
async fn update_ticket_that_changes_nothing_keeps_the_version() {
    let (app, ana, ticket) = app_with_ticket().await;

    let same = app
        .update_ticket(
            &ana.token,
            ticket.id,
            &json!({ "status": "open", "priority": "normal" }),
        )
        .await;

    assert_eq!(same, ticket);
}

#[tokio::test]
async fn status_change_is_recorded_with_who_from_and_to() {
    let (app, ana, ticket) = app_with_ticket().await;
    let bruno = app.sign_up("Bruno").await;

    app.update_ticket(&ana.token, ticket.id, &json!({ "status": "waiting" }))
        .await;
    app.update_ticket(&bruno.token, ticket.id, &json!({ "status": "closed" }))
        .await;

    let events = app.ticket(&ana.token, ticket.id).await.events;
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.kind, e.actor.clone(), e.from_status, e.to_status))
        .collect();
    assert_eq!(
        seen,
        [
            (
                EventKind::StatusChanged,
                agent_ref(&ana),
                Some(TicketStatus::Open),
                Some(TicketStatus::Waiting)
            ),
            (
                EventKind::StatusChanged,
                agent_ref(&bruno),
                Some(TicketStatus::Waiting),
                Some(TicketStatus::Closed)
            ),
        ]
    );
    assert!(events[0].created_at <= events[1].created_at);
}

#[tokio::test]
async fn assignee_change_is_recorded_and_null_unassigns() {
    let (app, ana, ticket) = app_with_ticket().await;
    let bruno = app.sign_up("Bruno").await;

    let to_bruno = app
        .update_ticket(&ana.token, ticket.id, &json!({ "assignee_id": bruno.id() }))
        .await;
    let unassigned = app
        .update_ticket(&bruno.token, ticket.id, &json!({ "assignee_id": null }))
        .await;

    assert_eq!(to_bruno.assignee, Some(agent_ref(&bruno)));
    assert_eq!(unassigned.assignee, None);
    let events = app.ticket(&ana.token, ticket.id).await.events;
    let seen: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.kind,
                e.actor.id,
                e.from_assignee.clone(),
                e.to_assignee.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                EventKind::AssigneeChanged,
                ana.id(),
                Some(agent_ref(&ana)),
                Some(agent_ref(&bruno))
            ),
            (
                EventKind::AssigneeChanged,
                bruno.id(),
                Some(agent_ref(&bruno)),
                None
            ),
        ]
    );
}

#[tokio::test]
async fn update_ticket_returns_422_for_an_assignee_who_is_not_an_agent() {
    let (app, ana, ticket) = app_with_ticket().await;

    let response = app
        .patch(
            &format!("/tickets/{}", ticket.id),
            &ana.token,
            &json!({ "assignee_id": 999 }),
        )
        .await;

    assert_invalid_fields(response, &["assignee_id"]).await;
    assert_eq!(app.ticket(&ana.token, ticket.id).await.ticket, ticket);
}

#[tokio::test]
async fn closing_sets_closed_at_and_reopening_clears_it() {
    let (app, ana, ticket) = app_with_ticket().await;

    let closed = app
        .update_ticket(&ana.token, ticket.id, &json!({ "status": "closed" }))
        .await;
    let reopened = app
        .update_ticket(&ana.token, ticket.id, &json!({ "status": "open" }))
        .await;

    let closed_at = closed.closed_at.expect("closed_at is set on close");
    assert!(closed_at >= ticket.created_at);
    assert_eq!(closed.updated_at, closed_at);
    assert_eq!(reopened.closed_at, None);
    assert_eq!(reopened.status, TicketStatus::Open);
}

#[tokio::test]
async fn update_ticket_with_a_stale_if_match_returns_412_and_changes_nothing() {
    let (app, ana, ticket) = app_with_ticket().await;
    let bruno = app.sign_up("Bruno").await;
    app.update_ticket(&bruno.token, ticket.id, &json!({ "priority": "urgent" }))
        .await;
    let before = app.ticket(&ana.token, ticket.id).await;

    let response = patch_if_match(
        &app,
        &ana.token,
        ticket.id,
        "\"1\"",
        &json!({ "status": "closed", "priority": "low" }),
    )
    .await;

    assert_problem(response, StatusCode::PRECONDITION_FAILED, "stale_ticket").await;
    assert_eq!(app.ticket(&ana.token, ticket.id).await, before);
}

#[tokio::test]
async fn update_ticket_with_the_current_if_match_applies_and_returns_the_next_etag() {
    let (app, ana, ticket) = app_with_ticket().await;
    let current = header_str(
        &app.get(&format!("/tickets/{}", ticket.id), &ana.token)
            .await,
        header::ETAG,
    );

    let response = patch_if_match(
        &app,
        &ana.token,
        ticket.id,
        &current,
        &json!({ "status": "waiting" }),
    )
    .await;
    let etag = header_str(&response, header::ETAG);
    let updated: Ticket = json_body(response, StatusCode::OK).await;

    assert_eq!(current, "\"1\"");
    assert_eq!(etag, "\"2\"");
    assert_eq!(
        (updated.version, updated.status),
        (2, TicketStatus::Waiting)
    );
    let again = patch_if_match(
        &app,
        &ana.token,
        ticket.id,
        &current,
        &json!({ "status": "open" }),
    )
    .await;
    assert_problem(again, StatusCode::PRECONDITION_FAILED, "stale_ticket").await;
}

#[tokio::test]
async fn update_ticket_returns_404_for_an_unknown_id() {
    let (app, ana, ticket) = app_with_ticket().await;

    let response = app
        .patch(
            &format!("/tickets/{}", ticket.id + 1),
            &ana.token,
            &json!({ "status": "closed" }),
        )
        .await;

    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn update_ticket_returns_422_for_unknown_slugs_fields_and_values() {
    let (app, ana, ticket) = app_with_ticket().await;
    let path = format!("/tickets/{}", ticket.id);

    let slugs = app
        .patch(
            &path,
            &ana.token,
            &json!({ "category": "nada", "channel": "fax" }),
        )
        .await;
    let blank = app
        .patch(&path, &ana.token, &json!({ "subject": "" }))
        .await;
    assert_invalid_fields(slugs, &["channel", "category"]).await;
    assert_invalid_fields(blank, &["subject"]).await;
    for body in [
        json!({ "status": "aberto" }),
        json!({ "priority": "critical" }),
        json!({ "version": 9 }),
        json!({ "created_by": 2 }),
    ] {
        let response = app.patch(&path, &ana.token, &body).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    assert_eq!(app.ticket(&ana.token, ticket.id).await.ticket, ticket);
}
