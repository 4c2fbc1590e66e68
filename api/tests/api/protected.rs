//! Every endpoint behind a login answers 2xx with a valid token and 401 without one, with a
//! garbage one or with an expired one: the same request, only the credentials differ. A `read`
//! API token reads but is refused (403) on every write and on what needs a password sign-in.

use reqwest::multipart::Form;
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde::Serialize;
use serde_json::json;
use shared::CreatedApiToken;

use crate::helpers::{
    PASSWORD, PNG, TestAgent, TestApp, assert_problem, expired_token, file_part, header_str,
    new_ticket,
};

/// A server with one of everything, so that every request below succeeds when authorised.
struct Fixture {
    app: TestApp,
    admin: TestAgent,
    ticket_id: i64,
    attachment_id: i64,
    /// A `read` API token of the admin.
    read_token: CreatedApiToken,
}

impl Fixture {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let admin = app.sign_up("Ana Admin").await;
        let ticket_id = app
            .create_ticket(&admin.token, &new_ticket("Fixture"))
            .await
            .id;
        let attachment_id = app
            .attach(&admin.token, ticket_id, "print.png", PNG)
            .await
            .id;
        let read_token = app.create_api_token(&admin.token, "Fixture", "read").await;
        Self {
            app,
            admin,
            ticket_id,
            attachment_id,
            read_token,
        }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.app.request(Method::GET, path)
    }

    fn send_json(&self, method: Method, path: &str, body: &impl Serialize) -> RequestBuilder {
        self.app.request(method, path).json(body)
    }

    fn ticket_path(&self, tail: &str) -> String {
        format!("/tickets/{}{tail}", self.ticket_id)
    }

    fn admin_path(&self) -> String {
        format!("/agents/{}", self.admin.id())
    }

    fn token_path(&self) -> String {
        format!("/tokens/{}", self.read_token.token.id)
    }
}

/// What the request carries in `Authorization`.
enum Credentials {
    /// The admin's login token.
    Valid,
    /// No header at all.
    Missing,
    /// Something that is not a token.
    Garbage,
    /// A correctly signed login token of the admin that expired an hour ago.
    Expired,
    /// A `read` API token of the admin.
    ReadToken,
}

/// Paths that need a password sign-in: an API token gets 403 `session_required` there.
fn needs_session(path: &str) -> bool {
    let path = path.trim_start_matches(shared::API_PREFIX);
    path.starts_with("/tokens") || path == "/me/password" || path == "/auth/logout"
}

/// Sends the request `build` makes with `credentials` on a fresh fixture and checks the answer:
/// 2xx for valid credentials, else 401 with `WWW-Authenticate: Bearer` and the matching code.
async fn check(credentials: Credentials, build: fn(&Fixture) -> RequestBuilder) {
    let fixture = Fixture::new().await;
    let request = build(&fixture).build().expect("a valid request");
    let writes = request.method() != Method::GET;
    let session_only = needs_session(request.url().path());
    let (token, code) = match credentials {
        Credentials::Valid => (Some(fixture.admin.token.clone()), None),
        Credentials::Missing => (None, Some("unauthenticated")),
        Credentials::Garbage => (Some("not.a.token".into()), Some("invalid_token")),
        Credentials::Expired => (
            Some(expired_token(fixture.admin.id())),
            Some("token_expired"),
        ),
        Credentials::ReadToken => {
            let code = if writes {
                Some("insufficient_scope")
            } else if session_only {
                Some("session_required")
            } else {
                None
            };
            (Some(fixture.read_token.secret.clone()), code)
        }
    };
    let mut request = request;
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().expect("a header value");
        request.headers_mut().insert(header::AUTHORIZATION, value);
    }
    let response = fixture
        .app
        .client
        .execute(request)
        .await
        .expect("the server answers");
    let Some(code) = code else {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{status}: {body}");
        return;
    };
    if matches!(credentials, Credentials::ReadToken) {
        assert_problem(response, StatusCode::FORBIDDEN, code).await;
        return;
    }
    assert_eq!(header_str(&response, header::WWW_AUTHENTICATE), "Bearer");
    assert_problem(response, StatusCode::UNAUTHORIZED, code).await;
}

/// For each endpoint, a module of five tests: `succeeds_with_a_valid_token`,
/// `returns_401_without_token`, `returns_401_with_garbage_token`, `returns_401_with_expired_token`
/// and `answers_a_read_api_token_by_its_scope`.
macro_rules! protected_endpoints {
    ($($name:ident => $build:expr;)+) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn succeeds_with_a_valid_token() {
                check(Credentials::Valid, $build).await;
            }

            #[tokio::test]
            async fn returns_401_without_token() {
                check(Credentials::Missing, $build).await;
            }

            #[tokio::test]
            async fn returns_401_with_garbage_token() {
                check(Credentials::Garbage, $build).await;
            }

            #[tokio::test]
            async fn returns_401_with_expired_token() {
                check(Credentials::Expired, $build).await;
            }

            #[tokio::test]
            async fn answers_a_read_api_token_by_its_scope() {
                check(Credentials::ReadToken, $build).await;
            }
        }
    )+};
}

protected_endpoints! {
    me => |f| f.get("/me");
    logout => |f| f.send_json(Method::POST, "/auth/logout", &json!({}));
    change_password => |f| f.send_json(Method::POST, "/me/password",
        &json!({ "current_password": PASSWORD, "new_password": "another long password" }));
    list_agents => |f| f.get("/agents");
    update_agent => |f| f.send_json(Method::PATCH, &f.admin_path(), &json!({ "role": "admin" }));
    list_tokens => |f| f.get("/tokens");
    create_token => |f| f.send_json(Method::POST, "/tokens", &json!({ "name": "CI", "scope": "read" }));
    revoke_token => |f| f.app.request(Method::DELETE, &f.token_path());
    list_audit => |f| f.get("/audit?limit=5");
    list_categories => |f| f.get("/categories");
    create_category => |f| f.send_json(Method::POST, "/categories", &json!({ "name": "Cortesias" }));
    list_channels => |f| f.get("/channels");
    create_channel => |f| f.send_json(Method::POST, "/channels", &json!({ "name": "Instagram" }));
    list_tickets => |f| f.get("/tickets");
    create_ticket => |f| f.send_json(Method::POST, "/tickets", &new_ticket("New"));
    ticket_counts => |f| f.get("/tickets/counts");
    export_tickets => |f| f.get("/tickets/export?format=csv");
    get_ticket => |f| f.get(&f.ticket_path(""));
    update_ticket => |f| f.send_json(Method::PATCH, &f.ticket_path(""), &json!({ "priority": "high" }));
    list_comments => |f| f.get(&f.ticket_path("/comments"));
    create_comment => |f| f.send_json(Method::POST, &f.ticket_path("/comments"), &json!({ "body": "Olá" }));
    upload_attachments => |f| f.app.request(Method::POST, &f.ticket_path("/attachments"))
        .multipart(Form::new().part("file", file_part("a.png", PNG)));
    download_attachment => |f| f.get(&format!("/attachments/{}", f.attachment_id));
}
