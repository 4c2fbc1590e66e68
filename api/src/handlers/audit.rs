//! The audit log: recorded by the handlers of security-relevant actions, read by administrators.

use actix_web::web;
use diesel::Connection;
use shared::{AuditPage, PageParams, PageRequest, Problem};

use crate::auth::AdminUser;
use crate::db;
use crate::db::models::audit::{self, AuditEvent};
use crate::error::ApiError;
use crate::handlers::cursor;
use crate::state::AppState;

/// The tag of audit log cursors.
const CURSOR: &str = "a";

/// Records an event that is not part of a write of its own (a login, a refused password). The
/// answer to the client does not wait on it failing: a server that cannot write (full disk)
/// still lets agents sign in and read; the failure is logged.
pub async fn record(state: &AppState, event: AuditEvent) {
    let result = db::write(&state.writer, move |conn| Ok(event.record(conn)?)).await;
    if let Err(err) = result {
        tracing::error!(error = %err, "cannot write to the audit log");
    }
}

/// Security-relevant events, newest first, one keyset page at a time (administrators only).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    params(PageParams),
    responses(
        (status = 200, description = "One page of the audit log", body = AuditPage),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    _admin: AdminUser,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let page = PageRequest::try_from(&*page).map_err(ApiError::Validation)?;
    let before = cursor::start(CURSOR, &page)?;
    let page = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut rows = audit::page(conn, before, page.limit + 1)?;
            let next_cursor = cursor::next_page(CURSOR, &mut rows, page.limit, |row| row.id);
            Ok(AuditPage {
                items: audit::to_wire(conn, rows)?,
                next_cursor,
            })
        })
    })
    .await?;
    Ok(web::Json(page))
}
