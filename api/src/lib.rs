//! Groovoo Service Desk server library: everything the `servicedesk` binary runs, exposed so that
//! integration tests can start a real server on port 0.

pub mod auth;
pub mod backup;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web_assets;
