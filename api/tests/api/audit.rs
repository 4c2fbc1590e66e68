//! The audit log: `GET /audit` (administrators), what it records and what it never holds.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;
use shared::{AuditAction, AuditEntry, AuditPage};

use crate::helpers::{PASSWORD, TestApp, assert_invalid_fields, assert_problem, json_body};

fn details(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn security_events_are_recorded_newest_first_with_actor_target_and_ip() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    app.login("bruno@groovoo.test", PASSWORD).await;
    app.login("bruno@groovoo.test", "wrong password").await;
    let token = app.create_api_token(&bruno.token, "CRM", "read").await;
    app.delete(&format!("/tokens/{}", token.token.id), &bruno.token)
        .await;
    let body = json!({ "current_password": PASSWORD, "new_password": "outra senha longa" });
    let fresh: shared::AuthResponse = json_body(
        app.post("/me/password", &bruno.token, &body).await,
        StatusCode::OK,
    )
    .await;
    app.post("/auth/logout", &fresh.token, &json!({})).await;
    app.patch_agent(&admin.token, bruno.id(), &json!({ "role": "admin" }))
        .await;
    app.patch_agent(&admin.token, bruno.id(), &json!({ "active": false }))
        .await;

    let entries = app.audit(&admin.token, 100).await;

    let bruno_target = Some(format!("agent:{}", bruno.id()));
    let token_target = Some(format!("token:{}", token.token.id));
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.action, e.actor.as_ref().map(|a| a.id), e.target.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                AuditAction::AgentDeactivated,
                Some(admin.id()),
                bruno_target.clone()
            ),
            (
                AuditAction::RoleChanged,
                Some(admin.id()),
                bruno_target.clone()
            ),
            (
                AuditAction::LoggedOut,
                Some(bruno.id()),
                bruno_target.clone()
            ),
            (
                AuditAction::PasswordChanged,
                Some(bruno.id()),
                bruno_target.clone()
            ),
            (
                AuditAction::TokenRevoked,
                Some(bruno.id()),
                token_target.clone()
            ),
            (AuditAction::TokenCreated, Some(bruno.id()), token_target),
            (AuditAction::LoginFailed, None, bruno_target.clone()),
            (
                AuditAction::LoginSucceeded,
                Some(bruno.id()),
                bruno_target.clone()
            ),
            (AuditAction::AgentRegistered, Some(bruno.id()), bruno_target),
            (
                AuditAction::AgentRegistered,
                Some(admin.id()),
                Some(format!("agent:{}", admin.id()))
            ),
        ]
    );
    let by_action = |action| entries.iter().find(|e| e.action == action).unwrap();
    assert_eq!(
        by_action(AuditAction::RoleChanged).details,
        details(&[("from", "agent"), ("to", "admin")])
    );
    assert_eq!(
        by_action(AuditAction::AgentDeactivated).details,
        details(&[("revoked_tokens", "0")])
    );
    assert_eq!(
        by_action(AuditAction::LoginFailed).details,
        details(&[("reason", "wrong_password")])
    );
    assert_eq!(
        by_action(AuditAction::TokenCreated).details,
        details(&[("name", "CRM"), ("scope", "read")])
    );
    assert!(entries.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].id > w[1].id && w[0].at >= w[1].at)
    );
}

#[tokio::test]
async fn actions_taken_with_an_api_token_name_the_token() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let api = app
        .create_api_token(&admin.token, "Onboarding", "read_write")
        .await;

    app.patch_agent(&api.secret, bruno.id(), &json!({ "role": "admin" }))
        .await;

    let entry = app.audit(&admin.token, 1).await.remove(0);
    assert_eq!(entry.action, AuditAction::RoleChanged);
    assert_eq!(entry.actor.map(|a| a.id), Some(admin.id()));
    assert_eq!(entry.details["via_token"], api.token.id.to_string());
}

#[tokio::test]
async fn the_audit_log_never_holds_passwords_or_secrets() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let typed_password = "S3nha-digitada-no-campo-errado";
    app.login(typed_password, PASSWORD).await;
    app.login("ana@groovoo.test", typed_password).await;
    let api = app.create_api_token(&admin.token, "CI", "read_write").await;
    app.delete(&format!("/tokens/{}", api.token.id), &admin.token)
        .await;
    let new_password = "a nova senha secreta";
    let body = json!({ "current_password": "chute errado 123", "new_password": new_password });
    app.post("/me/password", &admin.token, &body).await;
    let body = json!({ "current_password": PASSWORD, "new_password": new_password });
    let fresh: shared::AuthResponse = json_body(
        app.post("/me/password", &admin.token, &body).await,
        StatusCode::OK,
    )
    .await;

    let text = app
        .get_query("/audit", &fresh.token, &[("limit", "100")])
        .await
        .text()
        .await
        .unwrap();

    let page: AuditPage = serde_json::from_str(&text).unwrap();
    assert_eq!(page.items.len(), 7, "{text}");
    for secret in [
        PASSWORD,
        typed_password,
        new_password,
        "chute errado 123",
        api.secret.as_str(),
        api.token.prefix.as_str(),
        admin.token.as_str(),
        fresh.token.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
    }
    let unknown = page
        .items
        .iter()
        .find(|e| e.action == AuditAction::LoginFailed && e.target.is_none())
        .expect("the failed login of an unknown e-mail");
    assert_eq!(unknown.details, details(&[("reason", "unknown_email")]));
    assert!(
        page.items
            .iter()
            .any(|e| e.action == AuditAction::PasswordChangeFailed)
    );
}

#[tokio::test]
async fn the_audit_log_pages_with_a_cursor_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    for _ in 0..6 {
        app.login("ana@groovoo.test", PASSWORD).await;
    }
    let everything = app.audit(&admin.token, 100).await;
    assert_eq!(everything.len(), 7);

    let mut seen: Vec<AuditEntry> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "3".to_owned())];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.clone()));
        }
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page: AuditPage = json_body(
            app.get_query("/audit", &admin.token, &query).await,
            StatusCode::OK,
        )
        .await;
        assert!(page.items.len() <= 3);
        seen.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    assert_eq!(seen, everything);
}

#[tokio::test]
async fn the_audit_log_refuses_bad_cursors_and_limits_with_422() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    app.create_tickets(&admin.token, "T", 3).await;
    let ticket_cursor = app
        .list_tickets(&admin.token, &[("limit", "1")])
        .await
        .next_cursor
        .unwrap();

    for cursor in ["garbage", ticket_cursor.as_str()] {
        let response = app
            .get_query("/audit", &admin.token, &[("cursor", cursor)])
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_cursor").await;
    }
    let response = app
        .get_query("/audit", &admin.token, &[("limit", "0")])
        .await;
    assert_invalid_fields(response, &["limit"]).await;
}

#[tokio::test]
async fn agents_get_403_from_the_audit_log() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    assert_problem(
        app.get("/audit", &bruno.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
