//! Operations tests against the real `servicedesk` binary, each with its own data dir and free
//! loopback port: crash safety under SIGKILL, graceful SIGTERM, backup and restore, and start-up
//! on a data dir the server cannot write.

#![expect(
    clippy::expect_used,
    reason = "helpers are test code too: a step that fails must fail the test, with its message"
)]

mod support;

mod backup;
mod crash;
mod shutdown;
mod startup;
