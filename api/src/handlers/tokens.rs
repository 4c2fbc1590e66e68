//! API tokens: created, listed and revoked by their agent (administrators see and revoke
//! everyone's). Managing tokens needs a login token: an API token cannot mint or revoke tokens.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use shared::validation::Validate;
use shared::{
    ApiToken, AuditAction, CreatedApiToken, MAX_TOKENS_PER_AGENT, NewApiToken, Problem,
    TokenListParams,
};

use crate::auth::{ClientIp, SessionUser, api_token};
use crate::db;
use crate::db::models::{api_token as tokens, now};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::state::AppState;

/// Create an API token. The secret is in this response only; store it now.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewApiToken,
    responses(
        (status = 201, description = "Token created, with its secret (shown once)", body = CreatedApiToken),
        (status = 403, description = "Called with an API token (`session_required`, `insufficient_scope`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agent already has 50 usable tokens (`too_many_tokens`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_token(
    user: SessionUser,
    state: web::Data<AppState>,
    ip: ClientIp,
    body: JsonObject<NewApiToken>,
) -> Result<HttpResponse, ApiError> {
    let SessionUser(user) = user;
    ApiError::check(body.validate())?;
    let new = body.into_inner();
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::field(
            "expires_at",
            "out_of_range",
            "must be in the future",
        ));
    }
    let secret = api_token::generate()?;
    let token_hash = api_token::hash(&secret);
    let prefix = api_token::shown_prefix(&secret);
    let token = db::write(&state.writer, move |conn| {
        let at = now();
        if tokens::count_usable(conn, user.id, at)? >= MAX_TOKENS_PER_AGENT {
            return Err(ApiError::Conflict {
                code: "too_many_tokens",
                detail: format!(
                    "an agent can hold at most {MAX_TOKENS_PER_AGENT} usable tokens; revoke one first"
                ),
            });
        }
        let row = tokens::insert(
            conn,
            &tokens::NewApiTokenRow {
                agent_id: user.id,
                name: new.name.trim(),
                scope: new.scope.as_str(),
                token_hash: &token_hash,
                prefix: &prefix,
                created_at: at,
                expires_at: new.expires_at.map(|at| at.naive_utc()),
            },
        )?;
        let mut event = user
            .audit(AuditAction::TokenCreated, &ip)
            .on_token(row.id)
            .detail("name", &row.name)
            .detail("scope", new.scope);
        if let Some(expires_at) = new.expires_at {
            event = event.detail("expires_at", expires_at.to_rfc3339());
        }
        event.record(conn)?;
        tokens::to_wire(conn, vec![row])?
            .pop()
            .ok_or(ApiError::NotFound("token"))
    })
    .await?;
    tracing::info!(
        agent_id = token.agent.id,
        token_id = token.id,
        "API token created"
    );
    Ok(HttpResponse::Created().json(CreatedApiToken { token, secret }))
}

/// API tokens that have not been revoked (expired ones included), newest first: your own, or
/// with `all=true` every agent's (administrators). Secrets are never listed.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens",
    params(TokenListParams),
    responses(
        (status = 200, description = "The tokens", body = Vec<ApiToken>),
        (status = 403, description = "`all=true` without being an administrator (`forbidden`), or called with an API token (`session_required`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tokens(
    user: SessionUser,
    state: web::Data<AppState>,
    params: web::Query<TokenListParams>,
) -> Result<web::Json<Vec<ApiToken>>, ApiError> {
    let SessionUser(user) = user;
    let owner = if params.all.unwrap_or(false) {
        if !user.is_admin() {
            return Err(ApiError::Forbidden(
                "only administrators can list every agent's tokens",
            ));
        }
        None
    } else {
        Some(user.id)
    };
    let list = db::run(&state.pool, move |conn| {
        let rows = tokens::list_live(conn, owner)?;
        Ok(tokens::to_wire(conn, rows)?)
    })
    .await?;
    Ok(web::Json(list))
}

/// Revoke an API token: it stops working at once. Your own, or anyone's for administrators;
/// someone else's token is a 404, as if it did not exist.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id", minimum = 1)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Called with an API token (`session_required`, `insufficient_scope`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token, already revoked, or not yours (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_token(
    user: SessionUser,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let SessionUser(user) = user;
    let id = path.into_inner();
    db::write(&state.writer, move |conn| {
        let token = tokens::find_live(conn, id)?
            .filter(|token| token.agent_id == user.id || user.is_admin())
            .ok_or(ApiError::NotFound("token"))?;
        tokens::revoke(conn, id, now())?;
        user.audit(AuditAction::TokenRevoked, &ip)
            .on_token(id)
            .detail("name", &token.name)
            .detail("owner_id", token.agent_id)
            .record(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
