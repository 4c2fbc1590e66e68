//! HTTP integration tests of the API: one binary, a real server with its own temporary database
//! for every test, driven through `reqwest` exactly as a client would drive it.

#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "helpers are test code too: a step that fails must fail the test, with its message"
)]

mod helpers;

mod admin_agents;
mod agents;
mod attachments;
mod audit;
mod auth;
mod comments;
mod concurrency;
mod errors;
mod export;
mod headers;
mod health;
mod idempotency;
mod jwt;
mod protected;
mod rate_limit;
mod reference;
mod search;
mod sessions;
mod storage;
mod ticket_list;
mod tickets;
mod tokens;
