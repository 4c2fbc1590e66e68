//! What every handler can reach: the read pool, the writer, the settings and the signing keys.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::auth::jwt::Keys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::db::writer::Writer;
use crate::rate_limit::RateLimits;
use crate::web_assets::WebApp;

#[derive(Debug, Clone)]
pub struct AppState {
    /// Read connections.
    pub pool: DbPool,
    /// The single writer (group commit); every write goes through it.
    pub writer: Writer,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    /// Where attachment bytes are stored.
    pub uploads_dir: PathBuf,
    /// A bcrypt hash of nothing, checked against for unknown e-mails so that a failed login
    /// takes as long whether or not the account exists. Made on first use.
    pub dummy_hash: Arc<OnceLock<String>>,
    /// The agents' web app served outside `/api`.
    pub web: Arc<WebApp>,
    /// Request counters of the rate limits.
    pub rate_limits: Arc<RateLimits>,
}
