//! Tickets: create, list, count, read, update; and their comments.

use actix_web::http::header::{self, EntityTag};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use shared::validation::Validate;
use shared::{
    Comment, EventKind, NewComment, NewTicket, PageParams, PageRequest, Problem, StatusCounts,
    Ticket, TicketDetail, TicketFilter, TicketPage, TicketPatch, TicketQueryParams, TicketStatus,
};

use crate::auth::AuthUser;
use crate::db::models::reference::RefList;
use crate::db::models::{agent, attachment, comment, event, now, reference, ticket};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::handlers::attachments::sign_download_urls;
use crate::handlers::cursor;
use crate::idempotency::{self, Endpoint, IdempotencyKey, IdempotencyKeyHeader, StoredResponse};
use crate::state::AppState;

/// The canonical URL of a ticket.
pub fn ticket_url(id: i64) -> String {
    format!("{}/tickets/{id}", shared::API_PREFIX)
}

fn etag(version: i64) -> EntityTag {
    EntityTag::new_strong(version.to_string())
}

/// A ticket response with its `ETag`.
fn with_etag<T: serde::Serialize>(
    mut builder: actix_web::HttpResponseBuilder,
    version: i64,
    body: &T,
) -> HttpResponse {
    builder
        .insert_header(header::ETag(etag(version)))
        .json(body)
}

/// Parses the query string shared by the list, the counters and the export.
pub fn parse_filter(params: &TicketQueryParams) -> Result<TicketFilter, ApiError> {
    TicketFilter::try_from(params).map_err(ApiError::Validation)
}

/// The tag of ticket list cursors.
const CURSOR: &str = "t";

/// Refuses slugs that are not in their reference list.
fn check_slugs(
    conn: &mut DbConn,
    channel: Option<&str>,
    category: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (list, slug) in [
        (RefList::Channels, channel),
        (RefList::Categories, category),
    ] {
        if let Some(slug) = slug
            && !reference::exists(conn, list, slug)?
        {
            errors.push(shared::FieldError::new(
                list.field(),
                "unknown_value",
                format!("`{slug}` is not a known {}", list.field()),
            ));
        }
    }
    ApiError::check(errors)
}

fn check_assignee(conn: &mut DbConn, id: i64) -> Result<(), ApiError> {
    if agent::is_active(conn, id)? {
        Ok(())
    } else {
        Err(ApiError::field(
            "assignee_id",
            "unknown_value",
            "is not an active agent",
        ))
    }
}

fn load_ticket(conn: &mut DbConn, id: i64) -> Result<ticket::TicketRow, ApiError> {
    ticket::find(conn, id)?.ok_or(ApiError::NotFound("ticket"))
}

fn one_to_wire(conn: &mut DbConn, row: ticket::TicketRow) -> Result<Ticket, ApiError> {
    ticket::to_wire(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound("ticket"))
}

/// Record a new customer contact as a ticket.
///
/// Send an `Idempotency-Key` to make retries safe: a retry with the same key and body within
/// 24 hours answers the first response again (`Idempotent-Replayed: true`) instead of creating a
/// second ticket.
#[utoipa::path(
    post, path = "/api/v1/tickets", tag = "tickets",
    params(IdempotencyKeyHeader),
    request_body = NewTicket,
    responses(
        (status = 201, description = "Ticket created (or the first response replayed)", body = Ticket,
         headers(("Location" = String, description = "URL of the ticket"), ("ETag" = String, description = "The ticket version"),
                 ("Idempotent-Replayed" = String, description = "`true` on a replay of the first response to the `Idempotency-Key`"))),
    )
)]
pub async fn create_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: JsonObject<NewTicket>,
) -> Result<HttpResponse, ApiError> {
    ApiError::check(body.validate())?;
    let new = body.into_inner();
    let keyed = key.bind(user.id, Endpoint::CreateTicket, &new)?;
    idempotency::create(&state, keyed, move |conn| {
        check_slugs(conn, Some(&new.channel), Some(&new.category))?;
        if let Some(assignee) = new.assignee_id {
            check_assignee(conn, assignee)?;
        }
        let at = now();
        let row = ticket::insert(
            conn,
            &ticket::NewTicketRow {
                subject: new.subject.trim(),
                customer_name: new.customer_name.trim(),
                customer_contact: new.customer_contact.trim(),
                channel: &new.channel,
                category: &new.category,
                description: new.description.trim(),
                priority: new.priority.unwrap_or(shared::Priority::Normal).as_str(),
                assignee_id: Some(new.assignee_id.unwrap_or(user.id)),
                created_by: user.id,
                created_at: at,
                updated_at: at,
            },
        )?;
        let ticket = one_to_wire(conn, row)?;
        Ok(StoredResponse::created(&ticket)?
            .with_location(ticket_url(ticket.id))
            .with_etag(&etag(ticket.version)))
    })
    .await
}

/// Tickets matching the filters, newest first, one keyset page at a time.
#[utoipa::path(
    get, path = "/api/v1/tickets", tag = "tickets",
    params(TicketQueryParams, PageParams),
    responses(
        (status = 200, description = "One page of tickets", body = TicketPage),
    )
)]
pub async fn list_tickets(
    _user: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<TicketQueryParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<TicketPage>, ApiError> {
    let filter = parse_filter(&params)?;
    let page = PageRequest::try_from(&*page).map_err(ApiError::Validation)?;
    let before = cursor::start(CURSOR, &page)?;
    let page = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut rows = ticket::page(conn, &filter, before, page.limit + 1)?;
            let next_cursor = cursor::next_page(CURSOR, &mut rows, page.limit, |row| row.id);
            let (total, total_capped) = ticket::count(conn, &filter)?;
            Ok(TicketPage {
                items: ticket::to_wire(conn, rows)?,
                next_cursor,
                total,
                total_capped,
            })
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// Dashboard counters: tickets per status matching the filters.
#[utoipa::path(
    get, path = "/api/v1/tickets/counts", tag = "tickets",
    params(TicketQueryParams),
    responses((status = 200, description = "Counts per status", body = StatusCounts))
)]
pub async fn ticket_counts(
    _user: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<TicketQueryParams>,
) -> Result<web::Json<StatusCounts>, ApiError> {
    let filter = parse_filter(&params)?;
    let counts = db::run(&state.pool, move |conn| {
        Ok(ticket::counts_by_status(conn, &filter)?)
    })
    .await?;
    Ok(web::Json(counts))
}

/// A ticket with its comments, attachments and history.
#[utoipa::path(
    get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket number", minimum = 1)),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail,
         headers(("ETag" = String, description = "The ticket version, for `If-Match`"))),
        (status = 404, description = "No such ticket (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_ticket(
    _user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let mut detail = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = load_ticket(conn, id)?;
            let comments = comment::for_ticket(conn, id)?;
            let files = attachment::for_ticket(conn, id)?;
            Ok(TicketDetail {
                ticket: one_to_wire(conn, row)?,
                comments,
                attachments: attachment::to_wire(conn, files)?,
                events: event::for_ticket(conn, id)?,
            })
        })
    })
    .await?;
    sign_download_urls(&state, &mut detail.attachments)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        detail.ticket.version,
        &detail,
    ))
}

/// What an `If-Match` header accepts.
enum IfMatch {
    Any,
    Versions(Vec<i64>),
}

/// The `If-Match` header, if sent: `*`, or the versions its entity tags name. A value that names
/// no version (not an entity tag this server issued) matches nothing, so the change is refused
/// with 412 rather than applied on a precondition the server cannot read.
fn if_match(req: &HttpRequest) -> Option<IfMatch> {
    let value = req.headers().get(header::IF_MATCH)?;
    let value = value.to_str().unwrap_or_default().trim();
    if value == "*" {
        return Some(IfMatch::Any);
    }
    let versions = value
        .split(',')
        .filter_map(|tag| {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag.trim_matches('"').parse().ok()
        })
        .collect();
    Some(IfMatch::Versions(versions))
}

fn status_event(
    ticket_id: i64,
    actor: i64,
    from: TicketStatus,
    to: TicketStatus,
) -> event::NewEventRow {
    event::NewEventRow {
        ticket_id,
        actor_id: actor,
        kind: EventKind::StatusChanged.as_str(),
        from_value: Some(from.as_str().to_owned()),
        to_value: Some(to.as_str().to_owned()),
        created_at: now(),
    }
}

fn assignee_event(
    ticket_id: i64,
    actor: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> event::NewEventRow {
    event::NewEventRow {
        ticket_id,
        actor_id: actor,
        kind: EventKind::AssigneeChanged.as_str(),
        from_value: from.map(|id| id.to_string()),
        to_value: to.map(|id| id.to_string()),
        created_at: now(),
    }
}

/// Keeps `new` only when it differs from `old`.
fn changed<T: PartialEq>(new: Option<T>, old: &T) -> Option<T> {
    new.filter(|value| value != old)
}

/// Work a ticket: change its status, priority, classification, assignee or text.
///
/// Send `If-Match` with the `ETag` you read to refuse the update when someone changed the ticket
/// in between (412 `stale_ticket`).
#[utoipa::path(
    patch, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(
        ("id" = i64, Path, description = "Ticket number", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "`*`, or the `ETag`s the change is based on (comma-separated). A value naming no current version, or none at all, is answered 412; judged only for a ticket that exists"),
    ),
    request_body = TicketPatch,
    responses(
        (status = 200, description = "The updated ticket", body = Ticket,
         headers(("ETag" = String, description = "The new ticket version"))),
        (status = 404, description = "No such ticket (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since `If-Match` (`stale_ticket`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_ticket(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonObject<TicketPatch>,
) -> Result<HttpResponse, ApiError> {
    ApiError::check(body.validate())?;
    let id = path.into_inner();
    let expected = if_match(&req);
    let patch = body.into_inner();
    let ticket = db::write(&state.writer, move |conn| {
        let row = load_ticket(conn, id)?;
        // Preconditions are judged only once the ticket is known to exist (RFC 9110, 13.2.1):
        // a missing ticket is 404 whatever `If-Match` says.
        if let Some(IfMatch::Versions(versions)) = &expected
            && !versions.contains(&row.version)
        {
            return Err(ApiError::StaleTicket {
                current: row.version,
            });
        }
        check_slugs(conn, patch.channel.as_deref(), patch.category.as_deref())?;
        if let Some(Some(assignee)) = patch.assignee_id {
            check_assignee(conn, assignee)?;
        }
        let old_status = row.status();
        let at = now();
        let mut changes = ticket::TicketChangeset {
            subject: changed(patch.subject.map(|s| s.trim().to_owned()), &row.subject),
            customer_name: changed(
                patch.customer_name.map(|s| s.trim().to_owned()),
                &row.customer_name,
            ),
            customer_contact: changed(
                patch.customer_contact.map(|s| s.trim().to_owned()),
                &row.customer_contact,
            ),
            description: changed(
                patch.description.map(|s| s.trim().to_owned()),
                &row.description,
            ),
            channel: changed(patch.channel, &row.channel),
            category: changed(patch.category, &row.category),
            priority: changed(patch.priority.map(|p| p.as_str().to_owned()), &row.priority),
            status: changed(patch.status.map(|s| s.as_str().to_owned()), &row.status),
            assignee_id: changed(patch.assignee_id, &row.assignee_id),
            ..Default::default()
        };
        let mut events = Vec::new();
        if let Some(status) = patch.status.filter(|s| *s != old_status) {
            events.push(status_event(id, user.id, old_status, status));
            changes.closed_at = Some((status == TicketStatus::Closed).then_some(at));
        }
        if let Some(assignee) = changes.assignee_id {
            events.push(assignee_event(id, user.id, row.assignee_id, assignee));
        }
        if !changes.edits_fields() {
            return one_to_wire(conn, row);
        }
        changes.version = Some(row.version + 1);
        changes.updated_at = Some(at);
        let updated = ticket::update(conn, id, &changes)?;
        event::insert(conn, &events)?;
        one_to_wire(conn, updated)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), ticket.version, &ticket))
}

/// Add a comment. The first comment sets the ticket's `first_response_at`.
///
/// `Idempotency-Key` works as on `POST /tickets`.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/comments", tag = "comments",
    params(("id" = i64, Path, description = "Ticket number", minimum = 1), IdempotencyKeyHeader),
    request_body = NewComment,
    responses(
        (status = 201, description = "Comment added (or the first response replayed)", body = Comment,
         headers(("Idempotent-Replayed" = String, description = "`true` on a replay of the first response to the `Idempotency-Key`"))),
        (status = 404, description = "No such ticket (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_comment(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    key: IdempotencyKey,
    body: JsonObject<NewComment>,
) -> Result<HttpResponse, ApiError> {
    ApiError::check(body.validate())?;
    let ticket_id = path.into_inner();
    let new = body.into_inner();
    let keyed = key.bind(user.id, Endpoint::CreateComment { ticket_id }, &new)?;
    idempotency::create(&state, keyed, move |conn| {
        let row = load_ticket(conn, ticket_id)?;
        let at = now();
        let created = comment::insert(
            conn,
            &comment::NewCommentRow {
                ticket_id,
                author_id: user.id,
                body: new.body.trim(),
                created_at: at,
            },
        )?;
        let changes = ticket::TicketChangeset {
            updated_at: Some(at),
            first_response_at: row.first_response_at.is_none().then_some(Some(at)),
            ..Default::default()
        };
        ticket::update(conn, ticket_id, &changes)?;
        let comment = comment::to_wire(conn, vec![created])?
            .pop()
            .ok_or(ApiError::NotFound("comment"))?;
        StoredResponse::created(&comment)
    })
    .await
}

/// The comments of a ticket, oldest first.
#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/comments", tag = "comments",
    params(("id" = i64, Path, description = "Ticket number", minimum = 1)),
    responses(
        (status = 200, description = "The comments", body = Vec<Comment>),
        (status = 404, description = "No such ticket (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    _user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<web::Json<Vec<Comment>>, ApiError> {
    let ticket_id = path.into_inner();
    let comments = db::run(&state.pool, move |conn| {
        if !ticket::exists(conn, ticket_id)? {
            return Err(ApiError::NotFound("ticket"));
        }
        Ok(comment::for_ticket(conn, ticket_id)?)
    })
    .await?;
    Ok(web::Json(comments))
}
