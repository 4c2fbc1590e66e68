//! API tokens: `POST /tokens`, `GET /tokens`, `DELETE /tokens/{id}`, and what a token is worth
//! as `Authorization: Bearer`.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use shared::{Agent, ApiToken, Role};

use crate::helpers::{
    TestApp, assert_invalid_fields, assert_problem, header_str, json_body, new_ticket,
};

#[tokio::test]
async fn create_token_returns_201_with_a_gsd_secret_shown_only_once() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let created = app
        .create_api_token(&ana.token, "Planilha de SLA", "read")
        .await;

    assert!(created.secret.starts_with("gsd_"), "{}", created.secret);
    assert!(created.secret.len() >= 4 + 43, "at least 256 bits");
    assert!(created.secret.starts_with(&created.token.prefix));
    assert_eq!(created.token.name, "Planilha de SLA");
    assert_eq!(created.token.agent, ana.agent_ref());
    assert_eq!(created.token.last_used_at, None);
    assert_eq!(created.token.expires_at, None);
    let listed = app.get("/tokens", &ana.token).await.text().await.unwrap();
    assert!(!listed.contains(&created.secret), "the list shows a secret");
    let tokens: Vec<ApiToken> = serde_json::from_str(&listed).unwrap();
    assert_eq!(tokens, [created.token]);
}

#[tokio::test]
async fn only_a_hash_of_the_secret_is_stored() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let created = app.create_api_token(&ana.token, "CI", "read").await;

    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes
                .windows(created.secret.len())
                .any(|w| w == created.secret.as_bytes());
            assert!(!found, "the secret is stored in {}", path.display());
        }
    }
}

#[tokio::test]
async fn an_api_token_is_accepted_as_bearer_like_a_login_token() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let token = app
        .create_api_token(&bruno.token, "CRM", "read_write")
        .await;

    let me: Agent = json_body(app.get("/me", &token.secret).await, StatusCode::OK).await;
    let ticket = app
        .create_ticket(&token.secret, &new_ticket("Via API"))
        .await;

    assert_eq!(me, bruno.agent);
    assert_eq!(ticket.created_by, bruno.agent_ref());
    let comment = app.comment(&token.secret, ticket.id, "Respondido").await;
    assert_eq!(comment.author, bruno.agent_ref());
}

#[tokio::test]
async fn a_read_token_reads_but_gets_403_insufficient_scope_on_writes() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Existing")).await;
    let read = app
        .create_api_token(&ana.token, "Painel", "read")
        .await
        .secret;

    assert_eq!(app.get("/tickets", &read).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/tickets/{}", ticket.id), &read)
            .await
            .status(),
        StatusCode::OK
    );
    let writes = [
        app.post("/tickets", &read, &new_ticket("Refused")).await,
        app.patch(
            &format!("/tickets/{}", ticket.id),
            &read,
            &json!({ "status": "closed" }),
        )
        .await,
        app.post(
            &format!("/tickets/{}/comments", ticket.id),
            &read,
            &json!({ "body": "x" }),
        )
        .await,
        app.post("/categories", &read, &json!({ "name": "Nova" }))
            .await,
    ];
    for response in writes {
        assert_eq!(
            header_str(&response, header::WWW_AUTHENTICATE),
            r#"Bearer error="insufficient_scope""#
        );
        assert_problem(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    }
    let unchanged = app.ticket(&ana.token, ticket.id).await;
    assert_eq!(unchanged.ticket.version, 1);
    assert_eq!(unchanged.comments.len(), 0);
}

#[tokio::test]
async fn api_tokens_cannot_manage_tokens_change_the_password_or_log_out() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let created = app.create_api_token(&ana.token, "CI", "read_write").await;
    let secret = &created.secret;

    let refused = [
        app.post("/tokens", secret, &json!({ "name": "x", "scope": "read" }))
            .await,
        app.get("/tokens", secret).await,
        app.delete(&format!("/tokens/{}", created.token.id), secret)
            .await,
        app.post(
            "/me/password",
            secret,
            &json!({ "current_password": crate::helpers::PASSWORD, "new_password": "x".repeat(12) }),
        )
        .await,
        app.post("/auth/logout", secret, &json!({})).await,
    ];

    for response in refused {
        assert_problem(response, StatusCode::FORBIDDEN, "session_required").await;
    }
    assert_eq!(app.get("/me", secret).await.status(), StatusCode::OK);
    assert_eq!(app.get("/me", &ana.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn using_a_token_sets_its_last_used_at() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let created = app.create_api_token(&ana.token, "CI", "read").await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);

    app.get("/tickets", &created.secret).await;
    app.get("/tickets", &created.secret).await;

    let tokens = app.list_api_tokens(&ana.token, &[]).await;
    let used = tokens[0].last_used_at.expect("a recorded use");
    assert!(used >= before && used <= chrono::Utc::now(), "{used}");
}

#[tokio::test]
async fn revoke_returns_204_and_the_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let keep = app.create_api_token(&ana.token, "Keep", "read").await;
    let gone = app.create_api_token(&ana.token, "Gone", "read").await;
    assert_eq!(app.get("/me", &gone.secret).await.status(), StatusCode::OK);

    let path = format!("/tokens/{}", gone.token.id);
    let response = app.delete(&path, &ana.token).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.assert_token_dead(&gone.secret).await;
    assert_eq!(app.get("/me", &keep.secret).await.status(), StatusCode::OK);
    let ids: Vec<i64> = app
        .list_api_tokens(&ana.token, &[])
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, [keep.token.id]);
    assert_problem(
        app.delete(&path, &ana.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn another_agents_token_is_a_404_and_keeps_working() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let carla = app.sign_up("Carla").await;
    let brunos = app.create_api_token(&bruno.token, "Bruno's", "read").await;

    let response = app
        .delete(&format!("/tokens/{}", brunos.token.id), &carla.token)
        .await;

    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    assert!(app.list_api_tokens(&carla.token, &[]).await.is_empty());
    assert_eq!(
        app.get("/me", &brunos.secret).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.delete("/tokens/9999", &carla.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn an_admin_lists_everyones_tokens_and_revokes_any() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let admins = app.create_api_token(&admin.token, "Admin's", "read").await;
    let brunos = app.create_api_token(&bruno.token, "Bruno's", "read").await;

    let all = app.list_api_tokens(&admin.token, &[("all", "true")]).await;
    let own = app.list_api_tokens(&admin.token, &[]).await;

    let owners: Vec<_> = all.iter().map(|t| (t.id, t.agent.id)).collect();
    assert_eq!(
        owners,
        [(brunos.token.id, bruno.id()), (admins.token.id, admin.id())],
        "newest first, each with its agent"
    );
    assert_eq!(own, [admins.token]);
    let empty = app.list_api_tokens(&admin.token, &[("all", "")]).await;
    assert_eq!(empty, own, "an empty `all` is absent: your own tokens");
    let response = app
        .delete(&format!("/tokens/{}", brunos.token.id), &admin.token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.assert_token_dead(&brunos.secret).await;
}

#[tokio::test]
async fn an_agent_asking_for_all_tokens_gets_403() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    let response = app
        .get_query("/tokens", &bruno.token, &[("all", "true")])
        .await;

    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let bad = app
        .get_query("/tokens", &bruno.token, &[("all", "sim")])
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_query").await;
}

#[tokio::test]
async fn create_token_returns_422_for_a_missing_name_an_unknown_scope_or_a_past_expiry() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();

    let blank = app
        .post(
            "/tokens",
            &ana.token,
            &json!({ "name": " ", "scope": "read" }),
        )
        .await;
    let long = app
        .post(
            "/tokens",
            &ana.token,
            &json!({ "name": "n".repeat(101), "scope": "read" }),
        )
        .await;
    let expired = app
        .post(
            "/tokens",
            &ana.token,
            &json!({ "name": "Old", "scope": "read", "expires_at": past }),
        )
        .await;
    let scope = app
        .post(
            "/tokens",
            &ana.token,
            &json!({ "name": "x", "scope": "admin" }),
        )
        .await;
    let extra = app
        .post(
            "/tokens",
            &ana.token,
            &json!({ "name": "x", "scope": "read", "secret": "gsd_mine" }),
        )
        .await;

    assert_invalid_fields(blank, &["name"]).await;
    assert_invalid_fields(long, &["name"]).await;
    assert_invalid_fields(expired, &["expires_at"]).await;
    assert_problem(scope, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert_problem(extra, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(app.list_api_tokens(&ana.token, &[]).await.is_empty());
}

#[tokio::test]
async fn a_token_with_an_expiry_works_until_then_and_then_returns_401_token_expired() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let expires_at = chrono::Utc::now() + chrono::Duration::days(30);
    let body = json!({ "name": "Temp", "scope": "read", "expires_at": expires_at });
    let created: shared::CreatedApiToken = json_body(
        app.post("/tokens", &ana.token, &body).await,
        StatusCode::CREATED,
    )
    .await;
    let stored = created.token.expires_at.expect("an expiry");
    assert!((stored - expires_at).num_seconds().abs() < 1);
    assert_eq!(
        app.get("/me", &created.secret).await.status(),
        StatusCode::OK
    );

    // Thirty days later.
    app.sql(&format!(
        "UPDATE api_tokens SET expires_at = '2000-01-01 00:00:00' WHERE id = {}",
        created.token.id
    ));

    assert_problem(
        app.get("/me", &created.secret).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;
}

#[tokio::test]
async fn unknown_and_malformed_api_tokens_return_401_invalid_token() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let real = app.create_api_token(&ana.token, "CI", "read").await.secret;
    let mut altered = real.clone();
    let last = if altered.ends_with('a') { "b" } else { "a" };
    altered.replace_range(altered.len() - 1.., last);

    for token in [altered, "gsd_".into(), format!("{real}x"), "gsd_!!!".into()] {
        app.assert_token_dead(&token).await;
    }
}

#[tokio::test]
async fn an_agent_holds_at_most_50_usable_tokens() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut first = None;
    for i in 0..50 {
        let created = app
            .create_api_token(&ana.token, &format!("t{i}"), "read")
            .await;
        first.get_or_insert(created.token.id);
    }

    let body = json!({ "name": "one too many", "scope": "read" });
    let refused = app.post("/tokens", &ana.token, &body).await;

    assert_problem(refused, StatusCode::CONFLICT, "too_many_tokens").await;
    let revoked = app
        .delete(&format!("/tokens/{}", first.unwrap()), &ana.token)
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let again = app.post("/tokens", &ana.token, &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_admins_read_token_cannot_administer() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let read = app
        .create_api_token(&admin.token, "Relatórios", "read")
        .await
        .secret;

    let patch = app
        .patch(
            &format!("/agents/{}", bruno.id()),
            &read,
            &json!({ "role": "admin" }),
        )
        .await;

    assert_problem(patch, StatusCode::FORBIDDEN, "insufficient_scope").await;
    let audit: Value = json_body(app.get("/audit", &read).await, StatusCode::OK).await;
    assert!(audit["items"].is_array());
    let agents: Vec<Agent> = json_body(app.get("/agents", &read).await, StatusCode::OK).await;
    assert!(
        agents
            .iter()
            .all(|a| a.id != bruno.id() || a.role == Role::Agent)
    );
}
