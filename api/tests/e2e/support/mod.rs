//! What the scenarios share: the server and browser processes, the page helpers, the API client
//! that seeds data, and the axe-core check.

pub mod app;
pub mod axe;
pub mod browser;
pub mod seed;
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

pub use app::App;
pub use server::free_port;

/// The longest any wait for the page or a process may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// How often a wait checks its condition again.
pub const POLL: Duration = Duration::from_millis(100);
/// The password of every agent the tests create.
pub const PASSWORD: &str = "correct horse battery staple";

/// The repository root (the workspace).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("api/ sits in the workspace root")
        .to_owned()
}

/// Where screenshots go: `E2E_SHOTS`, or `/tmp/e2e-shots`.
pub fn shots_dir() -> PathBuf {
    let dir = std::env::var_os("E2E_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/e2e-shots"));
    std::fs::create_dir_all(&dir).expect("the screenshot folder can be created");
    dir
}

/// Limits how many browsers run at once: the tests run in parallel threads, and each Chromium
/// wants a core of its own to keep timings sane.
static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A permit to run one browser, given back when dropped.
pub struct Slot(());

impl Slot {
    /// Blocks until fewer than `E2E_BROWSERS` (default 2) browsers run.
    pub fn take() -> Self {
        let limit = std::env::var("E2E_BROWSERS")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(2);
        let (count, freed) = &RUNNING;
        let mut running = count.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= limit {
            running = freed.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        Self(())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (count, freed) = &RUNNING;
        let mut running = count.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        freed.notify_one();
    }
}
