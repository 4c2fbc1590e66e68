//! Authentication: tokens, password hashing, and the extractors handlers use to state what they
//! need (`AuthUser` for any signed-in agent, `AdminUser` for administrators).

pub mod jwt;
pub mod password;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use shared::{AgentRef, Role};

use crate::db::{self, models::agent};
use crate::error::ApiError;
use crate::rate_limit::{self, Principal};
use crate::state::AppState;

/// A signed-in, active agent whose token is current.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

impl AuthUser {
    /// Whom the API rate limit counts this request against.
    pub fn principal(&self) -> Principal {
        Principal::Agent(self.id)
    }

    pub fn to_ref(&self) -> AgentRef {
        AgentRef {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

/// A signed-in administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

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
    let claims = state.keys.verify_login(&token)?;
    let row = db::run(&state.pool, move |conn| {
        Ok(agent::find(conn, claims.agent_id)?)
    })
    .await?
    .ok_or(ApiError::InvalidToken)?;
    if !row.active || row.token_version != claims.token_version {
        return Err(ApiError::InvalidToken);
    }
    Ok(AuthUser {
        id: row.id,
        role: row.role(),
        name: row.name,
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(state?, token).await?;
            rate_limit::charge(&req, user.principal())?;
            Ok(user)
        })
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if user.role == Role::Admin {
                Ok(Self(user))
            } else {
                Err(ApiError::Forbidden("only administrators can do this"))
            }
        })
    }
}
