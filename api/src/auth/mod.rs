//! Authentication: tokens, password hashing, and the extractors handlers use to state what they
//! need (`AuthUser` for any signed-in agent, `AdminUser` for administrators, `SessionUser` for
//! what only a password sign-in may do).
//!
//! A bearer credential is either a login token (a JWT from `/auth/login`) or an API token
//! (`gsd_…`, see [`api_token`]). Both resolve to the same [`AuthUser`], which says which one it
//! was. A `read` API token is refused on every method but `GET`/`HEAD` here, once, so that no
//! write endpoint can forget the check.

pub mod api_token;
pub mod jwt;
pub mod password;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Duration;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use shared::{API_TOKEN_PREFIX, AgentRef, AuditAction, Role, TokenScope};

use crate::db;
use crate::db::models::audit::AuditEvent;
use crate::db::models::{agent, agent::AgentRow, api_token as tokens, now};
use crate::error::ApiError;
use crate::rate_limit::{self, Principal};
use crate::state::AppState;

/// A use of an API token is recorded when the last recorded one is older than this.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

/// How a request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A login token from `/auth/login`, `/auth/register` or `/me/password`.
    Session,
    /// An API token.
    ApiToken { id: i64, scope: TokenScope },
}

/// A signed-in, active agent whose credential is current.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub credential: Credential,
}

impl AuthUser {
    fn new(row: AgentRow, credential: Credential) -> Self {
        Self {
            id: row.id,
            role: row.role(),
            name: row.name,
            credential,
        }
    }

    /// Whom the API rate limit counts this request against: the API token, or the agent.
    pub fn principal(&self) -> Principal {
        match self.credential {
            Credential::ApiToken { id, .. } => Principal::ApiToken(id),
            Credential::Session => Principal::Agent(self.id),
        }
    }

    pub fn to_ref(&self) -> AgentRef {
        AgentRef {
            id: self.id,
            name: self.name.clone(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// An audit event acted by this agent, naming the API token used, if any.
    pub fn audit(&self, action: AuditAction, ip: &ClientIp) -> AuditEvent {
        let event = AuditEvent::new(action, ip.0.clone()).actor(self.id);
        match self.credential {
            Credential::Session => event,
            Credential::ApiToken { id, .. } => event.detail("via_token", id),
        }
    }
}

/// A signed-in administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

/// An agent signed in with a login token, not an API token: for managing tokens, changing the
/// password and logging out, which a leaked integration secret must not be able to do.
#[derive(Debug, Clone)]
pub struct SessionUser(pub AuthUser);

/// The address of the client: the TCP peer, or, when the peer is a trusted proxy
/// (`DESK_TRUSTED_PROXIES`), the address it reports; the same address the rate limits count.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = rate_limit::request_ip(req).or_else(|| req.peer_addr().map(|addr| addr.ip()));
        ready(Ok(Self(ip.map(|ip| ip.to_string()))))
    }
}

/// The bearer token of a request, if it sent one.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

async fn authenticate(
    state: web::Data<AppState>,
    token: Option<String>,
) -> Result<AuthUser, ApiError> {
    let token = token.ok_or(ApiError::Unauthenticated)?;
    if token.starts_with(API_TOKEN_PREFIX) {
        return authenticate_api_token(&state, &token).await;
    }
    let claims = state.keys.verify_login(&token)?;
    let row = db::run(&state.pool, move |conn| {
        Ok(agent::find(conn, claims.agent_id)?)
    })
    .await?
    .ok_or(ApiError::InvalidToken)?;
    if !row.active || row.token_version != claims.token_version {
        return Err(ApiError::InvalidToken);
    }
    Ok(AuthUser::new(row, Credential::Session))
}

async fn authenticate_api_token(state: &AppState, secret: &str) -> Result<AuthUser, ApiError> {
    if !api_token::is_well_formed(secret) {
        return Err(ApiError::InvalidToken);
    }
    let hash = api_token::hash(secret);
    let (token, row) = db::run(&state.pool, move |conn| {
        let Some(token) = tokens::find_by_hash(conn, &hash)? else {
            return Ok(None);
        };
        Ok(agent::find(conn, token.agent_id)?.map(|row| (token, row)))
    })
    .await?
    .ok_or(ApiError::InvalidToken)?;
    if token.revoked_at.is_some() || !row.active {
        return Err(ApiError::InvalidToken);
    }
    let at = now();
    if token.expires_at.is_some_and(|expires| expires <= at) {
        return Err(ApiError::TokenExpired);
    }
    let stale_before = at - LAST_USED_GRANULARITY;
    if token.last_used_at.is_none_or(|last| last < stale_before) {
        let id = token.id;
        let touched = db::write(&state.writer, move |conn| {
            Ok(tokens::touch(conn, id, at, stale_before)?)
        })
        .await;
        // Bookkeeping only: a server that cannot write still answers reads.
        if let Err(err) = touched {
            tracing::warn!(token_id = id, error = %err, "cannot record an API token's use");
        }
    }
    let scope = token.scope();
    Ok(AuthUser::new(
        row,
        Credential::ApiToken {
            id: token.id,
            scope,
        },
    ))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer_token(req);
        let writes = !req.method().is_safe();
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(state?, token).await?;
            rate_limit::charge(&req, user.principal())?;
            let read_only = matches!(
                user.credential,
                Credential::ApiToken {
                    scope: TokenScope::Read,
                    ..
                }
            );
            if writes && read_only {
                return Err(ApiError::InsufficientScope);
            }
            Ok(user)
        })
    }
}

/// Extracts an [`AuthUser`] and lets `refine` accept or refuse it.
fn refined<T: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    refine: fn(AuthUser) -> Result<T, ApiError>,
) -> LocalBoxFuture<'static, Result<T, ApiError>> {
    let user = AuthUser::from_request(req, payload);
    Box::pin(async move { refine(user.await?) })
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        refined(req, payload, |user| {
            if user.is_admin() {
                Ok(Self(user))
            } else {
                Err(ApiError::Forbidden("only administrators can do this"))
            }
        })
    }
}

impl FromRequest for SessionUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        refined(req, payload, |user| match user.credential {
            Credential::Session => Ok(Self(user)),
            Credential::ApiToken { .. } => Err(ApiError::SessionRequired),
        })
    }
}
