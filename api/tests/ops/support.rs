//! The real `servicedesk` binary as a child process on a free loopback port, a small API client,
//! and bounded polling. Every wait has a deadline; nothing sleeps for timing.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Child, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reqwest::{Client, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;
use shared::{AuthResponse, NewTicket, Ticket, TicketDetail};

/// The token secret of every server here, so tokens stay valid across restarts and restores.
pub const JWT_SECRET: &str = "operations-tests-secret-at-least-32-bytes";
/// The longest any wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// How often a wait checks its condition again.
pub const POLL: Duration = Duration::from_millis(20);

/// Runs a `servicedesk` command to its end (at most [`TIMEOUT`]), off the async executor.
pub async fn run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let child = servicedesk()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("servicedesk starts");
        finish(child)
    })
    .await
    .expect("the command ran")
}

/// What a finished command printed on stdout and stderr.
pub fn printed(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Waits for `child` to end (killing it after [`TIMEOUT`]) and returns what it printed.
pub fn finish(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("the child's status").is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the child's output");
            panic!(
                "servicedesk did not end within {TIMEOUT:?}; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(POLL);
    }
    child.wait_with_output().expect("the child's output")
}

/// Polls `check` until it returns something, failing the test after `within`.
pub async fn eventually<T>(
    what: &str,
    within: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(POLL).await;
    }
}

#[path = "../common/server.rs"]
mod process;

pub use process::{Server, command, servicedesk};

impl Server {
    /// Starts the server on `data_dir`, with the token secret every server here shares, and
    /// waits until `/healthz` answers.
    pub async fn start(data_dir: &Path) -> Self {
        Self::serve(Some(data_dir), |command| {
            command.env("DESK_JWT_SECRET", JWT_SECRET);
        })
        .await
    }

    fn pid(&mut self) -> Pid {
        Pid::from_raw(i32::try_from(self.child().id()).expect("a PID"))
    }

    /// Sends `signal` to the server process.
    pub fn signal(&mut self, signal: Signal) {
        kill(self.pid(), signal).expect("the server process takes the signal");
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn crash(&mut self) {
        self.signal(Signal::SIGKILL);
        self.child().wait().expect("the killed server is reaped");
    }

    /// Waits for the process to end by itself, at most `within`.
    pub async fn exit_status(&mut self, within: Duration) -> ExitStatus {
        let child = self.child();
        eventually("the server exits", within, || {
            child.try_wait().expect("the server's status")
        })
        .await
    }
}

/// The API of one server, as one signed-in agent.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: Client,
    pub token: String,
}

async fn parse<T: DeserializeOwned>(response: reqwest::Response, status: StatusCode) -> T {
    let actual = response.status();
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("cannot parse ({err}): {text}"))
}

impl Api {
    /// Registers the first agent (the administrator) of the server at `base`.
    pub async fn sign_up(base: &str) -> Self {
        let http = Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("an HTTP client");
        let response = http
            .post(format!("{base}/api/v1/auth/register"))
            .json(&json!({
                "name": "Ana Souza",
                "email": "ana@groovoo.test",
                "password": "correct horse battery staple",
            }))
            .send()
            .await
            .expect("the server answers");
        let auth: AuthResponse = parse(response, StatusCode::CREATED).await;
        Self {
            base: base.to_owned(),
            http,
            token: auth.token,
        }
    }

    /// The same agent on another server (a restart or a restored copy).
    pub fn on(&self, base: &str) -> Self {
        Self {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.base, shared::API_PREFIX)
    }

    /// `POST /tickets`; `Err` when no 201 with its body arrived (the server died, say).
    pub async fn try_create(&self, ticket: &NewTicket) -> Result<Ticket, String> {
        let response = self
            .http
            .post(self.url("/tickets"))
            .bearer_auth(&self.token)
            .json(ticket)
            .send()
            .await
            .map_err(|err| err.to_string())?;
        if response.status() != StatusCode::CREATED {
            return Err(format!("status {}", response.status()));
        }
        response.json().await.map_err(|err| err.to_string())
    }

    pub async fn create(&self, ticket: &NewTicket) -> Ticket {
        self.try_create(ticket)
            .await
            .expect("the ticket is created")
    }

    pub async fn comment(&self, ticket_id: i64, body: &str) {
        let response = self
            .http
            .post(self.url(&format!("/tickets/{ticket_id}/comments")))
            .bearer_auth(&self.token)
            .json(&json!({ "body": body }))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    /// `GET /tickets/{id}`: the detail, or `None` on 404.
    pub async fn detail(&self, id: i64) -> Option<TicketDetail> {
        let response = self
            .http
            .get(self.url(&format!("/tickets/{id}")))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the server answers");
        if response.status() == StatusCode::NOT_FOUND {
            return None;
        }
        Some(parse(response, StatusCode::OK).await)
    }

    /// The bytes behind a `download_url`.
    pub async fn download(&self, download_url: &str) -> Vec<u8> {
        let response = self
            .http
            .get(format!("{}{download_url}", self.base))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::OK, "{download_url}");
        response.bytes().await.expect("the file").to_vec()
    }
}

/// A valid new ticket whose every text names it.
pub fn ticket(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        customer_name: format!("Conceição {subject}"),
        customer_contact: "joao@example.com".into(),
        channel: "whatsapp".into(),
        category: "pagamento".into(),
        description: format!("{subject}: o pagamento foi cobrado duas vezes."),
        ..NewTicket::default()
    }
}

/// Asserts that the stored ticket holds exactly what was sent.
pub fn assert_holds(stored: &Ticket, sent: &NewTicket) {
    assert_eq!(stored.subject, sent.subject);
    assert_eq!(stored.customer_name, sent.customer_name);
    assert_eq!(stored.customer_contact, sent.customer_contact);
    assert_eq!(stored.channel, sent.channel);
    assert_eq!(stored.category, sent.category);
    assert_eq!(stored.description, sent.description);
}
