//! Registration and login: `POST /auth/register`, `POST /auth/login`, and what tokens are worth.

use api::config::Signup;
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use shared::{AuthResponse, Role};

use crate::helpers::{
    LOGIN_AUDIENCE, PASSWORD, TestApp, assert_invalid_fields, assert_problem, header_str,
    json_body, send, sign_token,
};

#[tokio::test]
async fn register_returns_201_with_a_working_bearer_token() {
    let app = TestApp::spawn().await;

    let response = app.register("Ana Lima", "ana@groovoo.test", PASSWORD).await;
    assert_eq!(header_str(&response, header::LOCATION), "/api/v1/me");
    let auth: AuthResponse = json_body(response, StatusCode::CREATED).await;

    assert_eq!(auth.token_type, "Bearer");
    assert!(auth.expires_at > chrono::Utc::now());
    assert_eq!(auth.agent.name, "Ana Lima");
    assert_eq!(auth.agent.email, "ana@groovoo.test");
    let me: shared::Agent = json_body(app.get("/me", &auth.token).await, StatusCode::OK).await;
    assert_eq!(me, auth.agent);
}

#[tokio::test]
async fn register_makes_the_first_account_admin_and_later_ones_agents() {
    let app = TestApp::spawn().await;

    let first = app.sign_up("Ana").await;
    let second = app.sign_up("Bruno").await;
    let third = app.sign_up("Carla").await;

    assert_eq!(first.agent.role, Role::Admin);
    assert_eq!(second.agent.role, Role::Agent);
    assert_eq!(third.agent.role, Role::Agent);
}

#[tokio::test]
async fn register_refuses_a_chosen_role_with_422() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;

    let body = json!({
        "name": "Mallory", "email": "mallory@groovoo.test", "password": PASSWORD, "role": "admin"
    });
    let response = send(app.request(Method::POST, "/auth/register").json(&body)).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let login = app.login("mallory@groovoo.test", PASSWORD).await;
    assert_problem(login, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn register_returns_409_email_taken_whatever_the_case() {
    let app = TestApp::spawn().await;
    app.register("Ana", "ana@groovoo.test", PASSWORD).await;

    let response = app
        .register("Outra Ana", "  ANA@Groovoo.Test ", PASSWORD)
        .await;

    assert_problem(response, StatusCode::CONFLICT, "email_taken").await;
}

#[tokio::test]
async fn register_returns_422_naming_each_invalid_field() {
    let app = TestApp::spawn().await;

    let response = app.register(" ", "not-an-email", "short").await;

    let problem = assert_invalid_fields(response, &["name", "email", "password"]).await;
    let codes: Vec<_> = problem.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["required", "invalid_email", "too_short"]);
}

#[tokio::test]
async fn register_refuses_passwords_shorter_than_8_or_longer_than_128_characters() {
    let app = TestApp::spawn().await;

    for (email, password) in [
        ("a@x.io", "1234567".to_owned()),
        ("b@x.io", "p".repeat(129)),
    ] {
        let response = app.register("Ana", email, &password).await;
        assert_invalid_fields(response, &["password"]).await;
    }
    for (email, password) in [
        ("c@x.io", "12345678".to_owned()),
        ("d@x.io", "p".repeat(128)),
    ] {
        let response = app.register("Ana", email, &password).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{} chars",
            password.len()
        );
    }
}

#[tokio::test]
async fn long_passwords_are_not_truncated_at_72_bytes() {
    let app = TestApp::spawn().await;
    let password = format!("{}-right", "x".repeat(94));
    assert_eq!(password.len(), 100);
    let response = app.register("Ana", "ana@groovoo.test", &password).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let same_first_72_bytes = format!("{}-wrong", "x".repeat(94));
    let wrong = app.login("ana@groovoo.test", &same_first_72_bytes).await;
    let right = app.login("ana@groovoo.test", &password).await;

    assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(right.status(), StatusCode::OK);
}

#[tokio::test]
async fn register_returns_403_signup_closed_when_signup_is_closed() {
    let app = TestApp::spawn_with(Signup::Closed).await;

    let response = app.register("Ana", "ana@groovoo.test", PASSWORD).await;

    assert_problem(response, StatusCode::FORBIDDEN, "signup_closed").await;
}

fn new_agent(name: &str) -> serde_json::Value {
    json!({ "name": name, "email": format!("{}@groovoo.test", name.to_lowercase()), "password": PASSWORD })
}

#[tokio::test]
async fn with_signup_admin_only_the_first_account_registers_itself_then_admins_create_accounts() {
    let app = TestApp::spawn_with(Signup::Admin).await;
    let ana = app.sign_up("Ana").await;
    assert_eq!(ana.agent.role, Role::Admin);

    let anonymous = app.register("Bruno", "bruno@groovoo.test", PASSWORD).await;
    assert_problem(anonymous, StatusCode::FORBIDDEN, "signup_closed").await;
    let by_admin = app
        .post("/auth/register", &ana.token, &new_agent("Bruno"))
        .await;
    let bruno: AuthResponse = json_body(by_admin, StatusCode::CREATED).await;
    assert_eq!(bruno.agent.role, Role::Agent);
    let signed_in = app.login("bruno@groovoo.test", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK, "the new agent signs in");

    let by_agent = app
        .post("/auth/register", &bruno.token, &new_agent("Carla"))
        .await;
    assert_problem(by_agent, StatusCode::FORBIDDEN, "signup_closed").await;
    let api_token = app.create_api_token(&ana.token, "CRM", "read_write").await;
    let by_integration = app
        .post("/auth/register", &api_token.secret, &new_agent("Carla"))
        .await;
    assert_problem(by_integration, StatusCode::FORBIDDEN, "session_required").await;
    let forged = app
        .post("/auth/register", "not-a-token", &new_agent("Carla"))
        .await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let carla = app.login("carla@groovoo.test", PASSWORD).await;
    assert_problem(carla, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn an_account_an_admin_creates_is_audited_as_the_admins_act() {
    let app = TestApp::spawn_with(Signup::Admin).await;
    let ana = app.sign_up("Ana").await;

    let created = app
        .post("/auth/register", &ana.token, &new_agent("Bruno"))
        .await;
    let bruno: AuthResponse = json_body(created, StatusCode::CREATED).await;

    let entry = app.audit(&ana.token, 1).await.remove(0);
    assert_eq!(entry.action, shared::AuditAction::AgentRegistered);
    assert_eq!(entry.actor.map(|a| a.id), Some(ana.id()));
    assert_eq!(entry.target, Some(format!("agent:{}", bruno.agent.id)));
}

#[tokio::test]
async fn login_returns_200_with_a_fresh_token_for_the_agent() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let response = app.login(" ANA@groovoo.test", PASSWORD).await;
    let auth: AuthResponse = json_body(response, StatusCode::OK).await;

    assert_eq!(auth.agent, ana.agent);
    assert_eq!(auth.token_type, "Bearer");
    assert_eq!(app.get("/me", &auth.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn login_answers_unknown_email_and_wrong_password_with_the_same_401() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;

    let unknown = app.login("nobody@groovoo.test", PASSWORD).await;
    let wrong = app.login("ana@groovoo.test", "wrong password").await;

    let content_types = [
        header_str(&unknown, header::CONTENT_TYPE),
        header_str(&wrong, header::CONTENT_TYPE),
    ];
    assert_eq!(content_types[0], content_types[1]);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.text().await.unwrap(),
        wrong.text().await.unwrap(),
        "the bodies must not tell which one was wrong"
    );
}

#[tokio::test]
async fn login_returns_422_for_an_empty_email_or_password() {
    let app = TestApp::spawn().await;

    let response = app.login("", "").await;

    assert_invalid_fields(response, &["email", "password"]).await;
}

#[tokio::test]
async fn a_token_signed_with_the_server_secret_is_accepted_until_it_expires() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let valid = sign_token(ana.id(), LOGIN_AUDIENCE, 600);
    let expired = sign_token(ana.id(), LOGIN_AUDIENCE, -600);

    assert_eq!(app.get("/me", &valid).await.status(), StatusCode::OK);
    assert_problem(
        app.get("/me", &expired).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;
}

#[tokio::test]
async fn a_token_for_an_unknown_agent_or_signed_with_another_secret_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let other_secret = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({
            "sub": ana.id().to_string(), "iss": "groovoo-service-desk", "aud": LOGIN_AUDIENCE,
            "iat": 0, "exp": chrono::Utc::now().timestamp() + 600, "tv": 0
        }),
        &jsonwebtoken::EncodingKey::from_secret(&[1; 32]).unwrap(),
    )
    .unwrap();

    for token in [sign_token(999, LOGIN_AUDIENCE, 600), other_secret] {
        assert_problem(
            app.get("/me", &token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        )
        .await;
    }
}
