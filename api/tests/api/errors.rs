//! Errors the framework layer raises (bodies, methods, routes) come out as the same RFC 9457
//! `application/problem+json` document as the handlers' own.

use reqwest::{Method, StatusCode, header};
use shared::NewTicket;

use crate::helpers::{TestApp, assert_problem, header_str, new_ticket, send};

/// `POST /tickets` with a raw body and content type.
async fn post_raw(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: String,
) -> reqwest::Response {
    let request = app
        .authed(Method::POST, "/tickets", token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body);
    send(request).await
}

/// `PATCH /tickets/{id}` with a raw JSON body.
async fn patch_raw(app: &TestApp, token: &str, id: i64, body: String) -> reqwest::Response {
    let request = app
        .authed(Method::PATCH, &format!("/tickets/{id}"), token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body);
    send(request).await
}

#[tokio::test]
async fn malformed_json_returns_400() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for body in ["{\"subject\": ", "{subject: 'x'}", ""] {
        let response = post_raw(&app, &ana.token, "application/json", body.into()).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    }
    let register = send(
        app.request(Method::POST, "/auth/register")
            .header(header::CONTENT_TYPE, "application/json")
            .body("{"),
    )
    .await;
    assert_problem(register, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_returns_422() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for body in ["[]", "\"ticket\"", "{\"subject\": 42}"] {
        let response = post_raw(&app, &ana.token, "application/json", body.into()).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
}

/// Found by fuzzing: serde reads a struct from an array of its fields, so `[null, null]` was taken
/// as an empty change (and answered 412 or 200) and an array of six strings as a new ticket.
#[tokio::test]
async fn a_json_array_is_not_a_body_and_returns_422() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Original")).await;
    let channel = &ticket.channel;
    let category = &ticket.category;

    let as_ticket =
        format!(r#"["Assunto", "Cliente", "c@example.com", "{channel}", "{category}", "Texto"]"#);
    let response = post_raw(&app, &ana.token, "application/json", as_ticket).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;

    for body in ["[null, null]", "[]"] {
        let response = patch_raw(&app, &ana.token, ticket.id, body.into()).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    let comment = send(
        app.authed(
            Method::POST,
            &format!("/tickets/{}/comments", ticket.id),
            &ana.token,
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"["Oi"]"#),
    )
    .await;
    assert_problem(comment, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert_eq!(app.ticket(&ana.token, ticket.id).await.ticket.version, 1);
}

/// Found by fuzzing: JSON Schema (and so the document) counts `2.0` as an integer; serde refused it.
#[tokio::test]
async fn an_integral_number_is_an_integer() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bia = app.sign_up("Bia").await;
    let ticket = app
        .create_ticket(&ana.token, &new_ticket("Reatribuir"))
        .await;

    let body = format!(r#"{{"assignee_id": {}.0}}"#, bia.id());
    let response = patch_raw(&app, &ana.token, ticket.id, body).await;
    let updated: shared::Ticket = crate::helpers::json_body(response, StatusCode::OK).await;

    assert_eq!(updated.assignee.map(|a| a.id), Some(bia.id()));
    // Found by fuzzing too: an integer that does not fit an i64 is refused, not rounded into one.
    let too_small = r#"{"assignee_id": -9223372036854775809}"#.to_owned();
    let response = patch_raw(&app, &ana.token, ticket.id, too_small).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_returns_415() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let json = serde_json::to_string(&new_ticket("Texto")).unwrap();

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = post_raw(&app, &ana.token, content_type, json.clone()).await;
        assert_problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }
}

#[tokio::test]
async fn a_json_body_over_1_mb_returns_413() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        description: "a".repeat(1024 * 1024),
        ..new_ticket("Grande demais")
    };

    let response = app.post("/tickets", &ana.token, &ticket).await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(app.list_tickets(&ana.token, &[]).await.total, 0);
}

#[tokio::test]
async fn every_json_endpoint_refuses_a_body_over_1_mb_with_413() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app.create_ticket(&ana.token, &new_ticket("Corpo")).await.id;
    let big = "a".repeat(1024 * 1024);
    let ticket = format!("/tickets/{id}");
    let comments = format!("/tickets/{id}/comments");

    for (method, path, body) in [
        (
            Method::POST,
            "/auth/register",
            serde_json::json!({ "name": big }),
        ),
        (
            Method::POST,
            "/auth/login",
            serde_json::json!({ "email": big }),
        ),
        (
            Method::POST,
            "/categories",
            serde_json::json!({ "name": big }),
        ),
        (
            Method::POST,
            "/channels",
            serde_json::json!({ "name": big }),
        ),
        (
            Method::PATCH,
            ticket.as_str(),
            serde_json::json!({ "description": big }),
        ),
        (
            Method::POST,
            comments.as_str(),
            serde_json::json!({ "body": big }),
        ),
    ] {
        let response = send(app.authed(method.clone(), path, &ana.token).json(&body)).await;
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{method} {path}"
        );
        assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
    assert_eq!(app.ticket(&ana.token, id).await.comments.len(), 0);
}

#[tokio::test]
async fn a_method_a_route_does_not_answer_returns_405_with_allow() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Métodos"))
        .await
        .id;
    let ticket = format!("/tickets/{id}");

    for (method, path, allow) in [
        (Method::DELETE, "/tickets", "GET, POST"),
        (Method::PUT, ticket.as_str(), "GET, PATCH"),
        (Method::DELETE, ticket.as_str(), "GET, PATCH"),
        (Method::GET, "/auth/login", "POST"),
        (Method::PATCH, "/me", "GET"),
        (Method::POST, "/tickets/counts", "GET"),
    ] {
        let response = send(app.authed(method.clone(), path, &ana.token)).await;
        assert_eq!(
            header_str(&response, header::ALLOW),
            allow,
            "{method} {path}"
        );
        assert_problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}

#[tokio::test]
async fn an_unknown_api_route_returns_404_problem_json() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for path in [
        "/api/v1/nothing",
        "/api/v1/tickets/1/nothing",
        "/api/v2/tickets",
        "/api/x",
    ] {
        let response = send(app.client.get(app.url(path)).bearer_auth(&ana.token)).await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

/// The methods a path answers, as the OpenAPI document lists them (upper case).
fn documented_methods(item: &serde_json::Value) -> Vec<String> {
    let mut methods: Vec<String> = item
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
        .map(|k| k.to_uppercase())
        .collect();
    methods.sort();
    methods
}

fn allow_set(response: &reqwest::Response) -> Vec<String> {
    let mut methods: Vec<String> = header_str(response, header::ALLOW)
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    methods.sort();
    methods
}

#[tokio::test]
async fn every_route_answers_other_methods_with_405_and_its_allow_header() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Rotas"))
        .await
        .id
        .to_string();
    let spec: serde_json::Value = send(app.request(Method::GET, "/openapi.json"))
        .await
        .json()
        .await
        .unwrap();
    let mut routes: Vec<(String, Vec<String>)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| (path.replace("{id}", &id), documented_methods(item)))
        .collect();
    assert!(routes.len() >= 14, "the spec lists every route: {routes:?}");
    routes.push(("/api/v1/openapi.json".into(), vec!["GET".into()]));
    routes.push(("/assets/app.js".into(), vec!["GET".into(), "HEAD".into()]));

    for (path, allowed) in routes {
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            if allowed.iter().any(|m| m == method.as_str()) {
                continue;
            }
            let request = app
                .client
                .request(method.clone(), app.url(&path))
                .bearer_auth(&ana.token);
            let response = send(request).await;
            assert_eq!(allow_set(&response), allowed, "Allow of {method} {path}");
            assert_problem(
                response,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            )
            .await;
        }
    }
}
