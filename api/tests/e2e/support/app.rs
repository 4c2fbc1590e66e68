//! `App`: a server, a browser pointed at it and an API client, plus the page helpers the
//! scenarios use. Every wait is explicit and bounded by [`TIMEOUT`]; a failed wait saves a
//! screenshot and reports the URL, the visible text, the console and the server log.

use std::time::Instant;

use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::browser::Browser;
use super::seed::Api;
use super::server::Server;
use super::{PASSWORD, POLL, Slot, TIMEOUT, shots_dir};

/// A 16×16 lavender PNG with a purple stripe: small, valid, and visible in a screenshot.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x91, 0x68,
    0x36, 0x00, 0x00, 0x00, 0x5b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x95, 0xd2, 0x0d, 0x0a, 0x00,
    0x10, 0x0c, 0x86, 0xe1, 0xf7, 0x5c, 0xce, 0xe6, 0x3c, 0x4e, 0xe2, 0x3a, 0xce, 0x80, 0x52, 0xf2,
    0x3b, 0x9f, 0x9a, 0x6c, 0xea, 0x49, 0x66, 0x78, 0x97, 0x5a, 0xc4, 0x90, 0x95, 0xa0, 0x03, 0xd1,
    0x4c, 0x40, 0x31, 0xd4, 0xf5, 0x65, 0x68, 0x9b, 0x6e, 0xe8, 0x99, 0x68, 0x18, 0x0b, 0xc5, 0xb0,
    0xd4, 0x4f, 0xc3, 0x7e, 0x64, 0x1b, 0x8e, 0xf7, 0x1a, 0x86, 0xdb, 0xe3, 0x6e, 0x06, 0xa3, 0x83,
    0x47, 0x83, 0xfd, 0x4d, 0xbb, 0xe1, 0x39, 0x0b, 0x8b, 0x41, 0x19, 0xb8, 0x6f, 0x30, 0x9a, 0x02,
    0x0e, 0xcb, 0x2f, 0xe3, 0x7f, 0xd7, 0xd5, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// The `localStorage` key of the signed-in session (web/src/session.rs).
pub const SESSION_KEY: &str = "gsd.session";

pub struct App {
    pub api: Api,
    // Dropped in this order: the browser goes before the server it talks to.
    pub browser: Browser,
    pub server: Server,
    _slot: Slot,
}

impl App {
    /// A fresh server and a fresh browser.
    pub async fn start() -> Self {
        let slot = Slot::take();
        let server = Server::start().await;
        let browser = Browser::start().await;
        Self {
            api: Api::new(&server.base),
            browser,
            server,
            _slot: slot,
        }
    }

    pub fn client(&self) -> &Client {
        &self.browser.client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    /// Opens `path` as if typed into the address bar (a full page load).
    pub async fn goto(&self, path: &str) {
        self.open(&self.url(path)).await;
    }

    async fn open(&self, url: &str) {
        if let Err(err) = self.client().goto(url).await {
            self.fail(&format!("opening {url}: {err}")).await;
        }
    }

    /// The browser window the commands go to.
    pub async fn window(&self) -> WindowHandle {
        match self.client().window().await {
            Ok(window) => window,
            Err(err) => {
                self.fail(&format!("reading the window handle: {err}"))
                    .await
            }
        }
    }

    /// Opens `path` in a new window, and switches to it, on `http://localhost:<port>`: the same
    /// server under another origin, so the window keeps a session (`localStorage`) of its own,
    /// like a second person's browser.
    pub async fn open_other_origin_window(&self, path: &str) -> WindowHandle {
        let window = match self.client().new_window(false).await {
            Ok(created) => created.handle,
            Err(err) => self.fail(&format!("opening a window: {err}")).await,
        };
        self.switch_to(&window).await;
        let port = self.server.port;
        self.open(&format!("http://localhost:{port}{path}")).await;
        window
    }

    /// Sends the next commands to `window`.
    pub async fn switch_to(&self, window: &WindowHandle) {
        if let Err(err) = self.client().switch_to_window(window.clone()).await {
            self.fail(&format!("switching windows: {err}")).await;
        }
    }

    pub async fn reload(&self) {
        if let Err(err) = self.client().refresh().await {
            self.fail(&format!("reloading: {err}")).await;
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        match self.client().execute(script, args).await {
            Ok(value) => value,
            Err(err) => self.fail(&format!("running a script: {err}")).await,
        }
    }

    /// Waits until `script` returns something truthy, and returns it.
    pub async fn until(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let start = Instant::now();
        loop {
            let value = self.js(script, args.clone()).await;
            let ready = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if ready {
                return value;
            }
            if start.elapsed() > TIMEOUT {
                self.fail(&format!("waited {TIMEOUT:?} for {what}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client()
            .wait()
            .at_most(TIMEOUT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(err) => self.fail(&format!("waiting for `{css}`: {err}")).await,
        }
    }

    /// Waits until an element matching `css` shows `text` (as rendered, so hidden text does
    /// not count).
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        self.until(
            &format!("`{css}` to show {text:?}"),
            "const [css, text] = arguments;
             return [...document.querySelectorAll(css)].some(e => e.innerText.includes(text));",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    /// Waits until no element matching `css` shows `text`.
    pub async fn wait_for_no_text(&self, css: &str, text: &str) {
        self.until(
            &format!("no `{css}` to show {text:?}"),
            "const [css, text] = arguments;
             return ![...document.querySelectorAll(css)].some(e => e.innerText.includes(text));",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    /// Waits until an element matching `css` (a table row, say) shows both `key` and `text`.
    pub async fn wait_for_row(&self, css: &str, key: &str, text: &str) {
        self.until(
            &format!("a `{css}` with {key:?} to show {text:?}"),
            "const [css, key, text] = arguments;
             return [...document.querySelectorAll(css)]
                 .some(e => e.innerText.includes(key) && e.innerText.includes(text));",
            vec![json!(css), json!(key), json!(text)],
        )
        .await;
    }

    /// Waits until the drop-down matching `css` shows the option labelled `label`.
    pub async fn wait_for_selected(&self, css: &str, label: &str) {
        self.until(
            &format!("`{css}` to show {label:?}"),
            "const [css, label] = arguments;
             const select = document.querySelector(css);
             return select && select.selectedOptions[0]?.text.trim() === label;",
            vec![json!(css), json!(label)],
        )
        .await;
    }

    /// Waits for the browser's confirmation dialog, checks it asks `question`, and says yes.
    /// Nothing else may be sent to the browser meanwhile: chromedriver would dismiss the dialog.
    pub async fn confirm_dialog(&self, question: &str) {
        let start = Instant::now();
        let text = loop {
            match self.client().get_alert_text().await {
                Ok(text) => break text,
                Err(err) if start.elapsed() > TIMEOUT => {
                    self.fail(&format!("waited {TIMEOUT:?} for a dialog: {err}"))
                        .await
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        };
        if let Err(err) = self.client().accept_alert().await {
            self.fail(&format!("accepting the dialog {text:?}: {err}"))
                .await;
        }
        assert!(
            text.contains(question),
            "the dialog asked {text:?}, not {question:?}"
        );
    }

    /// Waits until the texts of the elements matching `css` are exactly `expected`.
    pub async fn wait_for_texts(&self, css: &str, expected: &[&str]) {
        self.until(
            &format!("`{css}` to be exactly {expected:?}"),
            "const [css, expected] = arguments;
             const texts = [...document.querySelectorAll(css)].map(e => e.innerText.trim());
             return JSON.stringify(texts) === JSON.stringify(expected);",
            vec![json!(css), json!(expected)],
        )
        .await;
    }

    /// Waits until the address bar shows `expected` (path and query).
    pub async fn wait_for_path(&self, expected: &str) {
        self.until(
            &format!("the address to be {expected}"),
            "return location.pathname + location.search === arguments[0];",
            vec![json!(expected)],
        )
        .await;
    }

    /// Types `text` into the (empty) field matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        if let Err(err) = field.send_keys(text).await {
            self.fail(&format!("typing into `{css}`: {err}")).await;
        }
    }

    /// Replaces what the field matching `css` holds with `text`, as a person would: select
    /// all, then type.
    pub async fn retype(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        let keys = format!("{}a{}{}{text}", Key::Control, Key::Null, Key::Backspace);
        if let Err(err) = field.send_keys(&keys).await {
            self.fail(&format!("typing into `{css}`: {err}")).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        if let Err(err) = element.click().await {
            self.fail(&format!("clicking `{css}`: {err}")).await;
        }
    }

    /// Chooses the option labelled `label` in the drop-down matching `css`.
    pub async fn choose(&self, css: &str, label: &str) {
        let select = self.find(css).await;
        // The options may still be loading.
        self.until(
            &format!("`{css}` to offer {label:?}"),
            "const [css, label] = arguments;
             return [...document.querySelector(css).options].some(o => o.text.trim() === label);",
            vec![json!(css), json!(label)],
        )
        .await;
        if let Err(err) = select.select_by_label(label).await {
            self.fail(&format!("choosing {label:?} in `{css}`: {err}"))
                .await;
        }
    }

    pub async fn local_storage(&self, key: &str) -> Option<String> {
        self.js(
            "return localStorage.getItem(arguments[0]);",
            vec![json!(key)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    pub async fn set_local_storage(&self, key: &str, value: &str) {
        self.js(
            "localStorage.setItem(arguments[0], arguments[1]);",
            vec![json!(key), json!(value)],
        )
        .await;
    }

    /// The login token this browser keeps (`localStorage`), if it is signed in.
    pub async fn session_token(&self) -> Option<String> {
        self.local_storage(SESSION_KEY)
            .await
            .and_then(|json| serde_json::from_str::<Value>(&json).ok())
            .and_then(|session| session["token"].as_str().map(str::to_owned))
    }

    /// Signs in through the login form (the browser must be on `/login`) and waits to leave it.
    pub async fn log_in(&self, email: &str) {
        self.log_in_with(email, PASSWORD).await;
    }

    /// Signs in as `email` with `password` (the browser must be on `/login`), and waits to
    /// leave the login page.
    pub async fn log_in_with(&self, email: &str, password: &str) {
        self.submit_login(email, password).await;
        self.until(
            "the login page to let the agent in",
            "return location.pathname !== '/login';",
            vec![],
        )
        .await;
    }

    /// Tries to sign in as `email` with `password` (the browser must be on `/login`), and waits
    /// for the login page to refuse.
    pub async fn log_in_refused(&self, email: &str, password: &str) {
        self.submit_login(email, password).await;
        self.wait_for_text("[role=alert]", "E-mail ou senha incorretos.")
            .await;
    }

    /// Fills in the login form (replacing what an earlier attempt left) and sends it.
    async fn submit_login(&self, email: &str, password: &str) {
        self.find("form #email").await;
        self.retype("#email", email).await;
        self.retype("#password", password).await;
        self.click("form button[type=submit]").await;
    }

    /// Opens "Minha conta" the way an agent does: by clicking their name in the header.
    pub async fn open_account(&self) {
        self.click(".topbar a.who").await;
        self.wait_for_path("/account").await;
        self.wait_for_text("h1", "Minha conta").await;
    }

    /// Creates an API token called `name` with the scope labelled `scope` on the account page
    /// (the browser must be there), waits for it to be listed, and returns its secret, which
    /// the page shows this once.
    pub async fn create_token(&self, name: &str, scope: &str) -> String {
        self.type_into("#token-name", name).await;
        self.choose("#token-scope", scope).await;
        self.click("form:has(#token-name) button[type=submit]")
            .await;
        // The list shows the start of the secret: the one on show must be this token's.
        let secret = self
            .until(
                &format!("the secret of the token {name:?}"),
                "const name = arguments[0];
                 const row = [...document.querySelectorAll('.data-table tbody tr')]
                     .find(r => r.cells[0].innerText.trim() === name);
                 const prefix = row?.querySelector('code')?.innerText.replace('…', '');
                 const secret = document.querySelector('#new-token-secret')?.value;
                 return prefix && secret?.startsWith(prefix) ? secret : null;",
                vec![json!(name)],
            )
            .await;
        secret.as_str().expect("a secret").to_owned()
    }

    /// Opens the administration page from the navigation.
    pub async fn open_admin(&self) {
        self.click(".main-nav a[href='/admin']").await;
        self.wait_for_path("/admin").await;
        self.wait_for_text("h1", "Administração").await;
    }

    /// Opens `/login`, signs in and waits for the dashboard.
    pub async fn log_in_at_dashboard(&self, email: &str) {
        self.goto("/login").await;
        self.log_in(email).await;
        self.wait_for_path("/").await;
        self.find(".counters").await;
    }

    /// Waits until the ticket page shows an attachment's thumbnail, loaded.
    pub async fn wait_for_thumbnail(&self) {
        self.until(
            "the thumbnail to load",
            "const img = document.querySelector('.attachments img.thumb');
             return img && img.complete && img.naturalWidth > 0;",
            vec![],
        )
        .await;
    }

    /// The number a status counter of the dashboard shows, once loaded.
    pub async fn counter(&self, status: &str) -> u64 {
        let value = self
            .until(
                &format!("the {status} counter to show a number"),
                "const el = document.querySelector(`.counter[data-status='${arguments[0]}'] .counter-value`);
                 return el && /^\\d+$/.test(el.innerText.trim()) ? el.innerText.trim() : null;",
                vec![json!(status)],
            )
            .await;
        value
            .as_str()
            .and_then(|n| n.parse().ok())
            .expect("a number")
    }

    /// Waits until the counters show `open`, `waiting` and `closed` tickets.
    pub async fn wait_for_counters(&self, open: u64, waiting: u64, closed: u64) {
        self.until(
            &format!("the counters to show {open} open, {waiting} waiting, {closed} closed"),
            "const [open, waiting, closed] = arguments;
             const n = s => document.querySelector(`.counter[data-status='${s}'] .counter-value`)?.innerText.trim();
             return n('open') === String(open) && n('waiting') === String(waiting) && n('closed') === String(closed);",
            vec![json!(open), json!(waiting), json!(closed)],
        )
        .await;
    }

    /// Saves a screenshot of the whole page (not just the viewport) as `<shots>/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let metrics = self.browser.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let shot = self
            .browser
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 },
                }),
            )
            .await;
        let png = shot["data"]
            .as_str()
            .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
            .expect("a base64 PNG");
        let path = shots_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot can be saved");
    }

    /// Console lines that mean the app is broken: CSP refusals, Rust panics, uncaught errors.
    async fn console_problems(&self) -> Vec<String> {
        self.browser
            .console()
            .await
            .into_iter()
            .filter(|entry| {
                entry.level == "SEVERE"
                    && (entry.message.contains("Content Security Policy")
                        || entry.message.contains("panicked at")
                        || entry.message.contains("Uncaught"))
            })
            .map(|entry| entry.message)
            .collect()
    }

    /// Ends the test: no CSP violation or panic may have been logged, then the browser closes.
    pub async fn finish(self) {
        let problems = self.console_problems().await;
        assert!(
            problems.is_empty(),
            "the browser console reported problems:\n{}",
            problems.join("\n")
        );
        let _ = self.browser.client.clone().close().await;
    }

    /// Fails the test with everything that helps to see why.
    pub async fn fail(&self, what: &str) -> ! {
        let slug: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(60)
            .collect();
        let shot = shots_dir().join(format!("failure-{slug}.png"));
        if let Ok(png) = self.client().screenshot().await {
            let _ = std::fs::write(&shot, png);
        }
        let url = self
            .client()
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client()
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let console: Vec<String> = self
            .browser
            .console()
            .await
            .into_iter()
            .map(|e| format!("{} {}", e.level, e.message))
            .collect();
        let log = self.server.log();
        let log_tail: Vec<&str> = log.lines().rev().take(20).collect();
        panic!(
            "{what}\n  at {url}\n  screenshot: {}\n--- page text ---\n{text}\n--- console ---\n{}\n\
             --- server log (last lines) ---\n{}",
            shot.display(),
            console.join("\n"),
            log_tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        );
    }
}
