//! axe-core over the main pages (no serious or critical violation may remain), screenshots of
//! them for a human to look at, and the phone-width layout.

use serde_json::json;
use shared::TicketStatus::{Closed, Open, Waiting};

use crate::support::App;
use crate::support::axe::{self, Violation};

/// Runs axe on the current page and keeps its serious and critical findings.
async fn check(app: &App, page: &str, serious: &mut Vec<String>) {
    let found: Vec<Violation> = axe::violations(app, page).await;
    serious.extend(found.iter().filter(|v| v.is_serious()).map(|v| {
        let targets: Vec<String> = v.nodes.iter().map(|n| n.target.to_string()).collect();
        format!("{page}: {} ({}) at {}", v.id, v.help, targets.join(", "))
    }));
}

#[tokio::test]
async fn main_pages_have_no_serious_accessibility_violations() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    let bruno = app
        .api
        .register("Bruno Costa", "bruno@groovoo.example")
        .await;
    let seeded = app
        .api
        .tickets(
            &ana,
            &[
                (
                    Waiting,
                    "Reembolso do ingresso do show",
                    "João Gonçalves",
                    "reembolso",
                ),
                (
                    Open,
                    "Pagamento recusado no cartão",
                    "Maria Souza",
                    "pagamento",
                ),
                (Open, "Não consigo entrar na conta", "Pedro Alves", "conta"),
                (
                    Open,
                    "QR code não abre na portaria",
                    "Conceição Araújo",
                    "acesso-ao-evento",
                ),
                (Closed, "Dúvida sobre horário", "Rita Lopes", "outros"),
            ],
        )
        .await;
    let detailed = &seeded[0];
    app.api.attach_png(&ana, detailed, "comprovante.png").await;
    app.api
        .comment(&bruno, detailed, "Pedi o comprovante ao cliente.")
        .await;

    let mut serious = Vec::new();

    app.goto("/login").await;
    app.wait_for_text("h1", "Entrar").await;
    check(&app, "login", &mut serious).await;
    app.screenshot("login").await;

    app.goto("/signup").await;
    app.wait_for_text("h1", "Criar conta").await;
    check(&app, "signup", &mut serious).await;

    app.goto("/login").await;
    app.log_in("ana@groovoo.example").await;
    app.wait_for_text(".ticket-list", "Dúvida sobre horário")
        .await;
    app.wait_for_counters(3, 1, 1).await;
    check(&app, "dashboard", &mut serious).await;
    app.screenshot("dashboard").await;

    app.click(".main-nav a[href='/tickets/new']").await;
    app.wait_for_text("h1", "Novo ticket").await;
    app.choose("#category", "Reembolso").await;
    check(&app, "new ticket", &mut serious).await;
    app.screenshot("new-ticket").await;
    // The same form showing the API's field errors.
    app.click("form button[type=submit]").await;
    app.wait_for_text(".field-error", "Campo obrigatório.")
        .await;
    check(&app, "new ticket with errors", &mut serious).await;
    app.screenshot("new-ticket-errors").await;

    app.goto(&format!("/tickets/{}", detailed.id)).await;
    app.wait_for_text("h1", "Reembolso do ingresso do show")
        .await;
    app.wait_for_text(".history", "Aguardando").await;
    app.wait_for_thumbnail().await;
    check(&app, "ticket detail", &mut serious).await;
    app.screenshot("ticket-detail").await;

    app.click(".main-nav a[href='/admin']").await;
    app.wait_for_text("h2", "Categorias").await;
    app.wait_for_text(".ref-list", "Acesso ao evento").await;
    check(&app, "admin", &mut serious).await;
    app.screenshot("admin").await;

    // A 360 px phone: nothing may stick out sideways.
    app.browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 360, "height": 780, "deviceScaleFactor": 2, "mobile": true }),
        )
        .await;
    app.goto("/").await;
    app.wait_for_text(".ticket-list", "Dúvida sobre horário")
        .await;
    app.wait_for_counters(3, 1, 1).await;
    let widths = app
        .js(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await;
    assert_eq!(
        widths,
        json!([360, 360]),
        "[viewport, page] width at 360 px: the page must not scroll sideways"
    );
    check(&app, "dashboard at 360 px", &mut serious).await;
    app.screenshot("dashboard-360").await;
    app.goto(&format!("/tickets/{}", detailed.id)).await;
    app.wait_for_text("h1", "Reembolso do ingresso do show")
        .await;
    let wide = app
        .js(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await;
    assert_eq!(wide, json!(false), "the ticket page fits 360 px");
    app.screenshot("ticket-detail-360").await;

    assert!(
        serious.is_empty(),
        "serious or critical accessibility violations:\n{}",
        serious.join("\n")
    );
    app.finish().await;
}
