//! The real `servicedesk` binary, as a child process on a free loopback port with a fresh data
//! dir, serving the built web app from `web/dist`.

use std::path::PathBuf;

use super::repo_root;

#[path = "../../common/server.rs"]
#[allow(
    dead_code,
    reason = "shared with tests/ops, which also signals and restarts servers"
)]
mod process;

pub use process::{Server, free_port};

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
    /// Starts a server with a fresh data dir serving the built web app, and waits until
    /// `/healthz` answers.
    pub async fn start() -> Self {
        let dist = web_dist();
        Self::serve(None, |command| {
            command
                .arg("--web-dir")
                .arg(&dist)
                // The setting README recommends for production: the first account signs up,
                // the administrator creates the others (support/seed.rs does, with her token).
                .arg("--signup")
                .arg("admin")
                // Flows seed their data through the API and sign in often: limits out of the way
                // (the API tests cover them).
                .env("DESK_RATE_LIMIT_API_PER_MINUTE", "1000000")
                .env("DESK_RATE_LIMIT_LOGIN_PER_MINUTE", "1000000")
                .env("DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE", "1000000");
        })
        .await
    }
}
