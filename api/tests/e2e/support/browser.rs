//! Headless Chromium under chromedriver, both started here: chromedriver on a free port in a
//! process group of its own (so the Chromium it starts can be ended with it), a fresh profile,
//! and downloads saved into a temporary folder.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::{POLL, TIMEOUT, free_port};

/// chromedriver and the Chromium it drives, from `CHROMEDRIVER` / `CHROMIUM` or Debian's paths.
fn program(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{} is missing: install Chromium and its driver (Debian: apt-get install chromium \
         chromium-driver) or set {var}",
        path.display()
    );
    path
}

/// The flags of a headless Chromium that runs as root in a container and never phones home.
const CHROMIUM_FLAGS: [&str; 11] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,900",
    "--lang=pt-BR",
];

/// One browser session; chromedriver and Chromium are killed when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    downloads: TempDir,
    _profile: TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        let chromedriver = program("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = program("CHROMIUM", "/usr/bin/chromium");
        let profile = tempfile::tempdir().expect("a browser profile folder");
        let downloads = tempfile::tempdir().expect("a downloads folder");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, whose id is its PID: killing the group ends Chromium too.
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        // From here on, a panic still ends the processes (through Drop).
        let mut guard = DriverGuard(Some(driver));
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&webdriver, guard.child()).await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "intl.accept_languages": "pt-BR,pt",
                },
            }),
        );
        // The console, read back to catch CSP violations and Rust panics.
        capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .expect("chromedriver opens a Chromium session");
        let browser = Self {
            client,
            driver: guard.0.take().expect("the driver process"),
            downloads,
            _profile: profile,
        };
        // Chromium 156 honours the download preferences headless; older headless builds only
        // obeyed DevTools, so say it there too.
        browser
            .cdp(
                "Browser.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": browser.downloads.path() }),
            )
            .await;
        browser
    }

    /// Where downloaded files land.
    pub fn downloads(&self) -> &Path {
        self.downloads.path()
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("DevTools command {cmd} failed: {e}"))
    }

    /// The console messages logged since the last call.
    pub async fn console(&self) -> Vec<ConsoleEntry> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("chromedriver returns the browser log");
        serde_json::from_value(entries).expect("log entries")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        end_group(&mut self.driver);
    }
}

/// Kills chromedriver's process group (chromedriver and every Chromium process), and waits
/// (briefly) until the group is gone, so no Chromium still writes to the profile being removed.
fn end_group(child: &mut Child) {
    let group = i32::try_from(child.id()).ok().map(Pid::from_raw);
    if let Some(group) = group {
        let _ = killpg(group, Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
    let start = Instant::now();
    // Signal `None` only checks: it fails once no process of the group is left.
    while let Some(group) = group
        && killpg(group, None).is_ok()
        && start.elapsed() < Duration::from_secs(5)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ends chromedriver if starting the session fails half-way.
struct DriverGuard(Option<Child>);

impl DriverGuard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("the driver process")
    }
}

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            end_group(child);
        }
    }
}

async fn wait_until_ready(webdriver: &str, driver: &mut Child) {
    let http = reqwest::Client::new();
    let url = format!("{webdriver}/status");
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            panic!("chromedriver exited ({status}) before answering");
        }
        if let Ok(response) = http.get(&url).send().await
            && let Ok(body) = response.json::<Value>().await
            && body["value"]["ready"] == json!(true)
        {
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "chromedriver did not answer {url} within {TIMEOUT:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A line of the browser console.
#[derive(Debug, serde::Deserialize)]
pub struct ConsoleEntry {
    pub level: String,
    pub message: String,
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// chromedriver's `POST /session/{id}/se/log` for the `browser` log.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}
