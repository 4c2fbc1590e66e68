//! A ticket's life: created through the form with an attachment, then worked on its page
//! (comment, one-click status change, reassignment) while the dashboard counters follow.

use serde_json::json;
use shared::TicketStatus::Open;

use crate::support::App;
use crate::support::app::PNG;

#[tokio::test]
async fn agent_creates_a_ticket_with_an_attachment_and_sees_its_thumbnail() {
    let app = App::start().await;
    app.api.register("Ana Lima", "ana@groovoo.example").await;
    let files = tempfile::tempdir().expect("a folder for the attachment");
    let png = files.path().join("comprovante.png");
    std::fs::write(&png, PNG).expect("the PNG is written");

    app.log_in_at_dashboard("ana@groovoo.example").await;
    app.click(".main-nav a[href='/tickets/new']").await;
    app.wait_for_path("/tickets/new").await;
    app.wait_for_text("h1", "Novo ticket").await;

    app.type_into("#customer_name", "João Pereira").await;
    app.type_into("#customer_contact", "+55 11 91234-5678")
        .await;
    app.choose("#channel", "WhatsApp").await;
    app.choose("#category", "Reembolso").await;
    app.type_into("#subject", "Reembolso do ingresso do show")
        .await;
    app.type_into(
        "#description",
        "O show foi cancelado e o cliente quer o dinheiro de volta.",
    )
    .await;
    app.choose("#priority", "Alta").await;
    // The file picker is a real <input type=file>: WebDriver hands it a path.
    let picker = app.find("#attachments").await;
    picker
        .send_keys(&png.display().to_string())
        .await
        .expect("the file input takes the PNG");
    app.wait_for_text(".file-list", "comprovante.png").await;
    app.click("form button[type=submit]").await;

    // The new ticket's page, with everything typed and the image as a thumbnail.
    app.until(
        "the new ticket's page",
        "return /^\\/tickets\\/\\d+$/.test(location.pathname);",
        vec![],
    )
    .await;
    app.wait_for_text("h1", "Reembolso do ingresso do show")
        .await;
    app.wait_for_text(".ticket", "João Pereira").await;
    app.wait_for_text(".ticket", "+55 11 91234-5678").await;
    app.wait_for_text(".ticket .badge", "Aberto").await;
    app.wait_for_text(".attachments", "comprovante.png").await;
    app.wait_for_thumbnail().await;

    // The dashboard lists it.
    app.click(".main-nav a[href='/']").await;
    app.wait_for_text(".ticket-list", "Reembolso do ingresso do show")
        .await;
    app.wait_for_counters(1, 0, 0).await;

    app.finish().await;
}

#[tokio::test]
async fn agent_comments_changes_status_and_reassigns_while_counters_follow() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    // A second agent, so the assignee drop-down has someone to hand the ticket to.
    app.api
        .register("Bruno Costa", "bruno@groovoo.example")
        .await;
    let seeded = app
        .api
        .tickets(
            &ana,
            &[
                (Open, "Cobrança em duplicidade", "Maria Souza", "pagamento"),
                (Open, "Troca de titularidade", "Pedro Alves", "ingressos"),
            ],
        )
        .await;
    let worked = &seeded[0];

    app.log_in_at_dashboard("ana@groovoo.example").await;
    app.wait_for_counters(2, 0, 0).await;
    app.click(&format!(
        ".ticket-card[data-ticket-id='{}'] .card-title a",
        worked.id
    ))
    .await;
    app.wait_for_path(&format!("/tickets/{}", worked.id)).await;
    app.wait_for_text("h1", "Cobrança em duplicidade").await;

    // A comment appears in the thread.
    app.type_into("#comment", "Estorno solicitado ao financeiro.")
        .await;
    app.click(".comments + form button[type=submit]").await;
    app.wait_for_text(".comments .comment", "Estorno solicitado ao financeiro.")
        .await;
    app.wait_for_text(".comments .comment", "Ana Lima").await;

    // One click changes the status.
    app.click(".status-choices button[data-status='waiting']")
        .await;
    app.wait_for_text(".ticket-side .badge", "Aguardando").await;
    app.wait_for_text(
        ".history",
        "Ana Lima mudou o status de Aberto para Aguardando",
    )
    .await;
    app.until(
        "the current status's button to be pressed",
        "return document.querySelector(\".status-choices button[data-status='waiting']\")
             ?.getAttribute('aria-pressed') === 'true';",
        vec![],
    )
    .await;

    // Handing it to Bruno.
    app.choose("#assignee", "Bruno Costa").await;
    app.wait_for_text(
        ".history",
        "Ana Lima mudou o responsável de Ana Lima para Bruno Costa",
    )
    .await;
    app.until(
        "the drop-down to show the new assignee",
        "const s = document.querySelector('#assignee');
         return s.options[s.selectedIndex]?.text === 'Bruno Costa';",
        vec![],
    )
    .await;

    // The dashboard counters moved, and the card shows the new assignee.
    app.click("a.back").await;
    app.wait_for_path("/").await;
    app.wait_for_counters(1, 1, 0).await;
    let card = format!(".ticket-card[data-ticket-id='{}']", worked.id);
    app.wait_for_text(&card, "Bruno Costa").await;
    app.wait_for_text(&card, "Aguardando").await;

    // Closing it from its page moves it again.
    app.click(&format!("{card} .card-title a")).await;
    app.click(".status-choices button[data-status='closed']")
        .await;
    app.wait_for_text(".ticket-side .badge", "Fechado").await;
    app.click("a.back").await;
    app.wait_for_counters(1, 0, 1).await;
    let pressed = app
        .js(
            "return document.querySelector(\".counter[data-status='closed']\").getAttribute('aria-pressed');",
            vec![],
        )
        .await;
    assert_eq!(pressed, json!("false"), "no status filter is on");

    app.finish().await;
}
