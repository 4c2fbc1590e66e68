//! The signed-in agent (and their password), the list of agents, and their administration.

use actix_web::{HttpRequest, web};
use shared::validation::Validate;
use shared::{Agent, AgentPatch, AuditAction, AuthResponse, PasswordChange, Problem, Role};

use crate::auth::{AdminUser, AuthUser, ClientIp, SessionUser, password};
use crate::db::models::{agent, agent::AgentChangeset, api_token as tokens, now};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::handlers::audit::record;
use crate::handlers::auth::auth_response;
use crate::rate_limit;
use crate::state::AppState;

/// The signed-in agent.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "agents",
    responses((status = 200, description = "The signed-in agent", body = Agent))
)]
pub async fn me(user: AuthUser, state: web::Data<AppState>) -> Result<web::Json<Agent>, ApiError> {
    let row = db::run(&state.pool, move |conn| Ok(agent::find(conn, user.id)?))
        .await?
        .ok_or(ApiError::NotFound("agent"))?;
    Ok(web::Json(row.into()))
}

/// Every agent, by name: the people a ticket can be assigned to (deactivated ones included, with
/// `active: false`, so that their old tickets still show who worked them).
#[utoipa::path(
    get, path = "/api/v1/agents", tag = "agents",
    responses((status = 200, description = "All agents", body = Vec<Agent>))
)]
pub async fn list_agents(
    _user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<Agent>>, ApiError> {
    let rows = db::run(&state.pool, |conn| Ok(agent::list(conn)?)).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Change your password. Every login token of the agent stops working (other devices are signed
/// out); the answer carries a fresh one so this session continues. API tokens keep working.
/// Needs a login token, not an API token.
#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "agents",
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Password changed; a new login token", body = AuthResponse),
        (status = 403, description = "The current password is wrong (`wrong_password`), or called with an API token (`session_required`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many password attempts for this account or from this address, counted with failed logins (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_password(
    user: SessionUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    ip: ClientIp,
    body: JsonObject<PasswordChange>,
) -> Result<web::Json<AuthResponse>, ApiError> {
    let SessionUser(user) = user;
    ApiError::check(body.validate())?;
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner();
    let id = user.id;
    let row = db::run(&state.pool, move |conn| Ok(agent::find(conn, id)?))
        .await?
        .ok_or(ApiError::InvalidToken)?;
    // Checking the current password is a guess like a login: a stolen session must not be a way
    // around the per-IP and per-account login limits.
    let account = rate_limit::charge_login(&req, &row.email)?;
    let cost = state.settings.bcrypt_cost;
    let old_hash = row.password_hash;
    let checked = old_hash.clone();
    // Two bcrypt runs: through the same process-wide gate as logins, so a burst of password
    // changes cannot take every core.
    let new_hash = password::one_at_a_time(move || {
        if !password::verify(&current_password, &checked) {
            return Ok(None);
        }
        password::hash(&new_password, cost).map(Some)
    })
    .await?
    .map_err(ApiError::internal)?;
    let Some(new_hash) = new_hash else {
        let failure = user
            .audit(AuditAction::PasswordChangeFailed, &ip)
            .on_agent(id)
            .detail("reason", "wrong_password");
        record(&state, failure).await;
        return Err(ApiError::WrongPassword);
    };
    let row = db::write(&state.writer, move |conn| {
        let row = find(conn, id)?;
        // Changed by another session since it was checked: the current password is no longer
        // the one that was typed.
        if row.password_hash != old_hash {
            return Err(ApiError::WrongPassword);
        }
        let changes = AgentChangeset {
            password_hash: Some(new_hash),
            token_version: Some(row.token_version + 1),
            ..Default::default()
        };
        let row = agent::update(conn, id, &changes)?;
        user.audit(AuditAction::PasswordChanged, &ip)
            .on_agent(id)
            .record(conn)?;
        Ok(row)
    })
    .await?;
    rate_limit::refund(&req, account);
    tracing::info!(agent_id = id, "password changed");
    Ok(web::Json(auth_response(&state, row)?))
}

fn find(conn: &mut DbConn, id: i64) -> Result<agent::AgentRow, ApiError> {
    agent::find(conn, id)?.ok_or(ApiError::NotFound("agent"))
}

/// Change an agent's role or deactivate / reactivate them (administrators only).
///
/// Deactivating signs the agent out everywhere and revokes their API tokens; they can no longer
/// sign in and cannot be assigned tickets, but their tickets, comments and history stay. The last
/// active administrator can be neither demoted nor deactivated (409 `last_admin`).
#[utoipa::path(
    patch, path = "/api/v1/agents/{id}", tag = "agents",
    params(("id" = i64, Path, description = "Agent id", minimum = 1)),
    request_body = AgentPatch,
    responses(
        (status = 200, description = "The agent as changed", body = Agent),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agent (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave no active administrator (`last_admin`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_agent(
    admin: AdminUser,
    state: web::Data<AppState>,
    ip: ClientIp,
    path: web::Path<i64>,
    body: JsonObject<AgentPatch>,
) -> Result<web::Json<Agent>, ApiError> {
    let AdminUser(admin) = admin;
    let id = path.into_inner();
    let patch = body.into_inner();
    let row = db::write(&state.writer, move |conn| {
        let row = find(conn, id)?;
        let role = patch.role.filter(|role| *role != row.role());
        let active = patch.active.filter(|active| *active != row.active);
        let loses_admin =
            row.active && row.role() == Role::Admin && (role.is_some() || active == Some(false));
        if loses_admin && agent::count_active_admins(conn)? <= 1 {
            return Err(ApiError::Conflict {
                code: "last_admin",
                detail: "this is the last active administrator; make someone else an \
                         administrator first"
                    .into(),
            });
        }
        if role.is_none() && active.is_none() {
            return Ok(row);
        }
        let deactivating = active == Some(false);
        let changes = AgentChangeset {
            role: role.map(Role::as_str),
            active,
            token_version: deactivating.then_some(row.token_version + 1),
            ..Default::default()
        };
        let updated = agent::update(conn, id, &changes)?;
        let event = |action| admin.audit(action, &ip).on_agent(id);
        if let Some(role) = role {
            event(AuditAction::RoleChanged)
                .detail("from", row.role().as_str())
                .detail("to", role.as_str())
                .record(conn)?;
        }
        match active {
            Some(false) => {
                let revoked = tokens::revoke_all(conn, id, now())?;
                event(AuditAction::AgentDeactivated)
                    .detail("revoked_tokens", revoked)
                    .record(conn)?;
            }
            Some(true) => event(AuditAction::AgentActivated).record(conn)?,
            None => {}
        }
        Ok(updated)
    })
    .await?;
    Ok(web::Json(row.into()))
}
