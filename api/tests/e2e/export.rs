//! Exporting the open tickets as CSV from the dashboard: a real browser download, read back
//! from the downloads folder.

use std::path::PathBuf;
use std::time::Instant;

use shared::TicketStatus::{Closed, Open, Waiting};

use crate::support::{App, POLL, TIMEOUT};

/// The first finished download whose name ends in `extension`.
async fn downloaded(app: &App, extension: &str) -> PathBuf {
    let start = Instant::now();
    loop {
        let done = std::fs::read_dir(app.browser.downloads())
            .expect("the downloads folder")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|e| e == extension));
        if let Some(path) = done {
            return path;
        }
        if start.elapsed() > TIMEOUT {
            app.fail(&format!("waited {TIMEOUT:?} for a .{extension} download"))
                .await;
        }
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test]
async fn csv_export_downloads_the_open_tickets_only() {
    let app = App::start().await;
    let ana = app.api.register("Ana Lima", "ana@groovoo.example").await;
    let seeded = app
        .api
        .tickets(
            &ana,
            &[
                (Open, "Meia-entrada recusada", "João Gonçalves", "ingressos"),
                (
                    Open,
                    "=HYPERLINK(\"x\")",
                    "Maria, \"Mari\" Souza",
                    "pagamento",
                ),
                (Closed, "Resolvido por telefone", "Pedro Alves", "conta"),
                (Waiting, "Aguardando comprovante", "Rita Lopes", "reembolso"),
            ],
        )
        .await;
    let (open, formula) = (&seeded[0], &seeded[1]);

    app.log_in_at_dashboard("ana@groovoo.example").await;
    app.wait_for_counters(2, 1, 1).await;
    app.click(".page-head .actions button:first-child").await;
    let file = downloaded(&app, "csv").await;

    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    assert!(
        name.starts_with("tickets-abertos-") && name.ends_with(".csv"),
        "{name}"
    );
    let bytes = std::fs::read(&file).expect("the download can be read");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "the CSV starts with a BOM so Excel reads it as UTF-8"
    );
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "subject",
            "status",
            "priority",
            "category",
            "channel",
            "customer_name",
            "customer_contact",
            "assignee",
            "created_by",
            "created_at",
            "updated_at",
            "description",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("well-formed rows");
    let ids: Vec<i64> = rows
        .iter()
        .map(|row| row[0].parse().expect("a ticket number"))
        .collect();
    assert_eq!(ids, [formula.id, open.id], "the open tickets, newest first");
    let joao = &rows[1];
    assert_eq!(&joao[1], "Meia-entrada recusada");
    assert_eq!(&joao[2], "open");
    assert_eq!(&joao[4], "Ingressos");
    assert_eq!(&joao[5], "WhatsApp");
    assert_eq!(&joao[6], "João Gonçalves");
    assert_eq!(&joao[9], "Ana Lima");
    let maria = &rows[0];
    assert_eq!(
        &maria[1], "'=HYPERLINK(\"x\")",
        "a formula is defused for spreadsheets"
    );
    assert_eq!(&maria[6], "Maria, \"Mari\" Souza");
    assert!(
        !text.contains("Resolvido por telefone"),
        "closed tickets are left out"
    );
    assert!(
        !text.contains("Aguardando comprovante"),
        "waiting tickets are left out"
    );

    app.finish().await;
}
