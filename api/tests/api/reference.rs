//! The reference lists tickets are classified by: `GET`/`POST /categories` and `/channels`.

use reqwest::StatusCode;
use serde_json::json;
use shared::{NewTicket, ReferenceItem};

use crate::helpers::{TestApp, assert_invalid_fields, assert_problem, json_body, new_ticket};

async fn slugs_and_names(app: &TestApp, token: &str, list: &str) -> Vec<(String, String)> {
    let items: Vec<ReferenceItem> = json_body(app.get(list, token).await, StatusCode::OK).await;
    items.into_iter().map(|i| (i.slug, i.name)).collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(slug, name)| ((*slug).to_owned(), (*name).to_owned()))
        .collect()
}

#[tokio::test]
async fn categories_are_seeded_and_listed_by_name() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let categories = slugs_and_names(&app, &ana.token, "/categories").await;

    assert_eq!(
        categories,
        pairs(&[
            ("acesso-ao-evento", "Acesso ao evento"),
            ("conta", "Conta"),
            ("ingressos", "Ingressos"),
            ("outros", "Outros"),
            ("pagamento", "Pagamento"),
            ("reembolso", "Reembolso"),
        ])
    );
}

#[tokio::test]
async fn channels_are_seeded_and_listed_by_name() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let channels = slugs_and_names(&app, &ana.token, "/channels").await;

    assert_eq!(
        channels,
        pairs(&[
            ("chat", "Chat"),
            ("e-mail", "E-mail"),
            ("redes-sociais", "Redes sociais"),
            ("telefone", "Telefone"),
            ("whatsapp", "WhatsApp"),
        ])
    );
}

#[tokio::test]
async fn admin_adds_a_category_with_a_derived_slug_that_tickets_can_use() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;

    let response = app
        .post(
            "/categories",
            &admin.token,
            &json!({ "name": "Meia-entrada Estudante" }),
        )
        .await;
    let created: ReferenceItem = json_body(response, StatusCode::CREATED).await;

    assert_eq!(created.slug, "meia-entrada-estudante");
    assert_eq!(created.name, "Meia-entrada Estudante");
    let listed = slugs_and_names(&app, &admin.token, "/categories").await;
    assert!(listed.contains(&(created.slug.clone(), created.name.clone())));
    let ticket = app
        .create_ticket(
            &admin.token,
            &NewTicket {
                category: created.slug,
                ..new_ticket("Carteirinha recusada")
            },
        )
        .await;
    assert_eq!(ticket.category, "meia-entrada-estudante");
}

#[tokio::test]
async fn admin_adds_a_channel_with_its_own_slug() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;

    let response = app
        .post(
            "/channels",
            &admin.token,
            &json!({ "name": "Instagram DM", "slug": "instagram" }),
        )
        .await;
    let created: ReferenceItem = json_body(response, StatusCode::CREATED).await;

    assert_eq!(
        (created.slug.as_str(), created.name.as_str()),
        ("instagram", "Instagram DM")
    );
    let listed = slugs_and_names(&app, &admin.token, "/channels").await;
    assert_eq!(listed.len(), 6);
}

#[tokio::test]
async fn agents_who_are_not_admins_get_403_when_adding_to_a_list() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana Admin").await;
    let agent = app.sign_up("Bruno").await;

    for list in ["/categories", "/channels"] {
        let response = app
            .post(list, &agent.token, &json!({ "name": "Novo" }))
            .await;
        assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let categories = slugs_and_names(&app, &agent.token, "/categories").await;
    assert_eq!(categories.len(), 6);
}

#[tokio::test]
async fn adding_an_existing_name_or_slug_returns_409() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;

    for (list, body) in [
        ("/categories", json!({ "name": "pagamento" })),
        (
            "/categories",
            json!({ "name": "Pagamentos", "slug": "pagamento" }),
        ),
        ("/channels", json!({ "name": "WHATSAPP" })),
    ] {
        let response = app.post(list, &admin.token, &body).await;
        assert_problem(response, StatusCode::CONFLICT, "already_exists").await;
    }
}

#[tokio::test]
async fn adding_an_entry_with_a_blank_name_or_bad_slug_returns_422() {
    let app = TestApp::spawn().await;
    let admin = app.sign_up("Ana").await;

    let blank = app
        .post("/categories", &admin.token, &json!({ "name": " " }))
        .await;
    let bad_slug = app
        .post(
            "/channels",
            &admin.token,
            &json!({ "name": "Fax", "slug": "Fax Machine" }),
        )
        .await;

    let blank = assert_problem(blank, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(blank.errors[0].field, "name");
    assert_invalid_fields(bad_slug, &["slug"]).await;
}
