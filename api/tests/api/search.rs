//! Free-text search (`q`) of `GET /tickets`: case- and accent-insensitive, by word prefix, over
//! the ticket's text and its comments, and by ticket number.

use reqwest::StatusCode;
use serde_json::json;
use shared::NewTicket;

use crate::helpers::{TestApp, assert_invalid_fields, json_body, new_ticket};

/// Ids of the tickets `q` finds, newest first.
async fn search(app: &TestApp, token: &str, q: &str) -> Vec<i64> {
    let page = app.list_tickets(token, &[("q", q)]).await;
    assert_eq!(page.total, page.items.len() as i64, "q={q}");
    page.items.into_iter().map(|t| t.id).collect()
}

fn from_customer(name: &str) -> NewTicket {
    NewTicket {
        customer_name: name.into(),
        ..new_ticket("Ingresso não chegou")
    }
}

#[tokio::test]
async fn search_ignores_accents_and_case_in_both_directions() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let accented = app
        .create_ticket(&ana.token, &from_customer("João Conceição"))
        .await
        .id;
    let plain = app
        .create_ticket(&ana.token, &from_customer("Joao Conceicao"))
        .await
        .id;
    app.create_ticket(&ana.token, &from_customer("Maria Silva"))
        .await;

    for q in ["joao", "João", "JOÃO", "JOAO", "conceição", "CONCEICAO"] {
        assert_eq!(
            search(&app, &ana.token, q).await,
            [plain, accented],
            "q={q}"
        );
    }
}

#[tokio::test]
async fn search_matches_words_by_prefix_and_requires_every_word() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let conceicao = app
        .create_ticket(&ana.token, &from_customer("Conceição Alves"))
        .await
        .id;
    let concerto = app
        .create_ticket(&ana.token, &new_ticket("Concerto adiado"))
        .await
        .id;

    assert_eq!(
        search(&app, &ana.token, "conc").await,
        [concerto, conceicao]
    );
    assert_eq!(search(&app, &ana.token, "conc alv").await, [conceicao]);
    assert_eq!(
        search(&app, &ana.token, "onceição").await,
        Vec::<i64>::new()
    );
}

#[tokio::test]
async fn search_looks_in_subject_customer_contact_and_description() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "Estorno pendente".into(),
        customer_name: "Beatriz Ramos".into(),
        customer_contact: "@bia_ramos".into(),
        description: "Compra feita pelo aplicativo Android.".into(),
        ..new_ticket("")
    };
    let id = app.create_ticket(&ana.token, &ticket).await.id;
    app.create_ticket(&ana.token, &new_ticket("Outro assunto"))
        .await;

    for q in ["estorno", "beatriz", "bia_ramos", "android"] {
        assert_eq!(search(&app, &ana.token, q).await, [id], "q={q}");
    }
}

#[tokio::test]
async fn search_finds_words_of_comments() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Pagamento"))
        .await
        .id;
    app.create_ticket(&ana.token, &new_ticket("Outro")).await;
    assert!(search(&app, &ana.token, "chargeback").await.is_empty());

    app.comment(&ana.token, id, "Banco abriu um chargeback.")
        .await;
    app.comment(&ana.token, id, "Cliente enviou o comprovante.")
        .await;

    assert_eq!(search(&app, &ana.token, "chargeback").await, [id]);
    assert_eq!(search(&app, &ana.token, "comprovante").await, [id]);
}

#[tokio::test]
async fn search_follows_edits_of_the_ticket_text() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Boleto vencido"))
        .await
        .id;
    app.comment(&ana.token, id, "Reemitido hoje.").await;

    app.update_ticket(&ana.token, id, &json!({ "subject": "Pix expirado" }))
        .await;

    assert!(search(&app, &ana.token, "boleto").await.is_empty());
    assert_eq!(search(&app, &ana.token, "pix").await, [id]);
    assert_eq!(search(&app, &ana.token, "reemitido").await, [id]);
}

#[tokio::test]
async fn search_finds_a_ticket_by_its_number() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut ids = Vec::new();
    for subject in ["Primeiro", "Segundo", "Terceiro"] {
        ids.push(app.create_ticket(&ana.token, &new_ticket(subject)).await.id);
    }
    let id = ids[1];

    assert_eq!(search(&app, &ana.token, &format!("#{id}")).await, [id]);
    assert_eq!(search(&app, &ana.token, &id.to_string()).await, [id]);
}

#[tokio::test]
async fn search_combines_with_filters() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let refund = NewTicket {
        category: "reembolso".into(),
        ..from_customer("João")
    };
    let refund_id = app.create_ticket(&ana.token, &refund).await.id;
    app.create_ticket(&ana.token, &from_customer("João")).await;

    let page = app
        .list_tickets(&ana.token, &[("q", "joao"), ("category", "reembolso")])
        .await;

    assert_eq!(
        page.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        [refund_id]
    );
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn search_treats_query_syntax_as_plain_text() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Subject NEAR the end"))
        .await
        .id;

    for q in [
        "\"",
        "*",
        "subject:near",
        "near(",
        "a OR b",
        "' OR 1=1 --",
        "NEAR end",
    ] {
        let response = app.get_query("/tickets", &ana.token, &[("q", q)]).await;
        let page: shared::TicketPage = json_body(response, StatusCode::OK).await;
        assert!(page.items.iter().all(|t| t.id == id), "q={q}");
    }
    assert_eq!(search(&app, &ana.token, "NEAR end").await, [id]);
}

#[tokio::test]
async fn search_returns_422_for_a_query_over_200_characters() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let q = "a".repeat(201);
    let response = app.get_query("/tickets", &ana.token, &[("q", &q)]).await;

    assert_invalid_fields(response, &["q"]).await;
}
