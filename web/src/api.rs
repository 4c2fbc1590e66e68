//! The only code that talks HTTP: one async function per endpoint, typed by `shared`.
//! A 401 on an authenticated call ends the session, which sends the agent to the login page.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    Agent, AgentPatch, ApiToken, Attachment, AuditPage, AuthResponse, Comment, CreatedApiToken,
    FieldError, LoginRequest, NewApiToken, NewComment, NewReferenceItem, NewTicket, PasswordChange,
    Problem, ReferenceItem, RegisterRequest, StatusCounts, Ticket, TicketDetail, TicketFilter,
    TicketPage, TicketPatch,
};
use wasm_bindgen::JsCast;

use crate::session::{self, Ended};
use crate::url::query_string;

const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem document.
    Problem(Problem),
    /// No usable answer (offline, server down, unexpected body).
    Network,
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Problem(p) => &p.code,
            Self::Network => "network",
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Problem(p) => &p.errors,
            Self::Network => &[],
        }
    }

    /// The error code for `field`, if the server refused that field.
    pub fn field(&self, field: &str) -> Option<String> {
        self.field_errors()
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code.clone())
    }
}

fn authorized(builder: RequestBuilder) -> RequestBuilder {
    match session::token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    if response.status() == 401 && session::token().is_some() {
        session::end(Ended::Expired);
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Network),
    }
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|_| ApiError::Network)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    check(response).await
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json().await.map_err(|_| ApiError::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    json(send(authorized(Request::get(&format!("{BASE}{path}"))).build()).await?).await
}

async fn with_body<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    json(send(authorized(builder).json(body)).await?).await
}

pub async fn register(body: &RegisterRequest) -> Result<AuthResponse, ApiError> {
    with_body(Request::post(&format!("{BASE}/auth/register")), body).await
}

pub async fn login(body: &LoginRequest) -> Result<AuthResponse, ApiError> {
    with_body(Request::post(&format!("{BASE}/auth/login")), body).await
}

/// Ends every login session of the agent on the server (this browser's included).
pub async fn logout() -> Result<(), ApiError> {
    send(authorized(Request::post(&format!("{BASE}/auth/logout"))).build())
        .await
        .map(drop)
}

pub async fn me() -> Result<Agent, ApiError> {
    get("/me").await
}

/// Changes the password; the answer is a new session (the old token no longer works).
pub async fn change_password(body: &PasswordChange) -> Result<AuthResponse, ApiError> {
    with_body(Request::post(&format!("{BASE}/me/password")), body).await
}

pub async fn agents() -> Result<Vec<Agent>, ApiError> {
    get("/agents").await
}

/// Changes an agent's role or active state (administrators).
pub async fn update_agent(id: i64, patch: &AgentPatch) -> Result<Agent, ApiError> {
    with_body(Request::patch(&format!("{BASE}/agents/{id}")), patch).await
}

/// The agent's API tokens, or with `all` every agent's (administrators).
pub async fn api_tokens(all: bool) -> Result<Vec<ApiToken>, ApiError> {
    get(if all { "/tokens?all=true" } else { "/tokens" }).await
}

pub async fn create_api_token(body: &NewApiToken) -> Result<CreatedApiToken, ApiError> {
    with_body(Request::post(&format!("{BASE}/tokens")), body).await
}

pub async fn revoke_api_token(id: i64) -> Result<(), ApiError> {
    send(authorized(Request::delete(&format!("{BASE}/tokens/{id}"))).build())
        .await
        .map(drop)
}

/// One page of the audit log, newest first (administrators).
pub async fn audit(cursor: Option<&str>) -> Result<AuditPage, ApiError> {
    let pairs: Vec<(&str, String)> = cursor
        .map(|c| ("cursor", c.to_owned()))
        .into_iter()
        .collect();
    get(&format!("/audit{}", query_string(&pairs))).await
}

pub async fn categories() -> Result<Vec<ReferenceItem>, ApiError> {
    get("/categories").await
}

pub async fn channels() -> Result<Vec<ReferenceItem>, ApiError> {
    get("/channels").await
}

/// Adds an entry to `list` (`categories` or `channels`).
pub async fn add_reference(list: &str, body: &NewReferenceItem) -> Result<ReferenceItem, ApiError> {
    with_body(Request::post(&format!("{BASE}/{list}")), body).await
}

pub async fn tickets(filter: &TicketFilter, cursor: Option<&str>) -> Result<TicketPage, ApiError> {
    let mut pairs = filter.to_pairs();
    if let Some(cursor) = cursor {
        pairs.push(("cursor", cursor.to_owned()));
    }
    get(&format!("/tickets{}", query_string(&pairs))).await
}

pub async fn counts(filter: &TicketFilter) -> Result<StatusCounts, ApiError> {
    get(&format!(
        "/tickets/counts{}",
        query_string(&filter.to_pairs())
    ))
    .await
}

pub async fn ticket(id: i64) -> Result<TicketDetail, ApiError> {
    get(&format!("/tickets/{id}")).await
}

pub async fn create_ticket(body: &NewTicket) -> Result<Ticket, ApiError> {
    with_body(Request::post(&format!("{BASE}/tickets")), body).await
}

/// Updates a ticket if it is still at `version` (412 `stale_ticket` otherwise).
pub async fn update_ticket(id: i64, version: i64, patch: &TicketPatch) -> Result<Ticket, ApiError> {
    let builder = Request::patch(&format!("{BASE}/tickets/{id}"))
        .header("If-Match", &format!("\"{version}\""));
    with_body(builder, patch).await
}

pub async fn add_comment(id: i64, body: &NewComment) -> Result<Comment, ApiError> {
    with_body(
        Request::post(&format!("{BASE}/tickets/{id}/comments")),
        body,
    )
    .await
}

pub async fn upload(id: i64, files: &[web_sys::File]) -> Result<Vec<Attachment>, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    for file in files {
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(|_| ApiError::Network)?;
    }
    let request = authorized(Request::post(&format!("{BASE}/tickets/{id}/attachments"))).body(form);
    json(send(request).await?).await
}

/// Downloads the open tickets as a file (`csv` or `md`) through the browser.
pub async fn export(filter: &TicketFilter, format: &str) -> Result<(), ApiError> {
    let mut pairs = filter.to_pairs();
    pairs.retain(|(key, _)| *key != "status");
    pairs.push(("format", format.to_owned()));
    let path = format!("{BASE}/tickets/export{}", query_string(&pairs));
    let response = send(authorized(Request::get(&path)).build()).await?;
    let filename = response
        .headers()
        .get("content-disposition")
        .and_then(|value| crate::url::disposition_filename(&value))
        .unwrap_or_else(|| format!("tickets.{format}"));
    let raw: web_sys::Response = response.into();
    let blob = raw.blob().map_err(|_| ApiError::Network)?;
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    save_blob(&blob, &filename).ok_or(ApiError::Network)
}

fn save_blob(blob: &web_sys::Blob, filename: &str) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(filename);
    document.body()?.append_child(&anchor).ok()?;
    anchor.click();
    anchor.remove();
    web_sys::Url::revoke_object_url(&url).ok()
}
