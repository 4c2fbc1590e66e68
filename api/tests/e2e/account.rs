//! "Minha conta": changing the password, and API tokens from their creation on the page to their
//! use (and refusal) by a plain HTTP client.

use reqwest::StatusCode;

use crate::support::seed::ticket;
use crate::support::{App, PASSWORD};

const EMAIL: &str = "ana@groovoo.example";
const NEW_PASSWORD: &str = "a brand new passphrase";
/// The rows of the token list on the account page.
const TOKEN_ROWS: &str = ".data-table tbody tr";

#[tokio::test]
async fn password_change_needs_the_current_password_and_signs_out_other_sessions() {
    let app = App::start().await;
    // Her phone: a login of its own (registering signs in).
    let phone = app.api.register("Ana Lima", EMAIL).await;
    app.log_in_at_dashboard(EMAIL).await;
    app.open_account().await;
    let submit = "form:has(#current-password) button[type=submit]";

    // A wrong current password is refused in words; she stays signed in and nothing changes.
    app.type_into("#current-password", "not the password").await;
    app.type_into("#new-password", NEW_PASSWORD).await;
    app.click(submit).await;
    app.wait_for_text("[role=alert]", "A senha atual está incorreta.")
        .await;
    app.wait_for_path("/account").await;
    assert_eq!(app.api.login_status(EMAIL, PASSWORD).await, StatusCode::OK);

    // The right one changes it, and the form empties.
    app.retype("#current-password", PASSWORD).await;
    app.click(submit).await;
    app.wait_for_text(".notice", "Senha alterada.").await;
    app.until(
        "the password fields to empty",
        "return document.querySelector('#current-password').value === ''
             && document.querySelector('#new-password').value === '';",
        vec![],
    )
    .await;

    // This browser carries on signed in, across a reload; the phone is signed out.
    app.reload().await;
    app.wait_for_text("h1", "Minha conta").await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;
    let token = app.session_token().await.expect("still signed in");
    assert_eq!(app.api.status_of("/me", Some(&token)).await, StatusCode::OK);
    assert_eq!(
        app.api.status_of("/me", Some(&phone.token)).await,
        StatusCode::UNAUTHORIZED
    );

    // The old password no longer signs in; the new one does.
    app.click(".topbar-end button.ghost").await;
    app.wait_for_text("h1", "Entrar").await;
    app.log_in_refused(EMAIL, PASSWORD).await;
    app.log_in_with(EMAIL, NEW_PASSWORD).await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;
    assert_eq!(
        app.api.login_status(EMAIL, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    app.finish().await;
}

#[tokio::test]
async fn api_token_is_shown_once_works_within_its_scope_and_stops_when_revoked() {
    let app = App::start().await;
    app.api.register("Ana Lima", EMAIL).await;
    app.log_in_at_dashboard(EMAIL).await;
    app.open_account().await;
    app.wait_for_text(".card", "Nenhum token.").await;

    let read = app.create_token("Planilha de SLA", "Somente leitura").await;
    app.wait_for_text(".secret-box", "ele não será mostrado de novo")
        .await;
    let write = app
        .create_token("Integração do CRM", "Leitura e escrita")
        .await;
    assert!(read.starts_with("gsd_") && write.starts_with("gsd_") && read != write);

    // Any HTTP client can use them as bearer tokens: both read, only the second writes.
    let new = ticket("Pedido vindo do CRM", "João Silva", "ingressos");
    assert_eq!(
        app.api.status_of("/tickets", Some(&read)).await,
        StatusCode::OK
    );
    assert_eq!(
        app.api.post_status_of("/tickets", Some(&read), &new).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api.post_status_of("/tickets", Some(&write), &new).await,
        StatusCode::CREATED
    );

    // After a reload the list shows the tokens (now used), never their secrets.
    app.reload().await;
    app.wait_for_row(TOKEN_ROWS, "Planilha de SLA", "Somente leitura")
        .await;
    app.wait_for_row(TOKEN_ROWS, "Integração do CRM", "Leitura e escrita")
        .await;
    app.wait_for_no_text(TOKEN_ROWS, "Nunca usado").await;
    let page = app
        .js(
            "return document.querySelector('#new-token-secret') === null
                 ? document.documentElement.outerHTML + document.body.innerText : null;",
            vec![],
        )
        .await;
    let page = page.as_str().expect("no secret field after a reload");
    assert!(!page.contains(&read) && !page.contains(&write), "{page}");

    // Revoked on the page (after a confirmation), the token stops working at once.
    app.click("button[aria-label='Revogar Planilha de SLA']")
        .await;
    app.confirm_dialog("Revogar o token “Planilha de SLA”?")
        .await;
    app.wait_for_no_text(TOKEN_ROWS, "Planilha de SLA").await;
    assert_eq!(
        app.api.status_of("/tickets", Some(&read)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api.status_of("/tickets", Some(&write)).await,
        StatusCode::OK
    );
    app.reload().await;
    app.wait_for_row(TOKEN_ROWS, "Integração do CRM", "Leitura e escrita")
        .await;
    app.wait_for_no_text(TOKEN_ROWS, "Planilha de SLA").await;

    app.finish().await;
}
