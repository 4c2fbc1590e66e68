//! HTTP handlers, one file per resource. Handlers parse and authorise, then call model
//! functions through `db::run`/`db::write`; they never hold SQL themselves.

pub mod agents;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod cursor;
pub mod docs;
pub mod export;
pub mod health;
pub mod reference;
pub mod tickets;
pub mod tokens;
