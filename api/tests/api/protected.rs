//! Every endpoint behind a login answers 2xx with a valid token and 401 without one, with a
//! garbage one or with an expired one: the same request, only the credentials differ.

use reqwest::multipart::Form;
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde::Serialize;
use serde_json::json;

use crate::helpers::{
    PNG, TestAgent, TestApp, assert_problem, expired_token, file_part, header_str, new_ticket, send,
};

/// A server with one of everything, so that every request below succeeds when authorised.
struct Fixture {
    app: TestApp,
    admin: TestAgent,
    ticket_id: i64,
    attachment_id: i64,
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
        Self {
            app,
            admin,
            ticket_id,
            attachment_id,
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
}

/// Sends the request `build` makes with `credentials` on a fresh fixture and checks the answer:
/// 2xx for valid credentials, else 401 with `WWW-Authenticate: Bearer` and the matching code.
async fn check(credentials: Credentials, build: fn(&Fixture) -> RequestBuilder) {
    let fixture = Fixture::new().await;
    let request = build(&fixture);
    let (token, code) = match credentials {
        Credentials::Valid => (Some(fixture.admin.token.clone()), None),
        Credentials::Missing => (None, Some("unauthenticated")),
        Credentials::Garbage => (Some("not.a.token".into()), Some("invalid_token")),
        Credentials::Expired => (
            Some(expired_token(fixture.admin.id())),
            Some("token_expired"),
        ),
    };
    let response = send(match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    })
    .await;
    let Some(code) = code else {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{status}: {body}");
        return;
    };
    assert_eq!(header_str(&response, header::WWW_AUTHENTICATE), "Bearer");
    assert_problem(response, StatusCode::UNAUTHORIZED, code).await;
}

/// For each endpoint, a module of four tests: `succeeds_with_a_valid_token`,
/// `returns_401_without_token`, `returns_401_with_garbage_token`, `returns_401_with_expired_token`.
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
        }
    )+};
}

protected_endpoints! {
    me => |f| f.get("/me");
    list_agents => |f| f.get("/agents");
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
