//! Ending sessions: `POST /auth/logout` and `POST /me/password` invalidate the agent's login
//! tokens at once.

use reqwest::StatusCode;
use serde_json::json;
use shared::AuthResponse;

use crate::helpers::{
    PASSWORD, TestAgent, TestApp, assert_invalid_fields, assert_problem, json_body,
};

const NEW_PASSWORD: &str = "uma senha nova e comprida";

/// Ana signed up (her first session), signed in again elsewhere (the second), and holds a `read`
/// API token.
async fn signed_in_twice_with_an_api_token() -> (TestApp, TestAgent, AuthResponse, String) {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let other_device: AuthResponse = json_body(
        app.login("ana@groovoo.test", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let api = app.create_api_token(&ana.token, "CI", "read").await.secret;
    (app, ana, other_device, api)
}

#[tokio::test]
async fn logout_returns_204_and_every_login_token_of_the_agent_stops_working() {
    let (app, ana, other_device, api) = signed_in_twice_with_an_api_token().await;

    let response = app.post("/auth/logout", &ana.token, &json!({})).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for token in [&ana.token, &other_device.token] {
        app.assert_token_dead(token).await;
    }
    assert_eq!(
        app.get("/me", &api).await.status(),
        StatusCode::OK,
        "API tokens are not sessions"
    );
    let again: AuthResponse = json_body(
        app.login("ana@groovoo.test", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.get("/me", &again.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_only_signs_out_that_agent() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    app.post("/auth/logout", &ana.token, &json!({})).await;

    assert_eq!(app.get("/me", &bruno.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn change_password_returns_a_fresh_token_and_signs_out_other_sessions() {
    let (app, ana, other_device, api) = signed_in_twice_with_an_api_token().await;

    let body = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD });
    let fresh: AuthResponse = json_body(
        app.post("/me/password", &ana.token, &body).await,
        StatusCode::OK,
    )
    .await;

    assert_eq!(fresh.agent, ana.agent);
    assert_eq!(app.get("/me", &fresh.token).await.status(), StatusCode::OK);
    for token in [&ana.token, &other_device.token] {
        app.assert_token_dead(token).await;
    }
    assert_eq!(app.get("/me", &api).await.status(), StatusCode::OK);
    assert_problem(
        app.login("ana@groovoo.test", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        app.login("ana@groovoo.test", NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn change_password_with_a_wrong_current_password_returns_403_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let body = json!({ "current_password": "not my password", "new_password": NEW_PASSWORD });
    let response = app.post("/me/password", &ana.token, &body).await;

    assert_problem(response, StatusCode::FORBIDDEN, "wrong_password").await;
    assert_eq!(app.get("/me", &ana.token).await.status(), StatusCode::OK);
    assert_eq!(
        app.login("ana@groovoo.test", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.login("ana@groovoo.test", NEW_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn change_password_applies_the_registration_rules_to_the_new_password() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let short = json!({ "current_password": PASSWORD, "new_password": "1234567" });
    let long = json!({ "current_password": PASSWORD, "new_password": "p".repeat(129) });
    let empty = json!({ "current_password": "", "new_password": NEW_PASSWORD });
    let extra = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD, "id": 1 });

    assert_invalid_fields(
        app.post("/me/password", &ana.token, &short).await,
        &["new_password"],
    )
    .await;
    assert_invalid_fields(
        app.post("/me/password", &ana.token, &long).await,
        &["new_password"],
    )
    .await;
    assert_invalid_fields(
        app.post("/me/password", &ana.token, &empty).await,
        &["current_password"],
    )
    .await;
    assert_problem(
        app.post("/me/password", &ana.token, &extra).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert_eq!(app.get("/me", &ana.token).await.status(), StatusCode::OK);
}
