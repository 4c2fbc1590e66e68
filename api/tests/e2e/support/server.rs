//! The real `servicedesk` binary, as a child process on a free loopback port with a fresh data
//! dir, serving the built web app from `web/dist`.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use tempfile::TempDir;

use super::{POLL, TIMEOUT, free_port, repo_root};

/// The server process; killed (by its PID) when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: Child,
    log: PathBuf,
    _dir: TempDir,
}

/// `web/dist`, or a panic telling how to build it.
fn web_dist() -> PathBuf {
    let dist = repo_root().join("web").join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} is missing: run scripts/build-web.sh first (the e2e tests serve the built web app)",
        dist.join("index.html").display()
    );
    dist
}

impl Server {
    /// Starts the server and waits until `/healthz` answers.
    pub async fn start() -> Self {
        let dist = web_dist();
        let dir = tempfile::tempdir().expect("a temporary folder for the server");
        let data_dir = dir.path().join("data");
        let log = dir.path().join("server.log");
        let output = File::create(&log).expect("the server log file");
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_servicedesk"));
        // The developer's own settings must not leak into the test server.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("DESK_") {
                command.env_remove(key);
            }
        }
        let child = command
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--web-dir")
            .arg(&dist)
            .env("DESK_BCRYPT_COST", "4")
            // Flows seed their data through the API and sign in often: limits out of the way
            // (the API tests cover them).
            .env("DESK_RATE_LIMIT_API_PER_MINUTE", "1000000")
            .env("DESK_RATE_LIMIT_LOGIN_PER_MINUTE", "1000000")
            .env("DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE", "1000000")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the server log file"))
            .stderr(output)
            .spawn()
            .expect("the servicedesk binary starts");
        let mut server = Self {
            base,
            child,
            log,
            _dir: dir,
        };
        server.wait_until_healthy().await;
        server
    }

    async fn wait_until_healthy(&mut self) {
        let http = reqwest::Client::new();
        let url = format!("{}/healthz", self.base);
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "servicedesk exited ({status}) before answering:\n{}",
                    self.log()
                );
            }
            if let Ok(response) = http.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "servicedesk did not answer {url} within {TIMEOUT:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
