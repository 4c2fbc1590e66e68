//! `POST` and `GET /tickets/{id}/comments`.

use reqwest::StatusCode;
use serde_json::json;
use shared::{AgentRef, Comment};

use crate::helpers::{TestApp, assert_invalid_fields, assert_problem, json_body, new_ticket};

#[tokio::test]
async fn create_comment_returns_201_with_the_comment_and_its_author() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Dúvida")).await;

    let response = app
        .post(
            &format!("/tickets/{}/comments", ticket.id),
            &ana.token,
            &json!({ "body": "  Olá, Maria!\nJá verificamos.  " }),
        )
        .await;
    let comment: Comment = json_body(response, StatusCode::CREATED).await;

    assert_eq!(comment.ticket_id, ticket.id);
    assert_eq!(comment.body, "Olá, Maria!\nJá verificamos.");
    assert_eq!(
        comment.author,
        AgentRef {
            id: ana.id(),
            name: "Ana".into()
        }
    );
    let after = app.ticket(&ana.token, ticket.id).await;
    assert_eq!(after.comments, [comment]);
    assert_eq!(after.ticket.comment_count, 1);
}

#[tokio::test]
async fn the_first_comment_sets_first_response_at_and_later_ones_keep_it() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Dúvida")).await;
    assert_eq!(ticket.first_response_at, None);

    let first = app
        .comment(&bruno.token, ticket.id, "Primeira resposta")
        .await;
    let after_first = app.ticket(&ana.token, ticket.id).await.ticket;
    app.comment(&ana.token, ticket.id, "Segunda resposta").await;
    let after_second = app.ticket(&ana.token, ticket.id).await.ticket;

    assert_eq!(after_first.first_response_at, Some(first.created_at));
    assert_eq!(after_second.first_response_at, Some(first.created_at));
    assert_eq!(after_second.comment_count, 2);
}

#[tokio::test]
async fn list_comments_returns_them_oldest_first() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Conversa")).await;
    let mut written = Vec::new();
    for (agent, body) in [(&ana, "um"), (&bruno, "dois"), (&ana, "três")] {
        written.push(app.comment(&agent.token, ticket.id, body).await);
    }

    let response = app
        .get(&format!("/tickets/{}/comments", ticket.id), &bruno.token)
        .await;
    let listed: Vec<Comment> = json_body(response, StatusCode::OK).await;

    assert_eq!(listed, written);
    let bodies: Vec<_> = listed.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["um", "dois", "três"]);
}

#[tokio::test]
async fn list_comments_of_a_ticket_without_any_is_empty() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Silêncio")).await;

    let response = app
        .get(&format!("/tickets/{}/comments", ticket.id), &ana.token)
        .await;
    let listed: Vec<Comment> = json_body(response, StatusCode::OK).await;

    assert!(listed.is_empty());
}

#[tokio::test]
async fn comments_on_an_unknown_ticket_return_404() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let post = app
        .post(
            "/tickets/42/comments",
            &ana.token,
            &json!({ "body": "Olá" }),
        )
        .await;
    let list = app.get("/tickets/42/comments", &ana.token).await;

    assert_problem(post, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(list, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn create_comment_returns_422_for_a_blank_or_oversized_body() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Dúvida")).await;
    let path = format!("/tickets/{}/comments", ticket.id);

    for body in [" \n ".to_owned(), "x".repeat(20_001)] {
        let response = app.post(&path, &ana.token, &json!({ "body": body })).await;
        assert_invalid_fields(response, &["body"]).await;
    }
    let unknown = app
        .post(&path, &ana.token, &json!({ "body": "oi", "author_id": 9 }))
        .await;
    assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert_eq!(
        app.ticket(&ana.token, ticket.id).await.ticket.comment_count,
        0
    );
}
