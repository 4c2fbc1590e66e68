//! The wire contract of Groovoo Service Desk.
//!
//! Everything a client sends or receives over `/api/v1` is defined here, once, and used by both
//! the `api` server and the `web` SPA. This crate builds for `wasm32-unknown-unknown` and never
//! depends on diesel or actix: it is types, (de)serialisation and pure validation rules only.

pub mod account;
pub mod agent;
pub mod attachment;
pub mod error;
pub mod query;
pub mod reference;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod ticket;
pub mod validation;

pub use account::*;
pub use agent::*;
pub use attachment::*;
pub use error::*;
pub use query::*;
pub use reference::*;
pub use ticket::*;

/// Path prefix of every versioned API route.
pub const API_PREFIX: &str = "/api/v1";
