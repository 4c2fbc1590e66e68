//! `servicedesk backup` while the server runs and writes, then `servicedesk restore` into a new
//! data dir and a server on it: every ticket, comment and attachment is back.

use std::path::Path;
use std::sync::{Arc, Mutex};

use reqwest::multipart::{Form, Part};
use reqwest::{StatusCode, header};
use shared::{Attachment, NewTicket, Ticket, TicketDetail};
use tokio::sync::watch;

use crate::support::{Api, Server, assert_holds, printed, run, ticket};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

async fn attach(api: &Api, ticket_id: i64, name: &str, bytes: &[u8]) -> Attachment {
    let part = Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .expect("a media type");
    let response = api
        .http
        .post(api.url(&format!("/tickets/{ticket_id}/attachments")))
        .bearer_auth(&api.token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut saved: Vec<Attachment> = response.json().await.expect("the attachments");
    saved.pop().expect("one attachment")
}

/// A detail without the signed (time-dependent) download links.
fn unsigned(mut detail: TicketDetail) -> TicketDetail {
    for file in &mut detail.attachments {
        file.download_url.clear();
    }
    detail
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_writes_restores_every_ticket_and_attachment() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let live = dir.path().join("live");
    let server = Server::start(&live).await;
    let api = Api::sign_up(&server.base).await;
    let mut tickets = Vec::new();
    for i in 1..=12 {
        let created = api.create(&ticket(&format!("Pedido {i}"))).await;
        if i % 3 == 0 {
            api.comment(created.id, &format!("Retornei a ligação do pedido {i}."))
                .await;
        }
        tickets.push(created.id);
    }
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let files = [
        (
            tickets[0],
            attach(&api, tickets[0], "comprovante.png", PNG).await,
            PNG.to_vec(),
        ),
        (
            tickets[1],
            attach(&api, tickets[1], "boleto.pdf", &pdf).await,
            pdf,
        ),
    ];
    let mut before = Vec::new();
    for id in &tickets {
        before.push(unsigned(api.detail(*id).await.expect("the ticket")));
    }

    // Another client keeps creating tickets during the backup.
    let during: Arc<Mutex<Vec<(NewTicket, Ticket)>>> = Arc::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let writer = {
        let (api, during) = (api.clone(), during.clone());
        tokio::spawn(async move {
            for n in 0.. {
                if *stop_rx.borrow() {
                    return;
                }
                let sent = ticket(&format!("Durante {n}"));
                let created = api.create(&sent).await;
                during.lock().expect("the list").push((sent, created));
            }
        })
    };
    let archive = dir.path().join("desk-backup.tar.gz");
    let backup = run([
        "backup".as_ref(),
        archive.as_os_str(),
        "--data-dir".as_ref(),
        live.as_os_str(),
    ])
    .await;
    stop_tx.send_replace(true);
    writer.await.expect("the writing client");
    assert!(
        backup.status.success(),
        "backup failed: {}",
        printed(&backup).1
    );
    assert!(
        printed(&backup).0.contains("2 attachment files"),
        "{}",
        printed(&backup).0
    );
    drop(server);

    let restored = dir.path().join("restored");
    let restore = run([
        "restore".as_ref(),
        archive.as_os_str(),
        "--data-dir".as_ref(),
        restored.as_os_str(),
    ])
    .await;
    assert!(
        restore.status.success(),
        "restore failed: {}",
        printed(&restore).1
    );
    assert!(
        printed(&restore).0.contains("integrity check ok"),
        "{}",
        printed(&restore).0
    );

    let server = Server::start(&restored).await;
    let api = api.on(&server.base);
    for expected in before {
        let detail = api
            .detail(expected.ticket.id)
            .await
            .expect("a restored ticket");
        assert_eq!(unsigned(detail), expected);
    }
    for (ticket_id, saved, bytes) in files {
        let detail = api.detail(ticket_id).await.expect("a restored ticket");
        assert_eq!(detail.attachments.len(), 1);
        assert_eq!(detail.attachments[0].filename, saved.filename);
        let response = api
            .http
            .get(format!(
                "{}{}",
                api.base, detail.attachments[0].download_url
            ))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            saved.content_type.as_str()
        );
        assert_eq!(response.bytes().await.expect("the file").to_vec(), bytes);
    }
    // Tickets written during the backup are in the copy whole, or not at all.
    let during = std::mem::take(&mut *during.lock().expect("the list"));
    let mut kept = 0;
    for (sent, created) in &during {
        if let Some(detail) = api.detail(created.id).await {
            assert_holds(&detail.ticket, sent);
            kept += 1;
        }
    }
    let page: shared::TicketPage = api
        .http
        .get(api.url("/tickets"))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a page");
    assert_eq!(
        page.total,
        i64::try_from(tickets.len() + kept).expect("a count")
    );
}

/// Everything in `dir`, by name, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_never_overwrites_a_data_dir_and_rejects_a_damaged_archive() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let seeded = dir.path().join("seeded");
    let seed = run([
        "seed".as_ref(),
        "--tickets".as_ref(),
        "20".as_ref(),
        "--data-dir".as_ref(),
        seeded.as_os_str(),
        "--bcrypt-cost".as_ref(),
        "4".as_ref(),
    ])
    .await;
    assert!(seed.status.success(), "{}", printed(&seed).1);
    // A stopped server's data dir backs up too.
    let archive = dir.path().join("desk.tar");
    let backup = run([
        "backup".as_ref(),
        archive.as_os_str(),
        "--data-dir".as_ref(),
        seeded.as_os_str(),
    ])
    .await;
    assert!(backup.status.success(), "{}", printed(&backup).1);
    assert!(
        printed(&backup).0.contains("backed up 20 tickets"),
        "{}",
        printed(&backup).0
    );

    let occupied = dir.path().join("occupied");
    std::fs::create_dir(&occupied).expect("a data dir");
    std::fs::write(occupied.join("notes.txt"), "keep me").expect("a file");
    let restore = |force: bool| {
        let mut args = vec![
            "restore".as_ref(),
            archive.as_os_str(),
            "--data-dir".as_ref(),
            occupied.as_os_str(),
        ];
        if force {
            args.push("--force".as_ref());
        }
        run(args)
    };
    let refused = restore(false).await;
    assert!(!refused.status.success());
    assert!(
        printed(&refused).1.contains("not empty"),
        "{}",
        printed(&refused).1
    );
    assert!(
        printed(&refused).1.contains("--force"),
        "{}",
        printed(&refused).1
    );
    assert_eq!(names(&occupied), ["notes.txt"]);
    assert_eq!(names(dir.path()), ["desk.tar", "occupied", "seeded"]);

    let forced = restore(true).await;
    assert!(forced.status.success(), "{}", printed(&forced).1);
    assert!(
        printed(&forced).0.contains("restored 20 tickets"),
        "{}",
        printed(&forced).0
    );
    assert_eq!(names(&occupied), ["service_desk.db", "uploads"]);
    let aside: Vec<_> = names(dir.path())
        .into_iter()
        .filter(|name| name.starts_with("occupied.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names(dir.path()));
    assert_eq!(names(&dir.path().join(&aside[0])), ["notes.txt"]);

    // Cut short, as a half-copied file would be: refused, and nothing is left behind.
    let bytes = std::fs::read(&archive).expect("the archive");
    let damaged = dir.path().join("damaged.tar");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).expect("a damaged copy");
    let target = dir.path().join("fresh");
    let rejected = run([
        "restore".as_ref(),
        damaged.as_os_str(),
        "--data-dir".as_ref(),
        target.as_os_str(),
    ])
    .await;
    assert!(!rejected.status.success());
    assert!(
        printed(&rejected).1.starts_with("error: restore failed:"),
        "{}",
        printed(&rejected).1
    );
    assert!(!target.exists());
    assert!(
        !names(dir.path())
            .iter()
            .any(|name| name.contains(".restoring-")),
        "{:?}",
        names(dir.path())
    );
}
