//! Graceful shutdown: on SIGTERM the server stops taking connections, lets the request in flight
//! (a slow upload, streamed by the test at a slow client's pace) finish and be saved, and exits 0
//! within 10 s.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use reqwest::{StatusCode, header};
use shared::Attachment;
use tokio::sync::mpsc;

use crate::support::{Api, Server, TIMEOUT, eventually, ticket};

/// The uploaded file: a PDF header and enough bytes to send in two halves.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..256 * 1024).map(|i| b'a' + (i % 26) as u8));
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let mut server = Server::start(&data).await;
    let api = Api::sign_up(&server.base).await;
    let target = api.create(&ticket("Comprovante lento")).await;

    // A multipart upload whose body the test hands over piece by piece.
    let boundary = "desk-test-boundary";
    let file = pdf();
    let (half, rest) = file.split_at(file.len() / 2);
    let (body_tx, body_rx) = mpsc::channel::<io::Result<Vec<u8>>>(4);
    let body = futures_util::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let upload = tokio::spawn(
        api.http
            .post(api.url(&format!("/tickets/{}/attachments", target.id)))
            .bearer_auth(&api.token)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap_stream(body))
            .send(),
    );
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lento.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    for chunk in [head.into_bytes(), half.to_vec()] {
        body_tx
            .send(Ok(chunk))
            .await
            .expect("the upload is sending");
    }
    // The handler is writing the file: the request is in flight.
    let uploads = data.join("uploads");
    eventually("the upload reaches the disk", TIMEOUT, || {
        std::fs::read_dir(&uploads)
            .ok()?
            .filter_map(Result::ok)
            .any(|entry| entry.metadata().is_ok_and(|m| m.len() > 0))
            .then_some(())
    })
    .await;

    server.signal(Signal::SIGTERM);
    let terminated = Instant::now();
    let port = server.port;
    eventually(
        "new connections are refused",
        Duration::from_secs(5),
        || match TcpStream::connect(("127.0.0.1", port)) {
            Err(err) if err.kind() == io::ErrorKind::ConnectionRefused => Some(()),
            _ => None,
        },
    )
    .await;
    assert!(!upload.is_finished(), "the upload is still in flight");

    // A slow client: the rest arrives over about 1.5 s, well past the moment actix checks
    // whether its workers are done (every 0.5 s).
    for chunk in rest.chunks(rest.len().div_ceil(10)) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        body_tx
            .send(Ok(chunk.to_vec()))
            .await
            .expect("the upload is sending");
    }
    let tail = format!("\r\n--{boundary}--\r\n");
    body_tx
        .send(Ok(tail.into_bytes()))
        .await
        .expect("the upload is sending");
    drop(body_tx);
    let response = upload
        .await
        .expect("the upload task")
        .expect("the server answers the request in flight");
    assert_eq!(response.status(), StatusCode::CREATED);
    let saved: Vec<Attachment> = response.json().await.expect("the attachments");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].size, i64::try_from(file.len()).expect("a size"));

    let status = server
        .exit_status(Duration::from_secs(10).saturating_sub(terminated.elapsed()))
        .await;
    assert_eq!(
        status.code(),
        Some(0),
        "exit status; log:\n{}",
        server.log()
    );
    assert!(terminated.elapsed() < Duration::from_secs(10));

    // The upload committed before the exit: a restarted server serves it.
    let server = Server::start(&data).await;
    let api = api.on(&server.base);
    let detail = api.detail(target.id).await.expect("the ticket");
    assert_eq!(detail.attachments.len(), 1);
    assert_eq!(
        api.download(&detail.attachments[0].download_url).await,
        file
    );
}
