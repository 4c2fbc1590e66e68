//! Finding tickets on the dashboard: the search box (accent-insensitive), the category
//! drop-down and the status counters, all kept in the URL so a reload shows the same view.

use serde_json::json;
use shared::TicketStatus::{Closed, Open, Waiting};

use crate::support::App;

const CARD_TITLES: &str = ".ticket-list .ticket-card .card-title";

#[tokio::test]
async fn search_finds_an_accented_customer_typed_with_or_without_accents() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    app.api
        .tickets(
            &ana,
            &[
                (Open, "Ingresso não chegou", "João Gonçalves", "ingressos"),
                (Open, "Pagamento recusado", "Maria Souza", "pagamento"),
                (Open, "Senha esquecida", "Pedro Alves", "conta"),
            ],
        )
        .await;

    app.log_in_at_dashboard("ana@groovoo.example").await;
    app.wait_for_texts(
        CARD_TITLES,
        &[
            "Senha esquecida",
            "Pagamento recusado",
            "Ingresso não chegou",
        ],
    )
    .await;

    // Without accents, as typed on a phone keyboard in a hurry.
    app.type_into("#search", "joao").await;
    app.wait_for_path("/?q=joao").await;
    app.wait_for_texts(CARD_TITLES, &["Ingresso não chegou"])
        .await;
    app.wait_for_text(".ticket-list .card-customer", "João Gonçalves")
        .await;

    // With accents, and another word of the name.
    app.retype("#search", "Gonçalves").await;
    app.wait_for_path("/?q=Gon%C3%A7alves").await;
    app.wait_for_texts(CARD_TITLES, &["Ingresso não chegou"])
        .await;
    app.retype("#search", "JOÃO").await;
    app.wait_for_path("/?q=JO%C3%83O").await;
    app.wait_for_texts(CARD_TITLES, &["Ingresso não chegou"])
        .await;

    // The search survives a reload, and the box still shows it.
    app.reload().await;
    app.wait_for_texts(CARD_TITLES, &["Ingresso não chegou"])
        .await;
    let typed = app
        .js("return document.querySelector('#search').value;", vec![])
        .await;
    assert_eq!(typed, json!("JOÃO"));

    // `/` jumps to the search box from anywhere on the page.
    app.js("document.activeElement.blur();", vec![]).await;
    app.find("body")
        .await
        .send_keys("/")
        .await
        .expect("the page takes keys");
    app.until(
        "`/` to focus the search box",
        "return document.activeElement?.id === 'search';",
        vec![],
    )
    .await;

    app.finish().await;
}

#[tokio::test]
async fn category_and_status_filters_live_in_the_url_and_survive_a_reload() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    let seeded = app
        .api
        .tickets(
            &ana,
            &[
                (Open, "Reembolso pendente", "Carla Dias", "reembolso"),
                (Closed, "Reembolso concluído", "Davi Rocha", "reembolso"),
                (Waiting, "Boleto vencido", "Elisa Melo", "pagamento"),
                (Open, "Boleto duplicado", "Fábio Nunes", "pagamento"),
            ],
        )
        .await;

    app.log_in_at_dashboard("ana@groovoo.example").await;
    app.wait_for_counters(2, 1, 1).await;
    assert_eq!(app.counter("all").await, 4);

    // The category drop-down narrows the list, and the counters count within it.
    app.choose("#category-filter", "Reembolso").await;
    app.wait_for_path("/?category=reembolso").await;
    app.wait_for_texts(CARD_TITLES, &["Reembolso concluído", "Reembolso pendente"])
        .await;
    app.wait_for_counters(1, 0, 1).await;

    // A counter is a button that filters by its status.
    app.click(".counter[data-status='open']").await;
    app.wait_for_path("/?status=open&category=reembolso").await;
    app.wait_for_texts(CARD_TITLES, &["Reembolso pendente"])
        .await;
    let pressed = app
        .js(
            "return [...document.querySelectorAll('.counter')]
                 .filter(b => b.getAttribute('aria-pressed') === 'true')
                 .map(b => b.dataset.status);",
            vec![],
        )
        .await;
    assert_eq!(pressed, json!(["open"]));

    // Reloading (or opening the link elsewhere) shows the same view.
    app.reload().await;
    app.wait_for_texts(CARD_TITLES, &["Reembolso pendente"])
        .await;
    app.wait_for_path("/?status=open&category=reembolso").await;
    let view = app
        .until(
            "the filters to be restored from the URL",
            "const select = document.querySelector('#category-filter');
             const open = document.querySelector(\".counter[data-status='open']\");
             return select.value === 'reembolso' && open.getAttribute('aria-pressed') === 'true'
                 ? select.options[select.selectedIndex].text : null;",
            vec![],
        )
        .await;
    assert_eq!(view, json!("Reembolso"));
    let card = format!(".ticket-card[data-ticket-id='{}']", seeded[0].id);
    app.find(&card).await;

    // Another status and another category.
    app.click(".counter[data-status='waiting']").await;
    app.wait_for_path("/?status=waiting&category=reembolso")
        .await;
    app.wait_for_text(".empty", "Nenhum ticket encontrado.")
        .await;
    app.choose("#category-filter", "Pagamento").await;
    app.wait_for_path("/?status=waiting&category=pagamento")
        .await;
    app.wait_for_texts(CARD_TITLES, &["Boleto vencido"]).await;

    // "All" drops the status filter, and "clear filters" everything.
    app.click(".counter[data-status='all']").await;
    app.wait_for_path("/?category=pagamento").await;
    app.wait_for_texts(CARD_TITLES, &["Boleto duplicado", "Boleto vencido"])
        .await;
    app.click(".filters button.ghost").await;
    app.wait_for_path("/").await;
    app.wait_for_texts(
        CARD_TITLES,
        &[
            "Boleto duplicado",
            "Boleto vencido",
            "Reembolso concluído",
            "Reembolso pendente",
        ],
    )
    .await;

    app.finish().await;
}
