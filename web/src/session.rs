//! The signed-in agent's session: token and profile, kept in `localStorage` so a reload keeps
//! the agent signed in until the token expires.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::{Agent, AuthResponse, Role};

use crate::storage;

const STORAGE_KEY: &str = "gsd.session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub agent: Agent,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.agent.role == Role::Admin
    }

    /// Whether the token is still valid at `now_ms` (milliseconds since the epoch).
    pub fn is_live(&self, now_ms: f64) -> bool {
        (self.expires_at.timestamp_millis() as f64) > now_ms
    }
}

impl From<AuthResponse> for Session {
    fn from(auth: AuthResponse) -> Self {
        Self {
            token: auth.token,
            expires_at: auth.expires_at,
            agent: auth.agent,
        }
    }
}

/// Why the last session ended, so the login page can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    LoggedOut,
    Expired,
}

struct State {
    session: RwSignal<Option<Session>>,
    ended: RwSignal<Option<Ended>>,
}

static STATE: OnceLock<State> = OnceLock::new();

fn state() -> &'static State {
    STATE.get_or_init(|| {
        let stored = storage::get(STORAGE_KEY)
            .and_then(|json| serde_json::from_str::<Session>(&json).ok())
            .filter(|s| s.is_live(js_sys::Date::now()));
        State {
            session: RwSignal::new(stored),
            ended: RwSignal::new(None),
        }
    })
}

/// The current session (reactive).
pub fn current() -> Option<Session> {
    state().session.get()
}

/// The bearer token, read without tracking (for requests).
pub fn token() -> Option<String> {
    state()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
}

pub fn start(session: Session) {
    if let Ok(json) = serde_json::to_string(&session) {
        storage::set(STORAGE_KEY, &json);
    }
    state().ended.set(None);
    state().session.set(Some(session));
}

pub fn end(reason: Ended) {
    storage::remove(STORAGE_KEY);
    state().ended.set(Some(reason));
    state().session.set(None);
}

/// Refreshes the signed-in agent's profile (name or role may have changed); a profile of
/// another agent is ignored.
pub fn refresh_agent(agent: Agent) {
    let updated = state().session.with_untracked(|s| {
        s.as_ref()
            .filter(|s| s.agent.id == agent.id && s.agent != agent)
            .map(|s| Session { agent, ..s.clone() })
    });
    if let Some(session) = updated {
        start(session);
    }
}

/// Why the previous session ended, if it did in this page's life.
pub fn ended() -> Option<Ended> {
    state().ended.get()
}
