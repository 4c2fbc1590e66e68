//! `Idempotency-Key` on `POST /tickets` and `POST /tickets/{id}/comments`: a retry replays the
//! first response and creates nothing; the same key with another body is refused.

use reqwest::{Method, Response, StatusCode, header};
use serde::Serialize;
use serde_json::{Value, json};
use shared::{Comment, Ticket};

use crate::helpers::{TestApp, assert_problem, header_str, json_body, new_ticket, send};

const KEY: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";

async fn post_keyed<B: Serialize + ?Sized>(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &B,
) -> Response {
    send(
        app.authed(Method::POST, path, token)
            .header(KEY, key)
            .json(body),
    )
    .await
}

/// Status, the headers a replay must repeat, and the body.
async fn parts(response: Response) -> (StatusCode, String, String, String, Value) {
    let status = response.status();
    let location = header_str(&response, header::LOCATION);
    let etag = header_str(&response, header::ETAG);
    let replayed = response
        .headers()
        .get(REPLAYED)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        location,
        etag,
        replayed,
        response.json().await.unwrap(),
    )
}

#[tokio::test]
async fn a_retried_ticket_with_the_same_key_replays_the_first_response_and_creates_one_ticket() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = new_ticket("Cobrança em dobro");

    let first = parts(post_keyed(&app, "/tickets", &ana.token, "key-1", &ticket).await).await;
    let retry = parts(post_keyed(&app, "/tickets", &ana.token, "key-1", &ticket).await).await;

    assert_eq!(first.0, StatusCode::CREATED);
    assert_eq!(first.3, "", "a first response is not a replay");
    assert_eq!(retry.0, StatusCode::CREATED);
    assert_eq!(retry.3, "true");
    assert_eq!(
        (&retry.1, &retry.2, &retry.4),
        (&first.1, &first.2, &first.4)
    );
    let id = first.4["id"].as_i64().unwrap();
    assert_eq!(first.1, format!("/api/v1/tickets/{id}"));
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 1);
}

#[tokio::test]
async fn the_json_field_order_and_spacing_do_not_make_another_request() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = new_ticket("Ordem dos campos");
    let first: Ticket = json_body(
        post_keyed(&app, "/tickets", &ana.token, "k", &ticket).await,
        StatusCode::CREATED,
    )
    .await;
    let mut reordered: Vec<(String, Value)> = serde_json::to_value(&ticket)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
        .into_iter()
        .collect();
    reordered.reverse();
    let raw = format!(
        "{{ {} }}",
        reordered
            .iter()
            .map(|(k, v)| format!("{k:?} :  {v}"))
            .collect::<Vec<_>>()
            .join(" ,\n ")
    );

    let retry = send(
        app.authed(Method::POST, "/tickets", &ana.token)
            .header(KEY, "k")
            .header(header::CONTENT_TYPE, "application/json")
            .body(raw),
    )
    .await;

    assert_eq!(
        header_str(&retry, header::LOCATION),
        format!("/api/v1/tickets/{}", first.id)
    );
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_returns_422_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    post_keyed(&app, "/tickets", &ana.token, "k", &new_ticket("Primeiro")).await;

    let other = post_keyed(&app, "/tickets", &ana.token, "k", &new_ticket("Segundo")).await;

    assert_problem(
        other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_ticket_and_all_get_it() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = new_ticket("Clique duplo");

    let requests = (0..16).map(|_| {
        app.authed(Method::POST, "/tickets", &ana.token)
            .header(KEY, "double-click")
            .json(&ticket)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;

    let mut ids = Vec::new();
    for response in responses {
        let created: Ticket = json_body(response.unwrap(), StatusCode::CREATED).await;
        ids.push(created.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the one ticket: {ids:?}");
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 1);
}

#[tokio::test]
async fn keys_belong_to_their_agent() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let ticket = new_ticket("Mesma chave");

    let by_ana: Ticket = json_body(
        post_keyed(&app, "/tickets", &ana.token, "k", &ticket).await,
        StatusCode::CREATED,
    )
    .await;
    let by_bruno = post_keyed(&app, "/tickets", &bruno.token, "k", &ticket).await;

    assert_eq!(by_bruno.headers().get(REPLAYED), None);
    let by_bruno: Ticket = json_body(by_bruno, StatusCode::CREATED).await;
    assert_ne!(by_bruno.id, by_ana.id);
    assert_eq!(by_bruno.created_by.id, bruno.id());
}

#[tokio::test]
async fn a_retried_comment_is_added_once_and_its_key_is_bound_to_the_ticket() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let tickets = app.create_tickets(&ana.token, "Comentário", 2).await;
    let path = format!("/tickets/{}/comments", tickets[0].id);
    let body = json!({ "body": "Reenviamos o ingresso." });

    let first = post_keyed(&app, &path, &ana.token, "c-1", &body).await;
    let first: Comment = json_body(first, StatusCode::CREATED).await;
    let retry = post_keyed(&app, &path, &ana.token, "c-1", &body).await;
    assert_eq!(
        header_str(
            &retry,
            header::HeaderName::from_static("idempotent-replayed")
        ),
        "true"
    );
    let retry: Comment = json_body(retry, StatusCode::CREATED).await;

    assert_eq!(retry, first);
    let detail = app.ticket(&ana.token, tickets[0].id).await;
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.ticket.comment_count, 1);

    let elsewhere = format!("/tickets/{}/comments", tickets[1].id);
    let reused = post_keyed(&app, &elsewhere, &ana.token, "c-1", &body).await;
    assert_problem(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert!(
        app.ticket(&ana.token, tickets[1].id)
            .await
            .comments
            .is_empty()
    );
}

#[tokio::test]
async fn a_request_refused_once_is_judged_afresh_on_retry() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let unknown_category = shared::NewTicket {
        category: "nenhuma".into(),
        ..new_ticket("Categoria errada")
    };

    let refused = post_keyed(&app, "/tickets", &ana.token, "k", &unknown_category).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = post_keyed(&app, "/tickets", &ana.token, "k", &new_ticket("Corrigido")).await;

    assert_eq!(fixed.status(), StatusCode::CREATED);
    assert_eq!(fixed.headers().get(REPLAYED), None);
}

#[tokio::test]
async fn an_empty_overlong_or_non_ascii_key_returns_400_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let long = "k".repeat(256);

    for key in [
        header::HeaderValue::from_static(""),
        header::HeaderValue::from_str(&long).unwrap(),
        header::HeaderValue::from_bytes("chave-ção".as_bytes()).unwrap(),
    ] {
        let response = send(
            app.authed(Method::POST, "/tickets", &ana.token)
                .header(KEY, key.clone())
                .json(&new_ticket("Chave inválida")),
        )
        .await;
        assert_problem(response, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
    }
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 0);
}

#[tokio::test]
async fn a_key_of_255_printable_characters_is_accepted() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let key: String = (b' '..=b'~')
        .map(char::from)
        .cycle()
        .skip(1)
        .take(255)
        .collect();

    let response = post_keyed(&app, "/tickets", &ana.token, &key, &new_ticket("Longa")).await;

    assert_eq!(response.status(), StatusCode::CREATED);
}
