//! Route-level components, one per page.

pub mod account;
pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod new_ticket;
pub mod not_found;
pub mod ticket;
