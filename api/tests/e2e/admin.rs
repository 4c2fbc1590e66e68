//! The administration page: agents (deactivation, reactivation, roles, and never without an
//! administrator) and the audit log.

use reqwest::StatusCode;
use shared::TokenScope;

use crate::support::{App, PASSWORD};

const ANA: &str = "ana@groovoo.example";
const BRUNO: &str = "bruno@groovoo.example";
/// The rows of the agents table on the administration page.
const AGENT_ROWS: &str = "section[aria-labelledby=agents-title] tbody tr";
/// The rows of the audit log on the administration page.
const AUDIT_ROWS: &str = "section[aria-labelledby=audit-title] tbody tr";

#[tokio::test]
async fn admin_deactivates_reactivates_and_promotes_an_agent_but_keeps_an_admin() {
    let app = App::start().await;
    // The first account is the administrator.
    let ana = app.api.register("Ana Lima", ANA).await;
    let bruno = app.api.register("Bruno Costa", BRUNO).await;
    let bruno_token = app
        .api
        .create_token(&bruno, "Planilha do Bruno", TokenScope::Read)
        .await
        .secret;
    let (ana_role, bruno_role) = (
        format!("#role-{}", ana.agent.id),
        format!("#role-{}", bruno.agent.id),
    );

    // Bruno works in a browser of his own (another window, another origin).
    let ana_window = app.window().await;
    let bruno_window = app.open_other_origin_window("/login").await;
    app.log_in(BRUNO).await;
    app.wait_for_text(".topbar .who", "Bruno Costa").await;
    app.wait_for_no_text(".main-nav", "Administração").await;

    app.switch_to(&ana_window).await;
    app.log_in_at_dashboard(ANA).await;
    app.open_admin().await;
    app.wait_for_row(AGENT_ROWS, "Ana Lima", "(você)").await;
    app.wait_for_row(AGENT_ROWS, "Bruno Costa", "Ativo").await;
    app.wait_for_selected(&ana_role, "Administrador").await;
    app.wait_for_selected(&bruno_role, "Agente").await;

    // The only administrator cannot step down: the page says why and keeps her role.
    app.choose(&ana_role, "Agente").await;
    app.wait_for_text(
        "[role=alert]",
        "esta é a última conta de administrador ativa",
    )
    .await;
    app.wait_for_selected(&ana_role, "Administrador").await;
    app.wait_for_text(".main-nav", "Administração").await;

    // Deactivated (after a confirmation), Bruno's API token and browser session stop at once,
    // and he can no longer sign in.
    app.click("button[aria-label='Desativar Bruno Costa']")
        .await;
    app.confirm_dialog("Desativar Bruno Costa?").await;
    app.wait_for_row(AGENT_ROWS, "Bruno Costa", "Desativado")
        .await;
    assert_eq!(
        app.api.status_of("/tickets", Some(&bruno_token)).await,
        StatusCode::UNAUTHORIZED
    );
    app.switch_to(&bruno_window).await;
    app.reload().await;
    app.wait_for_text(".notice", "Sua sessão expirou").await;
    app.log_in_refused(BRUNO, PASSWORD).await;

    // Reactivated, he signs in again (his revoked token stays revoked).
    app.switch_to(&ana_window).await;
    app.click("button[aria-label='Reativar Bruno Costa']").await;
    app.wait_for_row(AGENT_ROWS, "Bruno Costa", "Ativo").await;
    app.switch_to(&bruno_window).await;
    app.log_in(BRUNO).await;
    app.wait_for_text(".topbar .who", "Bruno Costa").await;
    assert_eq!(
        app.api.status_of("/tickets", Some(&bruno_token)).await,
        StatusCode::UNAUTHORIZED
    );

    // Promoted, he gets the administration page; then Ana may step down, and loses it.
    app.switch_to(&ana_window).await;
    app.choose(&bruno_role, "Administrador").await;
    app.wait_for_row(AGENT_ROWS, "Bruno Costa", "Ativo").await;
    app.wait_for_selected(&bruno_role, "Administrador").await;
    app.switch_to(&bruno_window).await;
    app.reload().await;
    app.wait_for_text(".main-nav", "Administração").await;
    app.switch_to(&ana_window).await;
    app.choose(&ana_role, "Agente").await;
    app.wait_for_text(
        "[role=alert]",
        "Somente administradores podem ver esta página.",
    )
    .await;
    app.wait_for_no_text(".main-nav", "Administração").await;

    app.finish().await;
}

#[tokio::test]
async fn audit_log_lists_sign_ins_and_token_events_in_portuguese() {
    let app = App::start().await;
    app.api.register("Ana Lima", ANA).await;
    app.goto("/login").await;
    app.log_in_refused(ANA, "not the password").await;
    app.log_in(ANA).await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;
    app.open_account().await;
    app.create_token("Planilha de SLA", "Somente leitura").await;

    app.open_admin().await;
    app.wait_for_texts(
        &format!("{AUDIT_ROWS} td:nth-child(3)"),
        &["Token criado", "Login", "Login recusado", "Conta criada"],
    )
    .await;
    app.wait_for_row(AUDIT_ROWS, "Token criado", "Ana Lima")
        .await;
    app.wait_for_row(AUDIT_ROWS, "Token criado", "name: Planilha de SLA")
        .await;
    app.wait_for_row(AUDIT_ROWS, "Login recusado", "reason: wrong_password")
        .await;
    app.wait_for_row(AUDIT_ROWS, "Login recusado", "127.0.0.1")
        .await;
    app.screenshot("admin-audit").await;

    app.finish().await;
}

#[tokio::test]
async fn strangers_cannot_sign_up_and_the_admin_adds_an_agent_who_then_signs_in() {
    let app = App::start().await;
    app.api.register("Ana Lima", ANA).await;

    // Once an administrator exists, the sign-up page says to ask one for an account.
    app.goto("/signup").await;
    app.type_into("#name", "Eva Intrusa").await;
    app.type_into("#email", "eva@example.com").await;
    app.type_into("#password", PASSWORD).await;
    app.click("form button[type=submit]").await;
    app.wait_for_text("[role=alert]", "Peça uma conta a um administrador")
        .await;
    assert_eq!(
        app.api.login_status("eva@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // The administrator adds Bruno and stays signed in as herself.
    app.log_in_at_dashboard(ANA).await;
    app.open_admin().await;
    app.type_into("#new-agent-name", "Bruno Costa").await;
    app.type_into("#new-agent-email", BRUNO).await;
    app.type_into("#new-agent-password", PASSWORD).await;
    app.click("form[aria-labelledby=add-agent-title] button[type=submit]")
        .await;
    app.wait_for_text(".notice", "Bruno Costa foi adicionado(a) como agente.")
        .await;
    app.wait_for_row(AGENT_ROWS, "Bruno Costa", "Ativo").await;
    app.wait_for_text(".topbar .who", "Ana Lima").await;
    assert_eq!(app.api.login_status(BRUNO, PASSWORD).await, StatusCode::OK);

    app.finish().await;
}
