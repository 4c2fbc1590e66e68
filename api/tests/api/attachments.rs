//! `POST /tickets/{id}/attachments` (multipart, judged by content, size-limited) and
//! `GET /attachments/{id}` (by bearer token or by the signed `download_url`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode, header};
use sha2::{Digest, Sha256};
use shared::{AgentRef, Attachment};

use crate::helpers::{
    ATTACHMENT_AUDIENCE, MAX_UPLOAD_BYTES, PDF, PNG, TestAgent, TestApp, assert_invalid_fields,
    assert_problem, header_str, json_body, new_ticket, send, sign_token,
};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";

/// A server, its first agent and the id of a ticket of theirs.
async fn app_with_ticket() -> (TestApp, TestAgent, i64) {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let id = app
        .create_ticket(&ana.token, &new_ticket("Comprovantes"))
        .await
        .id;
    (app, ana, id)
}

/// Fetches a `download_url` the way a browser's `<img src>` or link does: no `Authorization`.
async fn download(app: &TestApp, url: &str) -> Response {
    send(app.client.get(app.url(url))).await
}

/// The signed token of a `download_url`.
fn link_token(file: &Attachment) -> &str {
    file.download_url
        .split_once("?token=")
        .expect("a signed download link")
        .1
}

/// A download link for attachment `id` carrying `token`.
fn link(id: i64, token: &str) -> String {
    format!("/api/v1/attachments/{id}?token={token}")
}

/// Asserts that following `url` without `Authorization` is refused with 401 and `code`.
async fn assert_link_refused(app: &TestApp, url: &str, code: &str) {
    assert_problem(download(app, url).await, StatusCode::UNAUTHORIZED, code).await;
}

/// A PNG of exactly `size` bytes.
fn png_of_size(size: usize) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.resize(size, 0);
    bytes
}

/// The RFC 6266 `filename*` (RFC 8187 `UTF-8''<percent-encoded>`) of a `Content-Disposition`.
fn extended_filename(disposition: &str) -> String {
    let value = disposition
        .split(';')
        .find_map(|param| param.trim().strip_prefix("filename*="))
        .unwrap_or_else(|| panic!("no filename* in {disposition}"));
    let (charset, encoded) = value.split_once("''").expect("charset''value");
    assert!(charset.eq_ignore_ascii_case("utf-8"), "{disposition}");
    let mut bytes = Vec::new();
    let mut rest = encoded.as_bytes();
    while let [first, tail @ ..] = rest {
        if *first == b'%' {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(*first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// Asserts that the ticket still has no attachments.
async fn assert_nothing_attached(app: &TestApp, agent: &TestAgent, ticket_id: i64) {
    let detail = app.ticket(&agent.token, ticket_id).await;
    assert!(detail.attachments.is_empty());
    assert_eq!(detail.ticket.attachment_count, 0);
}

#[tokio::test]
async fn upload_png_returns_201_with_detected_type_size_and_sha256() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let response = app
        .upload(&ana.token, ticket_id, &[("print.png", PNG)])
        .await;
    let saved: Vec<Attachment> = json_body(response, StatusCode::CREATED).await;

    let [file] = saved.as_slice() else {
        panic!("one attachment expected: {saved:?}")
    };
    assert_eq!(file.ticket_id, ticket_id);
    assert_eq!(file.filename, "print.png");
    assert_eq!(file.content_type, "image/png");
    assert_eq!(file.size, PNG.len() as i64);
    assert_eq!(file.sha256, hex::encode(Sha256::digest(PNG)));
    assert_eq!(
        file.uploaded_by,
        AgentRef {
            id: ana.id(),
            name: "Ana".into()
        }
    );
    assert!(
        file.download_url.starts_with(&link(file.id, "")),
        "{}",
        file.download_url
    );
    let detail = app.ticket(&ana.token, ticket_id).await;
    assert_eq!(detail.ticket.attachment_count, 1);
    assert_eq!(detail.attachments[0].sha256, file.sha256);
}

#[tokio::test]
async fn upload_accepts_several_files_and_judges_each_by_its_content() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let files = [("a.bin", PNG), ("b.png", JPEG), ("c", GIF), ("d.txt", PDF)];
    let response = app.upload(&ana.token, ticket_id, &files).await;
    let saved: Vec<Attachment> = json_body(response, StatusCode::CREATED).await;

    let types: Vec<_> = saved.iter().map(|f| f.content_type.as_str()).collect();
    assert_eq!(
        types,
        ["image/png", "image/jpeg", "image/gif", "application/pdf"]
    );
    assert_eq!(
        app.ticket(&ana.token, ticket_id)
            .await
            .ticket
            .attachment_count,
        4
    );
}

#[tokio::test]
async fn upload_keeps_only_the_base_name_of_the_file() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let file = app
        .attach(&ana.token, ticket_id, "../../etc/print.png", PNG)
        .await;

    assert_eq!(file.filename, "print.png");
}

#[tokio::test]
async fn download_url_serves_an_image_inline_without_authorization() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let file = app.attach(&ana.token, ticket_id, "print.png", PNG).await;

    let response = download(&app, &file.download_url).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, header::CONTENT_TYPE), "image/png");
    assert_eq!(
        header_str(&response, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff"
    );
    let disposition = header_str(&response, header::CONTENT_DISPOSITION);
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"print.png\""),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
}

#[tokio::test]
async fn download_serves_a_pdf_as_an_attachment_with_an_rfc_6266_encoded_name() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let file = app
        .attach(&ana.token, ticket_id, "comprovante-ação.pdf", PDF)
        .await;
    assert_eq!(file.filename, "comprovante-ação.pdf");

    let response = download(&app, &file.download_url).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_str(&response, header::CONTENT_TYPE),
        "application/pdf"
    );
    assert_eq!(
        header_str(&response, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff"
    );
    let disposition = header_str(&response, header::CONTENT_DISPOSITION);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.is_ascii(), "{disposition}");
    assert_eq!(extended_filename(&disposition), "comprovante-ação.pdf");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn ticket_detail_lists_attachments_with_working_download_links() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let uploaded = app.attach(&ana.token, ticket_id, "print.png", PNG).await;

    let listed = app.ticket(&ana.token, ticket_id).await.attachments;

    let [file] = listed.as_slice() else {
        panic!("one attachment expected: {listed:?}")
    };
    assert_eq!((file.id, &file.sha256), (uploaded.id, &uploaded.sha256));
    let response = download(&app, &file.download_url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
}

#[tokio::test]
async fn download_with_a_bearer_token_works_too() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let file = app.attach(&ana.token, ticket_id, "print.png", PNG).await;

    let response = app
        .get(&format!("/attachments/{}", file.id), &ana.token)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
}

#[tokio::test]
async fn download_of_an_unknown_attachment_returns_404() {
    let (app, ana, _) = app_with_ticket().await;

    let response = app.get("/attachments/77", &ana.token).await;

    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}

/// A server whose ticket has two attachments, a PNG and a PDF.
async fn app_with_two_files() -> (TestApp, TestAgent, Attachment, Attachment) {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let first = app.attach(&ana.token, ticket_id, "a.png", PNG).await;
    let second = app.attach(&ana.token, ticket_id, "b.pdf", PDF).await;
    (app, ana, first, second)
}

#[tokio::test]
async fn download_with_a_tampered_token_returns_401() {
    let (app, _, first, second) = app_with_two_files().await;
    let token = link_token(&first);
    let [header_part, payload, signature] = token.split('.').collect::<Vec<_>>()[..] else {
        panic!("a JWT: {token}")
    };
    let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let other_claims = claims.replace(
        &format!("\"sub\":\"{}\"", first.id),
        &format!("\"sub\":\"{}\"", second.id),
    );
    assert_ne!(claims, other_claims);
    let other_payload = URL_SAFE_NO_PAD.encode(other_claims);
    let mut flipped = signature.to_owned();
    let c = flipped.remove(10);
    flipped.insert(10, if c == 'A' { 'B' } else { 'A' });

    for url in [
        link(
            second.id,
            &format!("{header_part}.{other_payload}.{signature}"),
        ),
        link(first.id, &format!("{header_part}.{payload}.{flipped}")),
        link(first.id, "garbage"),
    ] {
        assert_link_refused(&app, &url, "invalid_token").await;
    }
}

#[tokio::test]
async fn download_with_the_token_of_another_file_returns_401() {
    let (app, _, first, second) = app_with_two_files().await;

    let url = link(second.id, link_token(&first));

    assert_link_refused(&app, &url, "invalid_token").await;
}

#[tokio::test]
async fn download_with_an_expired_link_returns_401() {
    let (app, _, file, _) = app_with_two_files().await;

    let expired = sign_token(file.id, ATTACHMENT_AUDIENCE, -600);

    assert_link_refused(&app, &link(file.id, &expired), "token_expired").await;
}

#[tokio::test]
async fn a_download_link_token_is_not_a_login_token() {
    let (app, _, file, _) = app_with_two_files().await;

    for path in ["/me".to_owned(), format!("/attachments/{}", file.id)] {
        let response = app.get(&path, link_token(&file)).await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

#[tokio::test]
async fn upload_of_html_named_png_returns_415_and_stores_nothing() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let part = Part::bytes(html.to_vec())
        .file_name("foto.png")
        .mime_str("image/png")
        .unwrap();
    let form = Form::new().part("file", part);

    assert_problem(
        app.upload_form(&ana.token, ticket_id, form).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_with_one_bad_file_among_good_ones_stores_none_of_them() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let files: [(&str, &[u8]); 2] = [
        ("ok.png", PNG),
        ("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ];
    let response = app.upload(&ana.token, ticket_id, &files).await;

    assert_problem(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_of_exactly_the_size_limit_is_accepted() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let bytes = png_of_size(MAX_UPLOAD_BYTES as usize);
    let file = app.attach(&ana.token, ticket_id, "big.png", &bytes).await;

    assert_eq!(file.size, MAX_UPLOAD_BYTES as i64);
}

#[tokio::test]
async fn upload_one_byte_over_the_limit_returns_413_and_stores_nothing() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let bytes = png_of_size(MAX_UPLOAD_BYTES as usize + 1);
    let response = app
        .upload(&ana.token, ticket_id, &[("big.png", &bytes)])
        .await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_over_the_limit_in_total_returns_413_and_stores_nothing() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let half = png_of_size(MAX_UPLOAD_BYTES as usize / 2 + 1);
    let response = app
        .upload(&ana.token, ticket_id, &[("a.png", &half), ("b.png", &half)])
        .await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_far_over_the_limit_is_refused_with_413_before_it_is_read() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let bytes = png_of_size(4 * MAX_UPLOAD_BYTES as usize);
    let response = app
        .upload(&ana.token, ticket_id, &[("huge.png", &bytes)])
        .await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_streamed_without_a_length_returns_413_once_over_the_limit() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let chunk = png_of_size(64 * 1024);
    let chunks = 4 * MAX_UPLOAD_BYTES as usize / chunk.len();
    let body = futures_util::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    );
    let part = Part::stream(reqwest::Body::wrap_stream(body)).file_name("stream.png");
    let form = Form::new().part("file", part);

    assert_problem(
        app.upload_form(&ana.token, ticket_id, form).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_of_ten_files_is_accepted_and_eleven_returns_422() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let eleven: Vec<(&str, &[u8])> = vec![("p.png", PNG); 11];

    let too_many = app.upload(&ana.token, ticket_id, &eleven).await;
    let problem = assert_invalid_fields(too_many, &["file"]).await;
    assert_eq!(problem.errors[0].code, "too_many_files");
    assert_nothing_attached(&app, &ana, ticket_id).await;

    let ten = app.upload(&ana.token, ticket_id, &eleven[..10]).await;
    let saved: Vec<Attachment> = json_body(ten, StatusCode::CREATED).await;
    assert_eq!(saved.len(), 10);
}

#[tokio::test]
async fn upload_without_a_file_part_or_with_an_empty_file_returns_422() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    // A well-formed multipart body with no parts at all.
    let no_file = send(
        app.authed(
            Method::POST,
            &format!("/tickets/{ticket_id}/attachments"),
            &ana.token,
        )
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
        .body("--X--\r\n"),
    )
    .await;
    let problem = assert_invalid_fields(no_file, &["file"]).await;
    assert_eq!(problem.errors[0].code, "required");

    let empty = app
        .upload(&ana.token, ticket_id, &[("vazio.png", b"")])
        .await;
    let problem = assert_invalid_fields(empty, &["file"]).await;
    assert_eq!(problem.errors[0].code, "empty_file");
}

/// Found by fuzzing: parts other than `file` were drained and ignored, although the form
/// documents only `file`. Like unknown JSON fields, they are refused now.
#[tokio::test]
async fn upload_with_a_part_other_than_file_returns_422() {
    let (app, ana, ticket_id) = app_with_ticket().await;
    let form = Form::new()
        .text("note", "sem arquivo")
        .part("file", Part::bytes(PNG.to_vec()).file_name("print.png"));

    let response = app.upload_form(&ana.token, ticket_id, form).await;

    let problem = assert_invalid_fields(response, &["note"]).await;
    assert_eq!(problem.errors[0].code, "unknown_field");
    assert_nothing_attached(&app, &ana, ticket_id).await;
}

#[tokio::test]
async fn upload_that_is_not_multipart_returns_415() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let response = app
        .post(
            &format!("/tickets/{ticket_id}/attachments"),
            &ana.token,
            &serde_json::json!({}),
        )
        .await;

    assert_problem(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn upload_to_an_unknown_ticket_returns_404() {
    let (app, ana, ticket_id) = app_with_ticket().await;

    let response = app
        .upload(&ana.token, ticket_id + 1, &[("a.png", PNG)])
        .await;

    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}
