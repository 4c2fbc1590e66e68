//! The public endpoints: `GET /healthz`, `GET /api/v1/openapi.json` and the interactive docs.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, header_str, json_body, send};

#[tokio::test]
async fn healthz_returns_200_when_the_database_answers() {
    let app = TestApp::spawn().await;

    let response = send(app.client.get(app.url("/healthz"))).await;
    let body: Value = json_body(response, StatusCode::OK).await;

    assert_eq!(body, json!({ "status": "ok" }));
}

#[tokio::test]
async fn openapi_json_describes_every_endpoint_without_a_login() {
    let app = TestApp::spawn().await;

    let response = send(app.client.get(app.url("/api/v1/openapi.json"))).await;
    let spec: Value = json_body(response, StatusCode::OK).await;

    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/api/v1/agents",
        "/api/v1/attachments/{id}",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/categories",
        "/api/v1/channels",
        "/api/v1/me",
        "/api/v1/tickets",
        "/api/v1/tickets/counts",
        "/api/v1/tickets/export",
        "/api/v1/tickets/{id}",
        "/api/v1/tickets/{id}/attachments",
        "/api/v1/tickets/{id}/comments",
        "/healthz",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
}

#[tokio::test]
async fn api_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;

    let redirect = send(app.client.get(app.url("/api/docs"))).await;
    assert!(redirect.status().is_redirection());
    assert_eq!(header_str(&redirect, header::LOCATION), "/api/docs/");

    let page = send(app.client.get(app.url("/api/docs/"))).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header_str(&page, header::CONTENT_TYPE).starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("swagger"));
}
