//! End-to-end tests: the real `servicedesk` binary serving the built web app, driven through a
//! real headless Chromium by WebDriver, the way an agent uses it.
//!
//! Opt-in (`cargo test -p api --features e2e --test e2e`), because they need what a plain
//! `cargo test` does not: `web/dist` (scripts/build-web.sh), Chromium and chromedriver (Debian
//! `chromium` and `chromium-driver`) and axe-core in `web/node_modules` (`npm ci` in `web/`).
//! `scripts/test.sh` runs them after the workspace tests.
//!
//! Each test gets its own server (fresh data dir, free port), chromedriver and browser profile;
//! at most `E2E_BROWSERS` (default 2) browsers run at once. Screenshots of the main pages go to
//! `E2E_SHOTS` (default `/tmp/e2e-shots`).

// clippy.toml allows `expect` in test functions only; the harness lives in helper modules.
#![expect(
    clippy::expect_used,
    reason = "a test fails by panicking, and the message says what was expected"
)]

mod support;

mod accessibility;
mod account;
mod admin;
mod auth;
mod dashboard;
mod export;
mod language;
mod tickets;
