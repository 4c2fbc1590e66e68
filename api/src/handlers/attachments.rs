//! Attachments: streamed multipart upload with content sniffing, and authorised download.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::TryStreamExt;
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::{Attachment, Problem};
use tokio::io::AsyncWriteExt;

use crate::auth::{self, AuthUser};
use crate::db::models::{attachment, now, ticket};
use crate::db::{self};
use crate::error::ApiError;
use crate::state::AppState;

/// Most files one upload request may carry.
pub const MAX_FILES_PER_UPLOAD: usize = 10;

/// The file types accepted, recognised by their first bytes.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
];

/// Bytes needed to recognise any accepted type.
const SNIFF_LEN: usize = 8;

/// The content type of a file from its first bytes, if it is one we accept.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    SIGNATURES
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, content_type)| *content_type)
}

/// A client-supplied file name reduced to safe metadata: no path, no control or quoting
/// characters, at most 200 characters.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "attachment".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Fills in each attachment's signed `download_url`.
pub fn sign_download_urls(state: &AppState, files: &mut [Attachment]) -> Result<(), ApiError> {
    for file in files {
        let token = state.keys.issue_attachment(file.id)?;
        file.download_url = format!(
            "{}/attachments/{}?token={token}",
            shared::API_PREFIX,
            file.id
        );
    }
    Ok(())
}

fn multipart_error(err: MultipartError) -> ApiError {
    match err {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::UnsupportedMediaType(
            "send the files as multipart/form-data, in parts named `file`".into(),
        ),
        other => ApiError::MalformedJson(format!("malformed multipart body: {other}")),
    }
}

/// The refusal of an upload over `max_bytes`.
fn too_large(max_bytes: u64) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "uploads are limited to {} MiB per request",
        max_bytes / (1024 * 1024)
    ))
}

/// A file written to the uploads folder, not yet recorded in the database.
struct StoredFile {
    row: attachment::NewAttachmentRow,
    path: PathBuf,
}

/// Removes files written by a request that then failed.
async fn discard(files: &[StoredFile]) {
    for file in files {
        let _ = tokio::fs::remove_file(&file.path).await;
    }
}

fn storage_name() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// Streams one multipart part to disk, hashing it and enforcing the size budget. The type is
/// decided from the first bytes before anything is kept.
async fn store_part(
    field: &mut actix_multipart::Field,
    dir: &Path,
    budget: &mut u64,
    max_bytes: u64,
) -> Result<(PathBuf, &'static str, i64, String), ApiError> {
    let too_large = || too_large(max_bytes);
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let mut pending = Vec::new();
    while head.len() < SNIFF_LEN {
        match field.try_next().await.map_err(multipart_error)? {
            Some(chunk) => {
                let take = (SNIFF_LEN - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                pending.push(chunk);
            }
            None => break,
        }
    }
    if head.is_empty() {
        return Err(ApiError::field("file", "empty_file", "the file is empty"));
    }
    let content_type = sniff(&head).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "only PNG, JPEG, GIF and PDF files are accepted (judged by their content)".into(),
        )
    })?;
    let path = dir.join(storage_name());
    let mut out = tokio::fs::File::create(&path).await?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let result: Result<(), ApiError> = async {
        let mut next = pending.into_iter();
        loop {
            let chunk = match next.next() {
                Some(chunk) => chunk,
                None => match field.try_next().await.map_err(multipart_error)? {
                    Some(chunk) => chunk,
                    None => break,
                },
            };
            let len = chunk.len() as u64;
            if len > *budget {
                return Err(too_large());
            }
            *budget -= len;
            size += len;
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
        }
        out.sync_all().await?;
        Ok(())
    }
    .await;
    if let Err(err) = result {
        drop(out);
        let _ = tokio::fs::remove_file(&path).await;
        return Err(err);
    }
    let size = i64::try_from(size).map_err(ApiError::internal)?;
    Ok((path, content_type, size, hex::encode(hasher.finalize())))
}

async fn receive_files(
    mut payload: Multipart,
    state: &AppState,
    ticket_id: i64,
    uploader: i64,
    stored: &mut Vec<StoredFile>,
) -> Result<(), ApiError> {
    let max_bytes = state.settings.max_upload_bytes;
    let mut budget = max_bytes;
    while let Some(mut field) = payload.try_next().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            // Like the unknown fields of a JSON body, other parts are refused, not ignored.
            let name = field.name().unwrap_or_default().to_owned();
            return Err(ApiError::field(
                &name,
                "unknown_field",
                "only parts named `file` are accepted",
            ));
        }
        if stored.len() == MAX_FILES_PER_UPLOAD {
            return Err(ApiError::field(
                "file",
                "too_many_files",
                format!("at most {MAX_FILES_PER_UPLOAD} files per upload"),
            ));
        }
        let filename = sanitize_filename(
            field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .unwrap_or_default(),
        );
        let (path, content_type, size, sha256) =
            store_part(&mut field, &state.uploads_dir, &mut budget, max_bytes).await?;
        let storage_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        stored.push(StoredFile {
            path,
            row: attachment::NewAttachmentRow {
                ticket_id,
                filename,
                content_type: content_type.to_owned(),
                size,
                sha256,
                storage_name,
                uploaded_by: uploader,
                created_at: now(),
            },
        });
    }
    if stored.is_empty() {
        return Err(ApiError::field(
            "file",
            "required",
            "send at least one part named `file`",
        ));
    }
    Ok(())
}

/// Attach files to a ticket: `multipart/form-data` with one or more parts named `file`.
///
/// Only PNG, JPEG, GIF and PDF are accepted, judged by the file's content (its name and declared
/// type are ignored). At most 10 files and `DESK_MAX_UPLOAD_MB` per request.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/attachments", tag = "attachments",
    params(("id" = i64, Path, description = "Ticket number", minimum = 1)),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Files attached", body = Vec<Attachment>),
        (status = 404, description = "No such ticket (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the upload size limit (`payload_too_large`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PNG, JPEG, GIF or PDF (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_attachments(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ticket_id = path.into_inner();
    if !db::run(&state.pool, move |conn| {
        Ok(ticket::exists(conn, ticket_id)?)
    })
    .await?
    {
        return Err(ApiError::NotFound("ticket"));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Multipart framing adds a little; anything far beyond the limit is refused unread.
    if declared.is_some_and(|len| len > state.settings.max_upload_bytes + 64 * 1024) {
        return Err(too_large(state.settings.max_upload_bytes));
    }
    let multipart = Multipart::new(req.headers(), payload);
    let mut stored = Vec::new();
    if let Err(err) = receive_files(multipart, &state, ticket_id, user.id, &mut stored).await {
        discard(&stored).await;
        return Err(err);
    }
    let rows: Vec<_> = stored.iter().map(|f| f.row.clone()).collect();
    let saved = db::write(&state.writer, move |conn| {
        let inserted = attachment::insert(conn, &rows)?;
        ticket::update(
            conn,
            ticket_id,
            &ticket::TicketChangeset {
                updated_at: Some(now()),
                ..Default::default()
            },
        )?;
        Ok(attachment::to_wire(conn, inserted)?)
    })
    .await;
    let mut saved = match saved {
        Ok(saved) => saved,
        Err(err) => {
            discard(&stored).await;
            return Err(err);
        }
    };
    sign_download_urls(&state, &mut saved)?;
    Ok(HttpResponse::Created().json(saved))
}

/// The multipart body of an upload (for the OpenAPI document): parts named `file` only.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "describes the multipart form in the OpenAPI document only"
)]
struct UploadForm {
    /// One to 10 files (PNG, JPEG, GIF or PDF).
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1, max_items = 10)]
    file: Vec<u8>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadParams {
    /// The signed token of the attachment's `download_url` (instead of `Authorization`); empty
    /// counts as absent.
    token: Option<String>,
}

/// The bytes of an attachment. Authorised by a bearer token or by the signed `token` of its
/// `download_url`. Images are served inline, other files as downloads.
#[utoipa::path(
    get, path = "/api/v1/attachments/{id}", tag = "attachments",
    security(("bearer" = []), ()),
    params(("id" = i64, Path, description = "Attachment id", minimum = 1), DownloadParams),
    responses(
        (status = 200, description = "The file", content((String = "image/png"), (String = "image/jpeg"), (String = "image/gif"), (String = "application/pdf"))),
        (status = 404, description = "No such attachment (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download_attachment(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DownloadParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let token = query.token.as_deref().filter(|t| !t.is_empty());
    match (auth::bearer_token(&req), token) {
        (Some(_), _) | (None, None) => {
            use actix_web::FromRequest;
            AuthUser::extract(&req).await?;
        }
        (None, Some(token)) => state.keys.verify_attachment(token, id)?,
    }
    let row = db::run(&state.pool, move |conn| Ok(attachment::find(conn, id)?))
        .await?
        .ok_or(ApiError::NotFound("attachment"))?;
    let file = NamedFile::open(state.uploads_dir.join(&row.storage_name)).map_err(|err| {
        tracing::error!(attachment_id = id, error = %err, "attachment file missing");
        ApiError::NotFound("attachment")
    })?;
    let content_type: mime::Mime = row
        .content_type
        .parse()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let disposition = if content_type.type_() == mime::IMAGE {
        DispositionType::Inline
    } else {
        DispositionType::Attachment
    };
    let ascii_name: String = row
        .filename
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut response = file
        .set_content_type(content_type)
        .set_content_disposition(ContentDisposition {
            disposition,
            parameters: vec![
                DispositionParam::Filename(ascii_name),
                DispositionParam::FilenameExt(ExtendedValue {
                    charset: Charset::Ext("UTF-8".into()),
                    language_tag: None,
                    value: row.filename.into_bytes(),
                }),
            ],
        })
        .into_response(&req);
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_content_only() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"\x89PN"), None);
    }

    #[test]
    fn filenames_lose_paths_and_dangerous_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitize_filename("C:\\x\\recibo \"final\".pdf"),
            "recibo final.pdf"
        );
        assert_eq!(sanitize_filename("..."), "attachment");
        assert_eq!(sanitize_filename("a\u{0}b\r\n.png"), "ab.png");
        assert_eq!(
            sanitize_filename("comprovante-ação.png"),
            "comprovante-ação.png"
        );
    }
}
