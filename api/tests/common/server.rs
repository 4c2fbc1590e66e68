//! The real `servicedesk` binary as a child process on a free loopback port. Shared by the test
//! binaries that start it (`tests/e2e`, `tests/ops`), each including this file with `#[path]`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The longest a server may take to answer `/healthz` before the test fails.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How often the start-up wait checks again.
const POLL: Duration = Duration::from_millis(20);

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The `servicedesk` binary at `program` with none of the developer's `DESK_*` settings, a cheap
/// bcrypt cost and quiet logs.
pub fn command(program: &Path) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DESK_") {
            command.env_remove(key);
        }
    }
    command
        .env("DESK_BCRYPT_COST", "4")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// The `servicedesk` built for these tests, as [`command`] prepares it.
pub fn servicedesk() -> Command {
    command(Path::new(env!("CARGO_BIN_EXE_servicedesk")))
}

/// A `servicedesk serve` process; killed (by its PID) when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub port: u16,
    child: Child,
    log: PathBuf,
    _logs: TempDir,
}

impl Server {
    /// Starts the server on `data_dir` (`None`: a fresh one, removed with the server) with the
    /// settings `configure` adds, and waits until `/healthz` answers.
    pub async fn serve(data_dir: Option<&Path>, configure: impl FnOnce(&mut Command)) -> Self {
        let logs = tempfile::tempdir().expect("a folder for the server's log and data");
        let data_dir = data_dir.map_or_else(|| logs.path().join("data"), Path::to_owned);
        let log = logs.path().join("server.log");
        let output = File::create(&log).expect("the server log file");
        let port = free_port();
        let mut command = servicedesk();
        command
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data_dir)
            .stdout(output.try_clone().expect("the server log file"))
            .stderr(output);
        configure(&mut command);
        let child = command.spawn().expect("servicedesk starts");
        let mut server = Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            child,
            log,
            _logs: logs,
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
                start.elapsed() < START_TIMEOUT,
                "servicedesk did not answer {url} within {START_TIMEOUT:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process, for tests that signal it or wait for it.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
