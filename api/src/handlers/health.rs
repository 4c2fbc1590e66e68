//! Liveness and readiness.

use actix_web::web;
use diesel::RunQueryDsl;
use serde::Serialize;
use shared::Problem;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    status: &'static str,
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(
    get, path = "/healthz", tag = "health", security(()),
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer (`service_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    db::run(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .map_err(|err| ApiError::Unavailable(format!("database check failed: {err}")))?;
    Ok(web::Json(Health { status: "ok" }))
}
