//! `TestApp`: a real server on port 0 with its own temporary database, and the requests and
//! assertions the tests share. Everything goes through HTTP, as a client would.

use std::time::Duration;

use api::config::{RateLimitSettings, RawSettings, Settings, Signup};
use api::db::writer::Writer;
use api::startup::Application;
use chrono::Utc;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::{
    Agent, ApiToken, Attachment, AuditEntry, AuditPage, AuthResponse, Comment, CreatedApiToken,
    NewTicket, PROBLEM_JSON, Problem, Ticket, TicketDetail, TicketPage,
};
use tempfile::TempDir;

/// The token secret of every test server, known here so tests can sign their own tokens.
pub const JWT_SECRET: &[u8] = b"integration-tests-secret-at-least-32-bytes";
/// The upload limit of every test server (the smallest the setting allows).
pub const MAX_UPLOAD_BYTES: u64 = 1024 * 1024;
/// The password `TestApp::sign_up` registers with.
pub const PASSWORD: &str = "correct horse battery staple";
/// The `iss` of every token the server signs.
pub const ISSUER: &str = "groovoo-service-desk";
/// The `aud` of login tokens (`Authorization: Bearer`).
pub const LOGIN_AUDIENCE: &str = "groovoo-service-desk/api";
/// The `aud` of the tokens in attachments' `download_url`.
pub const ATTACHMENT_AUDIENCE: &str = "groovoo-service-desk/attachment";

/// Rate limits of the test servers: counted and reported, never reached by a test that does not
/// mean to.
pub const GENEROUS_LIMITS: RateLimitSettings = RateLimitSettings {
    api_per_minute: 1_000_000,
    login_per_minute: 1_000_000,
    account_per_minute: 1_000_000,
};

/// A 1×1 transparent PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];
/// The smallest file a PDF reader would recognise as one.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A running server with its own data dir, removed when the test ends.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub client: Client,
    /// The server's database writer, to run SQL on its write connection (storage tests).
    pub writer: Writer,
    _data_dir: TempDir,
}

/// A registered agent and the token it signs in with.
#[derive(Debug, Clone)]
pub struct TestAgent {
    pub token: String,
    pub agent: Agent,
}

impl TestAgent {
    pub fn id(&self) -> i64 {
        self.agent.id
    }

    pub fn agent_ref(&self) -> shared::AgentRef {
        shared::AgentRef {
            id: self.agent.id,
            name: self.agent.name.clone(),
        }
    }
}

impl TestApp {
    /// A server where anyone can register.
    pub async fn spawn() -> Self {
        Self::spawn_with(Signup::Open).await
    }

    pub async fn spawn_with(signup: Signup) -> Self {
        Self::spawn_configured(|settings| settings.signup = signup).await
    }

    /// A server with the test defaults changed by `configure`. The defaults: open sign-up, the
    /// smallest upload limit, bcrypt cost 4, and rate limits no test reaches by accident
    /// ([`GENEROUS_LIMITS`]; the rate-limit tests set their own).
    pub async fn spawn_configured(configure: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("a temporary data dir");
        // Start from the defaults, so that settings added later keep their default here.
        let mut settings =
            Settings::try_from(RawSettings::default()).expect("the default settings are valid");
        settings.addr = "127.0.0.1:0".into();
        settings.data_dir = data_dir.path().to_owned();
        settings.jwt_secret = Some(JWT_SECRET.to_vec());
        settings.max_upload_bytes = MAX_UPLOAD_BYTES;
        settings.token_ttl = Duration::from_secs(3600);
        settings.bcrypt_cost = 4;
        settings.rate_limits = GENEROUS_LIMITS;
        configure(&mut settings);
        let app = Application::build(settings).expect("the test server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let writer = app.writer().clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            writer,
            _data_dir: data_dir,
        }
    }

    /// The absolute URL of a server path such as `/healthz` or a `download_url`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request to `/api/v1{path}` without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("{}{path}", shared::API_PREFIX)))
    }

    /// A request to `/api/v1{path}` with `Authorization: Bearer <token>`.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.get_query(path, token, &[]).await
    }

    /// `GET /api/v1{path}` with the given query-string pairs.
    pub async fn get_query(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Response {
        send(self.authed(Method::GET, path, token).query(query)).await
    }

    pub async fn post<B: Serialize + ?Sized>(&self, path: &str, token: &str, body: &B) -> Response {
        send(self.authed(Method::POST, path, token).json(body)).await
    }

    pub async fn patch<B: Serialize + ?Sized>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Response {
        send(self.authed(Method::PATCH, path, token).json(body)).await
    }

    pub async fn register(&self, name: &str, email: &str, password: &str) -> Response {
        let body = json!({ "name": name, "email": email, "password": password });
        send(self.request(Method::POST, "/auth/register").json(&body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let body = json!({ "email": email, "password": password });
        send(self.request(Method::POST, "/auth/login").json(&body)).await
    }

    /// Registers `name` as `<first name>@groovoo.test` with [`PASSWORD`]. The first agent of a
    /// server is its administrator.
    pub async fn sign_up(&self, name: &str) -> TestAgent {
        let email = format!("{}@groovoo.test", name.split(' ').next().unwrap_or(name));
        let auth: AuthResponse = json_body(
            self.register(name, &email.to_lowercase(), PASSWORD).await,
            StatusCode::CREATED,
        )
        .await;
        TestAgent {
            token: auth.token,
            agent: auth.agent,
        }
    }

    pub async fn create_ticket(&self, token: &str, ticket: &NewTicket) -> Ticket {
        json_body(
            self.post("/tickets", token, ticket).await,
            StatusCode::CREATED,
        )
        .await
    }

    /// Creates tickets with subjects `<prefix> 1` to `<prefix> n`, in that order.
    pub async fn create_tickets(&self, token: &str, prefix: &str, n: usize) -> Vec<Ticket> {
        let mut tickets = Vec::with_capacity(n);
        for i in 1..=n {
            tickets.push(
                self.create_ticket(token, &new_ticket(&format!("{prefix} {i}")))
                    .await,
            );
        }
        tickets
    }

    pub async fn ticket(&self, token: &str, id: i64) -> TicketDetail {
        json_body(
            self.get(&format!("/tickets/{id}"), token).await,
            StatusCode::OK,
        )
        .await
    }

    pub async fn update_ticket(&self, token: &str, id: i64, patch: &Value) -> Ticket {
        json_body(
            self.patch(&format!("/tickets/{id}"), token, patch).await,
            StatusCode::OK,
        )
        .await
    }

    /// `GET /tickets` with the given query pairs.
    pub async fn list_tickets(&self, token: &str, query: &[(&str, &str)]) -> TicketPage {
        json_body(
            self.get_query("/tickets", token, query).await,
            StatusCode::OK,
        )
        .await
    }

    pub async fn comment(&self, token: &str, ticket_id: i64, body: &str) -> Comment {
        let response = self
            .post(
                &format!("/tickets/{ticket_id}/comments"),
                token,
                &json!({ "body": body }),
            )
            .await;
        json_body(response, StatusCode::CREATED).await
    }

    /// Uploads `files` (name, bytes) as parts named `file`.
    pub async fn upload(&self, token: &str, ticket_id: i64, files: &[(&str, &[u8])]) -> Response {
        let form = files.iter().fold(Form::new(), |form, (name, bytes)| {
            form.part("file", file_part(name, bytes))
        });
        self.upload_form(token, ticket_id, form).await
    }

    /// `POST /tickets/{ticket_id}/attachments` with any multipart form.
    pub async fn upload_form(&self, token: &str, ticket_id: i64, form: Form) -> Response {
        let path = format!("/tickets/{ticket_id}/attachments");
        send(self.authed(Method::POST, &path, token).multipart(form)).await
    }

    /// Uploads one file and returns its metadata.
    pub async fn attach(
        &self,
        token: &str,
        ticket_id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Attachment {
        let mut saved: Vec<Attachment> = json_body(
            self.upload(token, ticket_id, &[(name, bytes)]).await,
            StatusCode::CREATED,
        )
        .await;
        saved.pop().expect("one attachment")
    }
}

/// A file part as a browser sends it, declared as `application/octet-stream`.
pub fn file_part(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .expect("a valid media type")
}

/// A valid new ticket; tests change the fields they care about with `..new_ticket(..)`.
pub fn new_ticket(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        customer_name: "Maria Souza".into(),
        customer_contact: "maria@example.com".into(),
        channel: "e-mail".into(),
        category: "pagamento".into(),
        description: "The payment was charged twice.".into(),
        ..NewTicket::default()
    }
}

/// A token as the server would sign it, for `audience` and the agent or attachment `subject`,
/// expiring `expires_in` seconds from now (negative: already expired, well past the leeway).
pub fn sign_token(subject: i64, audience: &str, expires_in: i64) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "sub": subject.to_string(),
        "iss": ISSUER,
        "aud": audience,
        "iat": now + expires_in.min(0) - 60,
        "exp": now + expires_in,
        "tv": 0,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET).expect("a signing key"),
    )
    .expect("a signed token")
}

/// A login token for `agent_id` that expired an hour ago.
pub fn expired_token(agent_id: i64) -> String {
    sign_token(agent_id, LOGIN_AUDIENCE, -3600)
}

pub async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("the server answers")
}

/// Asserts the status and parses the body, showing the body when either fails.
pub async fn json_body<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    let actual = response.status();
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("cannot parse the body ({err}): {text}"))
}

/// Asserts an RFC 9457 error: the status, `application/problem+json`, every member present and
/// consistent, and the machine `code`.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Problem {
    let content_type = header_str(&response, header::CONTENT_TYPE);
    let body: Value = json_body(response, status).await;
    assert_eq!(content_type, PROBLEM_JSON, "error media type; body: {body}");
    for member in ["type", "title", "detail", "code"] {
        assert!(
            body[member].as_str().is_some_and(|s| !s.is_empty()),
            "`{member}` missing or empty in {body}"
        );
    }
    assert_eq!(body["status"], status.as_u16(), "`status` member in {body}");
    assert_eq!(body["code"], code, "machine code in {body}");
    serde_json::from_value(body).expect("a problem document")
}

/// Asserts a 422 `validation_failed` naming exactly `fields`.
pub async fn assert_invalid_fields(response: Response, fields: &[&str]) -> Problem {
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let named: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(named, fields, "invalid fields in {problem:?}");
    problem
}

/// A header as text, or `""` when absent.
pub fn header_str(response: &Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header").to_owned())
        .unwrap_or_default()
}

/// Accounts, API tokens and the audit log.
impl TestApp {
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        send(self.authed(Method::DELETE, path, token)).await
    }

    /// Creates an API token of `scope` (`read` or `read_write`) with the login token `token`.
    pub async fn create_api_token(&self, token: &str, name: &str, scope: &str) -> CreatedApiToken {
        let body = json!({ "name": name, "scope": scope });
        json_body(
            self.post("/tokens", token, &body).await,
            StatusCode::CREATED,
        )
        .await
    }

    /// `GET /tokens` with the given query pairs.
    pub async fn list_api_tokens(&self, token: &str, query: &[(&str, &str)]) -> Vec<ApiToken> {
        json_body(
            self.get_query("/tokens", token, query).await,
            StatusCode::OK,
        )
        .await
    }

    /// `PATCH /agents/{id}` as `admin`, expecting success.
    pub async fn patch_agent(&self, admin: &str, id: i64, patch: &Value) -> Agent {
        json_body(
            self.patch(&format!("/agents/{id}"), admin, patch).await,
            StatusCode::OK,
        )
        .await
    }

    /// The newest `limit` audit entries, read by `admin`.
    pub async fn audit(&self, admin: &str, limit: usize) -> Vec<AuditEntry> {
        let limit = limit.to_string();
        let page: AuditPage = json_body(
            self.get_query("/audit", admin, &[("limit", &limit)]).await,
            StatusCode::OK,
        )
        .await;
        page.items
    }

    /// Asserts that `token` no longer opens anything: `GET /me` is a 401 `invalid_token`.
    pub async fn assert_token_dead(&self, token: &str) {
        assert_problem(
            self.get("/me", token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        )
        .await;
    }

    /// The database and upload files of this server, as stored on disk.
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// Runs SQL on the server's database behind its back: only to move a stored time into the
    /// past (token expiry) without making a test wait.
    pub fn sql(&self, statement: &str) {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let path = self.data_dir().join(api::db::DB_FILE);
        let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
            .expect("the test database opens");
        conn.batch_execute(&format!("PRAGMA busy_timeout = 5000; {statement}"))
            .expect("the statement runs");
    }
}
