//! Signing up, logging out, logging in, and being sent to the login page (and back) when the
//! session is missing, expired or not accepted by the server.

use fantoccini::key::Key;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::app::SESSION_KEY;
use crate::support::seed::ticket;
use crate::support::{App, PASSWORD};

#[tokio::test]
async fn first_agent_signs_up_logs_out_and_logs_in_again() {
    let app = App::start().await;
    // The app is served under a strict policy, and every test fails on a violation of it
    // (`App::finish` reads the console).
    let page = reqwest::get(app.url("/"))
        .await
        .expect("the server answers");
    let policy = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval';")
            && policy.contains("style-src 'self';"),
        "{policy}"
    );

    // A newcomer opening the address is asked to log in, and can create the first account.
    app.goto("/").await;
    app.wait_for_path("/login?next=%2F").await;
    app.wait_for_text("h1", "Entrar").await;
    app.click(".switch-auth a").await;
    app.wait_for_path("/signup?next=%2F").await;
    app.wait_for_text("h1", "Criar conta").await;
    app.type_into("#name", "Ana Lima").await;
    app.type_into("#email", "ana@groovoo.example").await;
    app.type_into("#password", PASSWORD).await;
    app.click("form button[type=submit]").await;

    // Signed in, on the dashboard, as the administrator (the first account is one).
    app.wait_for_path("/").await;
    app.wait_for_text("h1", "Tickets").await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;
    app.wait_for_text(".main-nav", "Administração").await;
    assert_eq!(app.counter("all").await, 0);
    let token = app
        .session_token()
        .await
        .expect("the session is kept in localStorage");
    assert_eq!(app.api.status_of("/me", Some(&token)).await, StatusCode::OK);

    // Logging out drops the session and refuses the protected pages.
    app.click(".topbar-end button.ghost").await;
    app.until(
        "logging out to show the login page",
        "return location.pathname === '/login';",
        vec![],
    )
    .await;
    app.wait_for_text("h1", "Entrar").await;
    assert_eq!(app.local_storage(SESSION_KEY).await, None);
    app.goto("/").await;
    app.wait_for_path("/login?next=%2F").await;
    app.goto("/tickets/new").await;
    app.wait_for_path("/login?next=%2Ftickets%2Fnew").await;
    assert_eq!(app.local_storage(SESSION_KEY).await, None);
    // Without the token the API refuses too (revoking tokens on the server is a later issue).
    assert_eq!(
        app.api.status_of("/me", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api.status_of("/tickets", None).await,
        StatusCode::UNAUTHORIZED
    );

    // A wrong password is refused with a message; the right one lets her in again, and she
    // lands on the page she had asked for.
    app.type_into("#email", "ana@groovoo.example").await;
    app.type_into("#password", "not the password").await;
    app.click("form button[type=submit]").await;
    app.wait_for_text("[role=alert]", "E-mail ou senha incorretos.")
        .await;
    // Enter submits the form.
    app.retype("#password", &format!("{PASSWORD}{}", Key::Enter))
        .await;
    app.wait_for_path("/tickets/new").await;
    app.wait_for_text("h1", "Novo ticket").await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;

    app.finish().await;
}

#[tokio::test]
async fn rejected_or_expired_session_goes_to_login_and_back_to_the_wanted_page() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    let wanted = app
        .api
        .create_ticket(
            &ana,
            &ticket("Ingresso não chegou", "João Silva", "ingressos"),
        )
        .await;
    let wanted_path = format!("/tickets/{}", wanted.id);
    let next = format!("/login?next=%2Ftickets%2F{}", wanted.id);

    // A token the server does not accept (say, signed with a rotated secret), not yet expired
    // by the clock: the first API call answers 401 and the app asks for a new login.
    app.goto("/login").await;
    // The app reads the stored session once, when it starts: wait until it has (the login page
    // is up), or it would start with the planted session and spend it before the test looks.
    app.wait_for_text("h1", "Entrar").await;
    let session = json!({
        "token": "garbage.token.value",
        "expires_at": "2999-01-01T00:00:00Z",
        "agent": ana.agent,
    });
    app.set_local_storage(SESSION_KEY, &session.to_string())
        .await;
    app.goto(&wanted_path).await;
    app.wait_for_path(&next).await;
    app.wait_for_text(".notice", "Sua sessão expirou").await;
    assert_eq!(app.local_storage(SESSION_KEY).await, None);
    app.log_in("ana@groovoo.example").await;
    app.wait_for_path(&wanted_path).await;
    app.wait_for_text("h1", "Ingresso não chegou").await;

    // A session whose expiry has passed is not even tried.
    let expired = json!({
        "token": ana.token,
        "expires_at": "2001-01-01T00:00:00Z",
        "agent": ana.agent,
    });
    app.set_local_storage(SESSION_KEY, &expired.to_string())
        .await;
    app.goto(&format!("{wanted_path}?from=bookmark")).await;
    app.wait_for_path(&format!(
        "/login?next=%2Ftickets%2F{}%3Ffrom%3Dbookmark",
        wanted.id
    ))
    .await;
    app.log_in("ana@groovoo.example").await;
    app.wait_for_path(&format!("{wanted_path}?from=bookmark"))
        .await;
    app.wait_for_text("h1", "Ingresso não chegou").await;

    app.finish().await;
}
