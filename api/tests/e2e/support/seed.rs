//! Data a scenario needs before the agent starts, put in through the REST API (the UI flows
//! under test are done in the browser; everything else is quicker and clearer this way).

use std::sync::Mutex;

use reqwest::{RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    Attachment, AuthResponse, Comment, CreatedApiToken, LoginRequest, NewApiToken, NewComment,
    NewTicket, RegisterRequest, Ticket, TicketPatch, TicketStatus, TokenScope,
};

use super::PASSWORD;

/// A client of the server's REST API.
pub struct Api {
    base: String,
    http: reqwest::Client,
    /// The first account's login token: with the default `DESK_SIGNUP=admin` the administrator
    /// creates every later account.
    admin: Mutex<Option<String>>,
}

/// A new ticket with sensible defaults for what the scenario does not care about.
pub fn ticket(subject: &str, customer: &str, category: &str) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        customer_name: customer.to_owned(),
        customer_contact: "cliente@example.com".to_owned(),
        channel: "whatsapp".to_owned(),
        category: category.to_owned(),
        description: format!("{subject}: o cliente pede ajuda."),
        assignee_id: None,
        priority: None,
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: format!("{base}/api/v1"),
            http: reqwest::Client::new(),
            admin: Mutex::default(),
        }
    }

    /// Sends `request`, checks it got `expected`, and reads the JSON answer.
    async fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        expected: StatusCode,
        what: &str,
    ) -> T {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let body = response.text().await.expect("a response body");
        assert_eq!(status, expected, "{what}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e} in {body}"))
    }

    /// Registers an agent: the first one becomes the administrator, who creates the others.
    pub async fn register(&self, name: &str, email: &str) -> AuthResponse {
        let mut request =
            self.http
                .post(format!("{}/auth/register", self.base))
                .json(&RegisterRequest {
                    name: name.to_owned(),
                    email: email.to_owned(),
                    password: PASSWORD.to_owned(),
                });
        let admin = self.admin.lock().expect("the admin token").clone();
        if let Some(admin) = admin {
            request = request.bearer_auth(admin);
        }
        let auth: AuthResponse = self.send(request, StatusCode::CREATED, "registering").await;
        self.admin
            .lock()
            .expect("the admin token")
            .get_or_insert_with(|| auth.token.clone());
        auth
    }

    pub async fn create_ticket(&self, auth: &AuthResponse, ticket: &NewTicket) -> Ticket {
        let request = self
            .http
            .post(format!("{}/tickets", self.base))
            .bearer_auth(&auth.token)
            .json(ticket);
        self.send(request, StatusCode::CREATED, "creating a ticket")
            .await
    }

    /// Creates one ticket per `(status, subject, customer, category slug)`, in that order (so
    /// the last is the newest), each moved to its status.
    pub async fn tickets(
        &self,
        auth: &AuthResponse,
        rows: &[(TicketStatus, &str, &str, &str)],
    ) -> Vec<Ticket> {
        let mut created = Vec::with_capacity(rows.len());
        for (status, subject, customer, category) in rows {
            let new = self
                .create_ticket(auth, &ticket(subject, customer, category))
                .await;
            created.push(match status {
                TicketStatus::Open => new,
                _ => self.set_status(auth, &new, *status).await,
            });
        }
        created
    }

    pub async fn set_status(
        &self,
        auth: &AuthResponse,
        ticket: &Ticket,
        status: TicketStatus,
    ) -> Ticket {
        let request = self
            .http
            .patch(format!("{}/tickets/{}", self.base, ticket.id))
            .bearer_auth(&auth.token)
            .header("If-Match", format!("\"{}\"", ticket.version))
            .json(&TicketPatch {
                status: Some(status),
                ..Default::default()
            });
        self.send(request, StatusCode::OK, "changing the status")
            .await
    }

    pub async fn comment(&self, auth: &AuthResponse, ticket: &Ticket, body: &str) -> Comment {
        let request = self
            .http
            .post(format!("{}/tickets/{}/comments", self.base, ticket.id))
            .bearer_auth(&auth.token)
            .json(&NewComment {
                body: body.to_owned(),
            });
        self.send(request, StatusCode::CREATED, "commenting").await
    }

    pub async fn attach_png(
        &self,
        auth: &AuthResponse,
        ticket: &Ticket,
        name: &str,
    ) -> Vec<Attachment> {
        let part = reqwest::multipart::Part::bytes(super::app::PNG.to_vec())
            .file_name(name.to_owned())
            .mime_str("image/png")
            .expect("a valid media type");
        let request = self
            .http
            .post(format!("{}/tickets/{}/attachments", self.base, ticket.id))
            .bearer_auth(&auth.token)
            .multipart(reqwest::multipart::Form::new().part("file", part));
        self.send(request, StatusCode::CREATED, "uploading").await
    }

    /// Creates an API token of `auth`'s agent that never expires.
    pub async fn create_token(
        &self,
        auth: &AuthResponse,
        name: &str,
        scope: TokenScope,
    ) -> CreatedApiToken {
        let request = self
            .http
            .post(format!("{}/tokens", self.base))
            .bearer_auth(&auth.token)
            .json(&NewApiToken {
                name: name.to_owned(),
                scope,
                expires_at: None,
            });
        self.send(request, StatusCode::CREATED, "creating a token")
            .await
    }

    /// The status of signing in as `email` with `password`.
    pub async fn login_status(&self, email: &str, password: &str) -> StatusCode {
        let request = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&LoginRequest {
                email: email.to_owned(),
                password: password.to_owned(),
            });
        status(request, None).await
    }

    /// The status of `GET path` with `token` (or none).
    pub async fn status_of(&self, path: &str, token: Option<&str>) -> StatusCode {
        status(self.http.get(format!("{}{path}", self.base)), token).await
    }

    /// The status of `POST path` of the JSON `body` with `token` (or none).
    pub async fn post_status_of(
        &self,
        path: &str,
        token: Option<&str>,
        body: &impl Serialize,
    ) -> StatusCode {
        let request = self.http.post(format!("{}{path}", self.base)).json(body);
        status(request, token).await
    }
}

/// The status `request` gets, sent with `token` (or none).
async fn status(mut request: RequestBuilder, token: Option<&str>) -> StatusCode {
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the server answers").status()
}
