//! Categories and channels: listed by everyone, extended by administrators.

use actix_web::{HttpResponse, web};
use shared::validation::Validate;
use shared::{NewReferenceItem, Problem, ReferenceItem};

use crate::auth::{AdminUser, AuthUser};
use crate::db::{self, models::reference, models::reference::RefList};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::state::AppState;

async fn list(state: &AppState, list: RefList) -> Result<web::Json<Vec<ReferenceItem>>, ApiError> {
    let items = db::run(&state.pool, move |conn| Ok(reference::list(conn, list)?)).await?;
    Ok(web::Json(items))
}

async fn create(
    state: &AppState,
    list: RefList,
    body: NewReferenceItem,
) -> Result<HttpResponse, ApiError> {
    ApiError::check(body.validate())?;
    let slug = body.effective_slug();
    let item = db::write(&state.writer, move |conn| {
        reference::insert(conn, list, &slug, &body.name).map_err(|err| match ApiError::from(err) {
            ApiError::Conflict { code, .. } => ApiError::Conflict {
                code,
                detail: format!("a {} with this name or slug already exists", list.field()),
            },
            other => other,
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(item))
}

/// The ticket categories.
#[utoipa::path(
    get, path = "/api/v1/categories", tag = "reference",
    responses((status = 200, description = "All categories, by name", body = Vec<ReferenceItem>))
)]
pub async fn list_categories(
    _user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<ReferenceItem>>, ApiError> {
    list(&state, RefList::Categories).await
}

/// Add a category (administrators only).
#[utoipa::path(
    post, path = "/api/v1/categories", tag = "reference",
    request_body = NewReferenceItem,
    responses(
        (status = 201, description = "Category added", body = ReferenceItem),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name or slug taken (`already_exists`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_category(
    _admin: AdminUser,
    state: web::Data<AppState>,
    body: JsonObject<NewReferenceItem>,
) -> Result<HttpResponse, ApiError> {
    create(&state, RefList::Categories, body.into_inner()).await
}

/// The contact channels.
#[utoipa::path(
    get, path = "/api/v1/channels", tag = "reference",
    responses((status = 200, description = "All channels, by name", body = Vec<ReferenceItem>))
)]
pub async fn list_channels(
    _user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<ReferenceItem>>, ApiError> {
    list(&state, RefList::Channels).await
}

/// Add a channel (administrators only).
#[utoipa::path(
    post, path = "/api/v1/channels", tag = "reference",
    request_body = NewReferenceItem,
    responses(
        (status = 201, description = "Channel added", body = ReferenceItem),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name or slug taken (`already_exists`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_channel(
    _admin: AdminUser,
    state: web::Data<AppState>,
    body: JsonObject<NewReferenceItem>,
) -> Result<HttpResponse, ApiError> {
    create(&state, RefList::Channels, body.into_inner()).await
}
