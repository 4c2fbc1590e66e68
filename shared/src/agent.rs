//! Agents (the support staff who sign in) and the authentication exchange.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Validate, Validator};

/// What an agent may do. The first account ever created is `admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Self::Admin),
            "agent" => Ok(Self::Agent),
            _ => Err(()),
        }
    }
}

/// A support agent as every client sees it. Never carries credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// `false`: deactivated by an administrator; cannot sign in or be assigned tickets.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A short reference to an agent, embedded in tickets, comments and events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentRef {
    pub id: i64,
    pub name: String,
}

/// Body of `POST /auth/register`. A client can never choose its role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::agent_name))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::register_email))]
    pub email: String,
    /// 8 to 128 characters, any.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// Body of `POST /auth/login`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::login_email))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub password: String,
}

/// A bearer token and the agent it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_at: DateTime<Utc>,
    pub agent: Agent,
}

/// Password length bounds, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;

impl Validate for RegisterRequest {
    fn validate(&self) -> Vec<crate::FieldError> {
        let mut v = Validator::default();
        v.text("name", &self.name, 1, NAME_MAX_CHARS);
        v.email("email", &self.email);
        v.length(
            "password",
            &self.password,
            PASSWORD_MIN_CHARS,
            PASSWORD_MAX_CHARS,
        );
        v.finish()
    }
}

impl Validate for LoginRequest {
    fn validate(&self) -> Vec<crate::FieldError> {
        let mut v = Validator::default();
        v.text("email", &self.email, 1, EMAIL_MAX_CHARS);
        v.length("password", &self.password, 1, PASSWORD_MAX_CHARS);
        v.finish()
    }
}
