//! The signed-in agent and the list of agents (for assignment).

use actix_web::web;
use shared::Agent;

use crate::auth::AuthUser;
use crate::db::{self, models::agent};
use crate::error::ApiError;
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

/// Every agent, by name: the people a ticket can be assigned to.
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
