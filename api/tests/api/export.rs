//! `GET /tickets/export`: the open tickets as CSV (for Excel) or as a Markdown table.

use chrono::{Duration, Utc};
use reqwest::{Response, StatusCode, header};
use serde_json::json;
use shared::NewTicket;

use crate::helpers::{TestAgent, TestApp, assert_invalid_fields, header_str, new_ticket};

const HEADER: &str = "id,subject,status,priority,category,channel,customer_name,\
                      customer_contact,assignee,created_by,created_at,updated_at,description";

async fn export(app: &TestApp, agent: &TestAgent, query: &[(&str, &str)]) -> Response {
    app.get_query("/tickets/export", &agent.token, query).await
}

/// The body of a successful export, after checking its status and media type.
async fn export_body(app: &TestApp, agent: &TestAgent, query: &[(&str, &str)]) -> String {
    let response = export(app, agent, query).await;
    assert_eq!(response.status(), StatusCode::OK);
    let markdown = query.contains(&("format", "md"));
    let media_type = if markdown {
        "text/markdown; charset=utf-8"
    } else {
        "text/csv; charset=utf-8"
    };
    assert_eq!(header_str(&response, header::CONTENT_TYPE), media_type);
    response.text().await.unwrap()
}

/// The records of a CSV export (BOM removed), header row included.
fn records(body: &str, delimiter: u8) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The column named `name` of every data row.
fn column(records: &[Vec<String>], name: &str) -> Vec<String> {
    let index = records[0]
        .iter()
        .position(|h| h == name)
        .expect("a known column");
    records[1..].iter().map(|r| r[index].clone()).collect()
}

#[tokio::test]
async fn export_csv_has_a_bom_crlf_lines_a_header_and_only_open_tickets() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let tickets = app.create_tickets(&ana.token, "Ticket", 4).await;
    app.update_ticket(&ana.token, tickets[1].id, &json!({ "status": "waiting" }))
        .await;
    app.update_ticket(&ana.token, tickets[2].id, &json!({ "status": "closed" }))
        .await;

    let body = export_body(&app, &ana, &[("format", "csv")]).await;

    assert!(
        body.starts_with(&format!("\u{feff}{HEADER}\r\n")),
        "{body:?}"
    );
    assert!(body.ends_with("\r\n"));
    assert!(
        !body.replace("\r\n", "").contains('\n'),
        "bare LF in {body:?}"
    );
    let records = records(&body, b',');
    let ids = [tickets[3].id, tickets[0].id].map(|id| id.to_string());
    assert_eq!(column(&records, "id"), ids);
    assert_eq!(column(&records, "status"), ["open", "open"]);
    assert_eq!(column(&records, "category"), ["Pagamento", "Pagamento"]);
    assert_eq!(column(&records, "assignee"), ["Ana", "Ana"]);
}

#[tokio::test]
async fn export_is_csv_by_default_and_names_the_file_after_todays_date() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    // The file is dated in Brazil (UTC-3); taken before and after in case midnight passes.
    let brazil_date = || {
        (Utc::now() - Duration::hours(3))
            .format("%Y-%m-%d")
            .to_string()
    };

    let before = brazil_date();
    let csv = export(&app, &ana, &[]).await;
    let md = export(&app, &ana, &[("format", "md")]).await;
    let after = brazil_date();

    for (response, extension) in [(csv, "csv"), (md, "md")] {
        let disposition = header_str(&response, header::CONTENT_DISPOSITION);
        let expected = [&before, &after]
            .map(|d| format!("attachment; filename=\"tickets-abertos-{d}.{extension}\""));
        assert!(expected.contains(&disposition), "{disposition}");
    }
}

#[tokio::test]
async fn export_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "=cmd|' /C calc'!A0".into(),
        customer_name: "@SUM(A1:A9)".into(),
        customer_contact: "+55 11 99999-0000".into(),
        description: "-1+1\nsegunda linha".into(),
        ..new_ticket("")
    };
    app.create_ticket(&ana.token, &ticket).await;

    let body = export_body(&app, &ana, &[("format", "csv")]).await;

    let records = records(&body, b',');
    assert_eq!(column(&records, "subject"), ["'=cmd|' /C calc'!A0"]);
    assert_eq!(column(&records, "customer_name"), ["'@SUM(A1:A9)"]);
    assert_eq!(column(&records, "customer_contact"), ["'+55 11 99999-0000"]);
    assert_eq!(column(&records, "description"), ["'-1+1\nsegunda linha"]);
}

#[tokio::test]
async fn export_csv_quotes_commas_quotes_and_line_breaks_per_rfc_4180() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "Ingresso, meia".into(),
        customer_name: "Ana \"Aninha\" Paula".into(),
        description: "Linha 1\nLinha 2".into(),
        ..new_ticket("")
    };
    app.create_ticket(&ana.token, &ticket).await;

    let body = export_body(&app, &ana, &[]).await;

    assert!(body.contains(",\"Ingresso, meia\","), "{body}");
    assert!(body.contains(",\"Ana \"\"Aninha\"\" Paula\","), "{body}");
    assert!(body.contains(",\"Linha 1\nLinha 2\"\r\n"), "{body}");
    let records = records(&body, b',');
    assert_eq!(column(&records, "subject"), ["Ingresso, meia"]);
    assert_eq!(column(&records, "customer_name"), ["Ana \"Aninha\" Paula"]);
    assert_eq!(column(&records, "description"), ["Linha 1\nLinha 2"]);
}

#[tokio::test]
async fn export_csv_can_use_semicolons_for_brazilian_excel() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "Valor R$ 10,50; cobrado duas vezes".into(),
        ..new_ticket("")
    };
    app.create_ticket(&ana.token, &ticket).await;

    let body = export_body(&app, &ana, &[("delimiter", "semicolon")]).await;

    assert!(body.starts_with(&format!("\u{feff}{}\r\n", HEADER.replace(',', ";"))));
    assert!(
        body.contains(";\"Valor R$ 10,50; cobrado duas vezes\";"),
        "{body}"
    );
    let records = records(&body, b';');
    assert_eq!(records[0].len(), 13);
    assert_eq!(
        column(&records, "subject"),
        ["Valor R$ 10,50; cobrado duas vezes"]
    );
}

#[tokio::test]
async fn export_markdown_is_a_table_whose_cells_escape_pipes_and_line_breaks() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = NewTicket {
        subject: "Setor A | Setor B".into(),
        description: "Linha 1\nLinha 2\r\nLinha 3".into(),
        ..new_ticket("")
    };
    let id = app.create_ticket(&ana.token, &ticket).await.id;

    let body = export_body(&app, &ana, &[("format", "md")]).await;

    let lines: Vec<_> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert_eq!(lines[0], format!("| {} |", HEADER.replace(',', " | ")));
    assert_eq!(lines[1], "|---".repeat(13) + "|");
    assert!(
        lines[2].starts_with(&format!("| {id} | Setor A \\| Setor B | open |")),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].ends_with("| Linha 1<br>Linha 2<br>Linha 3 |"),
        "{}",
        lines[2]
    );
    let unescaped_pipes = lines[2].replace("\\|", "").matches('|').count();
    assert_eq!(unescaped_pipes, 14, "one cell per column");
}

#[tokio::test]
async fn export_applies_the_list_filters() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    app.create_ticket(&ana.token, &new_ticket("Pagamento"))
        .await;
    let refund = NewTicket {
        category: "reembolso".into(),
        ..new_ticket("Reembolso")
    };
    let refund_id = app.create_ticket(&ana.token, &refund).await.id;

    let body = export_body(&app, &ana, &[("category", "reembolso"), ("status", "open")]).await;

    assert_eq!(column(&records(&body, b','), "id"), [refund_id.to_string()]);
}

#[tokio::test]
async fn export_with_no_open_tickets_is_just_the_header() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app.create_ticket(&ana.token, &new_ticket("Fechado")).await;
    app.update_ticket(&ana.token, ticket.id, &json!({ "status": "closed" }))
        .await;

    let body = export_body(&app, &ana, &[]).await;

    assert_eq!(body, format!("\u{feff}{HEADER}\r\n"));
}

#[tokio::test]
async fn export_returns_422_for_an_unknown_format_delimiter_or_a_status_other_than_open() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for (param, value) in [
        ("format", "xlsx"),
        ("delimiter", "tab"),
        ("status", "closed"),
    ] {
        let response = export(&app, &ana, &[(param, value)]).await;
        assert_invalid_fields(response, &[param]).await;
    }
}
