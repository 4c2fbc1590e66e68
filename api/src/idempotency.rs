//! `Idempotency-Key` on the create endpoints (`POST /tickets`, `POST /tickets/{id}/comments`).
//!
//! A keyed request's first response is stored in the same writer transaction (savepoint) as the
//! ticket or comment it created, so one is never on disk without the other. A retry with the same
//! key and the same request replays that response (`Idempotent-Replayed: true`) instead of
//! creating again; the same key with another request is refused with 422
//! `idempotency_key_reused`. Keys are scoped per agent and endpoint and expire after 24 hours;
//! expired rows are deleted by the next keyed write. All writes go through the single writer
//! (`db::write`), so two concurrent requests with one key run one after the other and the second
//! replays; the unique index on (agent, endpoint, key) is the backstop (409
//! `idempotency_key_in_use`).
//!
//! Only created resources are remembered: a request refused (422, 404...) stores nothing, and a
//! retry is judged afresh.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use futures_util::future::{Ready, ready};
use sha2::{Digest, Sha256};

use crate::db::models::idempotency::{self, IdempotencyRow, NewIdempotencyRow};
use crate::db::models::now;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// Set on a replayed response.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// Longest accepted key.
pub const MAX_KEY_CHARS: usize = 255;
/// How long a key is remembered.
pub const TTL: TimeDelta = TimeDelta::hours(24);

/// The `Idempotency-Key` header as the OpenAPI document shows it on the create endpoints.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// Any unique value (e.g. a UUID), 1 to 255 printable ASCII characters. A retry with the same
    /// key and body within 24 hours replays the first response (`Idempotent-Replayed: true`)
    /// instead of creating again; the same key with another body is refused (422
    /// `idempotency_key_reused`). Keys are per agent and endpoint.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255)]
    pub idempotency_key: Option<String>,
}

/// The endpoints that accept a key, with the resource they act on.
#[derive(Debug, Clone, Copy)]
pub enum Endpoint {
    CreateTicket,
    CreateComment { ticket_id: i64 },
}

impl Endpoint {
    /// The scope of keys: the route template.
    fn scope(self) -> &'static str {
        match self {
            Self::CreateTicket => "POST /tickets",
            Self::CreateComment { .. } => "POST /tickets/{id}/comments",
        }
    }

    /// The concrete path, part of the request's fingerprint.
    fn path(self) -> String {
        match self {
            Self::CreateTicket => "/tickets".to_owned(),
            Self::CreateComment { ticket_id } => format!("/tickets/{ticket_id}/comments"),
        }
    }
}

/// The `Idempotency-Key` a request sent, checked: 1 to 255 printable ASCII characters. `None`
/// when it sent none.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

fn parse_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut values = req.headers().get_all(HEADER);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |why: &str| ApiError::InvalidIdempotencyKey(format!("{HEADER} {why}"));
    if values.next().is_some() {
        return Err(invalid("must be sent once"));
    }
    let key = value.to_str().map_err(|_| invalid("must be ASCII"))?.trim();
    if key.is_empty() || key.len() > MAX_KEY_CHARS {
        return Err(invalid(&format!(
            "must have 1 to {MAX_KEY_CHARS} characters"
        )));
    }
    if !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err(invalid("must be printable ASCII"));
    }
    Ok(Some(key.to_owned()))
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_key(req).map(Self))
    }
}

/// A keyed request, ready to be looked up and remembered.
#[derive(Debug, Clone)]
pub struct Keyed {
    agent_id: i64,
    endpoint: Endpoint,
    key: String,
    /// Hex SHA-256 of the concrete path and the canonical body.
    hash: String,
}

impl IdempotencyKey {
    /// Binds the key (if any) to its agent, endpoint and request. `body` is the parsed request:
    /// its re-serialisation is canonical (field order and spacing of the sent JSON don't count).
    pub fn bind<B: serde::Serialize>(
        self,
        agent_id: i64,
        endpoint: Endpoint,
        body: &B,
    ) -> Result<Option<Keyed>, ApiError> {
        let Some(key) = self.0 else { return Ok(None) };
        let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
        let mut hasher = Sha256::new();
        hasher.update(endpoint.path().as_bytes());
        hasher.update(b"\n");
        hasher.update(&body);
        Ok(Some(Keyed {
            agent_id,
            endpoint,
            key,
            hash: hex::encode(hasher.finalize()),
        }))
    }
}

/// A response of a create endpoint, as sent the first time and as replayed.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    status: StatusCode,
    /// JSON.
    body: String,
    location: Option<String>,
    etag: Option<String>,
    replayed: bool,
}

impl StoredResponse {
    /// 201 with `body` as JSON.
    pub fn created<T: serde::Serialize>(body: &T) -> Result<Self, ApiError> {
        Ok(Self {
            status: StatusCode::CREATED,
            body: serde_json::to_string(body).map_err(ApiError::internal)?,
            location: None,
            etag: None,
            replayed: false,
        })
    }

    pub fn with_location(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    pub fn with_etag(mut self, etag: &header::EntityTag) -> Self {
        self.etag = Some(etag.to_string());
        self
    }

    fn replay(row: IdempotencyRow) -> Self {
        Self {
            status: u16::try_from(row.status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::CREATED),
            body: row.body,
            location: row.location,
            etag: row.etag,
            replayed: true,
        }
    }

    fn into_response(self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.content_type(mime::APPLICATION_JSON);
        if let Some(location) = self.location {
            builder.insert_header((header::LOCATION, location));
        }
        if let Some(etag) = self.etag {
            builder.insert_header((header::ETAG, etag));
        }
        if self.replayed {
            builder.insert_header((REPLAYED_HEADER, "true"));
        }
        builder.body(self.body)
    }
}

/// Within one write: replays the stored response of `keyed` (made after `at - TTL`), or runs
/// `create` and stores its response with it. Deletes expired keys on the way.
fn create_once<F>(
    conn: &mut DbConn,
    keyed: &Keyed,
    at: NaiveDateTime,
    create: F,
) -> Result<StoredResponse, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<StoredResponse, ApiError>,
{
    let cutoff = at - TTL;
    idempotency::delete_older_than(conn, cutoff)?;
    let scope = keyed.endpoint.scope();
    if let Some(row) = idempotency::find(conn, keyed.agent_id, scope, &keyed.key, cutoff)? {
        if row.request_hash != keyed.hash {
            return Err(ApiError::IdempotencyKeyReused);
        }
        return Ok(StoredResponse::replay(row));
    }
    let response = create(conn)?;
    let stored = idempotency::insert(
        conn,
        &NewIdempotencyRow {
            agent_id: keyed.agent_id,
            endpoint: scope,
            idempotency_key: &keyed.key,
            request_hash: &keyed.hash,
            status: i32::from(response.status.as_u16()),
            body: &response.body,
            location: response.location.as_deref(),
            etag: response.etag.as_deref(),
            created_at: at,
        },
    );
    match stored {
        Ok(_) => Ok(response),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(ApiError::Conflict {
                code: "idempotency_key_in_use",
                detail: "a request with this Idempotency-Key is in progress; retry it".into(),
            })
        }
        Err(err) => Err(err.into()),
    }
}

/// Runs `create` as one write (see [`db::write`]) and answers with its response; with a key,
/// remembers the response in the same transaction, or replays the remembered one.
pub async fn create<F>(
    state: &AppState,
    keyed: Option<Keyed>,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<StoredResponse, ApiError> + Send + 'static,
{
    let response = db::write(&state.writer, move |conn| match &keyed {
        None => create(conn),
        Some(keyed) => create_once(conn, keyed, now(), create),
    })
    .await?;
    Ok(response.into_response())
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::db::models::agent;
    use crate::db::schema::idempotency_keys;

    fn conn_with_agent() -> (tempfile::TempDir, DbConn, i64) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::db::open(&path).unwrap());
        let mut conn = DbConn::establish(&path.to_string_lossy()).unwrap();
        let id = agent::insert(
            &mut conn,
            &agent::NewAgentRow {
                name: "Ana",
                email: "ana@x.io",
                password_hash: "-",
                role: "agent",
                created_at: now(),
            },
        )
        .unwrap()
        .id;
        (dir, conn, id)
    }

    fn keyed(agent_id: i64, body: &str) -> Keyed {
        IdempotencyKey(Some("k-1".into()))
            .bind(agent_id, Endpoint::CreateTicket, &body)
            .unwrap()
            .unwrap()
    }

    fn run(conn: &mut DbConn, keyed: &Keyed, at: NaiveDateTime, n: i32) -> StoredResponse {
        create_once(conn, keyed, at, |_| StoredResponse::created(&n)).unwrap()
    }

    #[test]
    fn a_key_is_replayed_for_24_hours_then_forgotten_and_its_row_deleted() {
        let (_dir, mut conn, agent) = conn_with_agent();
        let at = now();
        let request = keyed(agent, "a");

        assert_eq!(run(&mut conn, &request, at, 1).body, "1");
        let almost = at + TTL - TimeDelta::milliseconds(1);
        let replay = run(&mut conn, &request, almost, 2);
        assert!(replay.replayed);
        assert_eq!(replay.body, "1");

        let later = at + TTL + TimeDelta::seconds(1);
        let fresh = run(&mut conn, &request, later, 3);
        assert!(!fresh.replayed);
        assert_eq!(fresh.body, "3");
        let rows: i64 = idempotency_keys::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(rows, 1, "the expired row is gone");
    }

    #[test]
    fn the_same_key_with_another_body_is_refused() {
        let (_dir, mut conn, agent) = conn_with_agent();
        run(&mut conn, &keyed(agent, "a"), now(), 1);
        let other = create_once(&mut conn, &keyed(agent, "b"), now(), |_| {
            StoredResponse::created(&2)
        });
        assert!(matches!(other, Err(ApiError::IdempotencyKeyReused)));
    }

    #[test]
    fn keys_are_1_to_255_printable_ascii_characters() {
        let parse = |value: &str| {
            let req = actix_web::test::TestRequest::default()
                .insert_header((HEADER, value))
                .to_http_request();
            parse_key(&req)
        };
        assert_eq!(parse(" abc-123 ").unwrap().as_deref(), Some("abc-123"));
        assert!(parse(&"k".repeat(255)).unwrap().is_some());
        for bad in ["", "   ", &"k".repeat(256), "tab\there"] {
            assert!(
                matches!(parse(bad), Err(ApiError::InvalidIdempotencyKey(_))),
                "{bad:?}"
            );
        }
    }
}
