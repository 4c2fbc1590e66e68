//! Accounts and credentials: password change, API tokens, administration of agents, and the
//! audit log of security-relevant events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ticket::wire_enum;
use crate::validation::{Validate, Validator};
use crate::{AgentRef, FieldError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, Role};

/// Every API token secret starts with this, so that secret scanners and people recognise one.
pub const API_TOKEN_PREFIX: &str = "gsd_";
/// Longest token name, in characters.
pub const TOKEN_NAME_MAX_CHARS: usize = 100;
/// Most live (not revoked) tokens an agent may hold.
pub const MAX_TOKENS_PER_AGENT: i64 = 50;

wire_enum! {
    /// What an API token may do: `read` is refused (403 `insufficient_scope`) on anything but
    /// `GET`; `read_write` may do whatever its agent may, except manage tokens and passwords.
    TokenScope { Read => "read", ReadWrite => "read_write" }
}

/// Body of `POST /tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for, e.g. `Zapier`; 1 to 100 characters.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::token_name))]
    pub name: String,
    pub scope: TokenScope,
    /// When the token stops working (RFC 3339, in the future); `null` or absent: never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Validate for NewApiToken {
    fn validate(&self) -> Vec<FieldError> {
        let mut v = Validator::default();
        v.text("name", &self.name, 1, TOKEN_NAME_MAX_CHARS);
        v.finish()
    }
}

/// An API token as listed. The secret is never shown again after creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    /// The first characters of the secret (`gsd_` and 8 more), to tell tokens apart.
    pub prefix: String,
    /// The agent the token acts as.
    pub agent: AgentRef,
    pub created_at: DateTime<Utc>,
    /// `null`: never expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the token last authenticated a request (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The answer to `POST /tokens`: the token and, this once, its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`. Shown only now: the server keeps a hash.
    pub secret: String,
}

/// The query string of `GET /tokens`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TokenListParams {
    /// `true`: every agent's tokens (administrators only; others get 403 `forbidden`).
    /// Absent, empty or `false`: your own.
    #[serde(default, deserialize_with = "crate::query::optional_bool")]
    pub all: Option<bool>,
}

/// Body of `POST /me/password`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub current_password: String,
    /// 8 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
}

impl Validate for PasswordChange {
    fn validate(&self) -> Vec<FieldError> {
        let mut v = Validator::default();
        v.length(
            "current_password",
            &self.current_password,
            1,
            PASSWORD_MAX_CHARS,
        );
        v.length(
            "new_password",
            &self.new_password,
            PASSWORD_MIN_CHARS,
            PASSWORD_MAX_CHARS,
        );
        v.finish()
    }
}

/// Body of `PATCH /agents/{id}` (administrators): absent fields stay as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    /// `false` deactivates the agent: their sessions and API tokens stop working at once and
    /// they cannot sign in; their tickets are kept. `true` lets them sign in again.
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub role: Option<Role>,
}

wire_enum! {
    /// What an audit log entry records.
    AuditAction {
        AgentRegistered => "agent_registered",
        LoginSucceeded => "login_succeeded",
        LoginFailed => "login_failed",
        LoggedOut => "logged_out",
        PasswordChanged => "password_changed",
        PasswordChangeFailed => "password_change_failed",
        TokenCreated => "token_created",
        TokenRevoked => "token_revoked",
        RoleChanged => "role_changed",
        AgentDeactivated => "agent_deactivated",
        AgentActivated => "agent_activated",
    }
}

/// One security-relevant event. Never holds a password, a token or a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who acted; `null` for a failed login.
    pub actor: Option<AgentRef>,
    pub action: AuditAction,
    /// What the event is about: `agent:<id>` or `token:<id>`.
    pub target: Option<String>,
    /// The client's address as the server saw it (a proxy's, behind one).
    pub ip: Option<String>,
    /// Facts of the event, e.g. `{"from": "agent", "to": "admin"}` or `{"reason": "wrong_password"}`;
    /// `via_token` names the API token the actor used, if any.
    pub details: BTreeMap<String, String>,
}

/// One page of `GET /audit`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_actions_are_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&TokenScope::ReadWrite).unwrap(),
            "\"read_write\""
        );
        for action in AuditAction::ALL {
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(*action));
        }
    }

    #[test]
    fn a_new_token_needs_a_name_and_a_known_scope() {
        let parsed: Result<NewApiToken, _> =
            serde_json::from_str(r#"{"name": "CI", "scope": "admin"}"#);
        assert!(parsed.is_err());
        let token: NewApiToken = serde_json::from_str(r#"{"name": " ", "scope": "read"}"#).unwrap();
        let fields: Vec<_> = token.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name"]);
        assert_eq!(token.expires_at, None);
    }

    #[test]
    fn a_new_password_follows_the_registration_rules() {
        let change = PasswordChange {
            current_password: String::new(),
            new_password: "short".into(),
        };
        let codes: Vec<_> = change
            .validate()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("current_password".to_owned(), "required".to_owned()),
                ("new_password".to_owned(), "too_short".to_owned())
            ]
        );
    }
}
