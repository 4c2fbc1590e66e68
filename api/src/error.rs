//! `ApiError`: every failure a handler can report, mapped to a status and an RFC 9457
//! `application/problem+json` body with a stable machine `code`. Internal causes are logged,
//! never returned to the client.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use shared::{FieldError, PROBLEM_JSON, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    InvalidBody(String),
    #[error("{0}")]
    MalformedJson(String),
    #[error("{0}")]
    InvalidQuery(String),
    #[error("the cursor is not one this server issued")]
    InvalidCursor,
    #[error("authentication is required: send `Authorization: Bearer <token>`")]
    Unauthenticated,
    #[error("the token is invalid")]
    InvalidToken,
    #[error("the token has expired; log in again")]
    TokenExpired,
    #[error("e-mail or password is incorrect")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("this API token is read-only; use a read_write token or sign in")]
    InsufficientScope,
    #[error("sign in with your password to do this; API tokens cannot")]
    SessionRequired,
    #[error("the current password is incorrect")]
    WrongPassword,
    #[error("sign-up is closed on this server; ask an administrator for an account")]
    SignupClosed,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("the ticket was changed by someone else (version {current}); reload it and retry")]
    StaleTicket { current: i64 },
    #[error("{0}")]
    InvalidIdempotencyKey(String),
    #[error("this Idempotency-Key was already used with another request; use a new key")]
    IdempotencyKeyReused,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("{0}")]
    Unavailable(String),
    /// The data directory cannot take the write (disk full, read-only, I/O error): nothing was
    /// saved, and retrying helps only once an operator has made room.
    #[error("{0}")]
    Storage(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::InvalidBody(_) => "invalid_body",
            Self::MalformedJson(_) => "malformed_json",
            Self::InvalidQuery(_) => "invalid_query",
            Self::InvalidCursor => "invalid_cursor",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidToken => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden(_) => "forbidden",
            Self::InsufficientScope => "insufficient_scope",
            Self::SessionRequired => "session_required",
            Self::WrongPassword => "wrong_password",
            Self::SignupClosed => "signup_closed",
            Self::NotFound(_) => "not_found",
            Self::EmailTaken => "email_taken",
            Self::Conflict { code, .. } => code,
            Self::StaleTicket { .. } => "stale_ticket",
            Self::InvalidIdempotencyKey(_) => "invalid_idempotency_key",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unavailable(_) => "service_unavailable",
            Self::Storage(_) => "storage_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    /// A single-field validation failure.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// Refuses a request when `errors` is not empty.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::Validation(errors))
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            Self::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        };
        Problem {
            type_: format!("/problems/{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::InvalidBody(_) | Self::InvalidQuery(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::InvalidCursor => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MalformedJson(_) | Self::InvalidIdempotencyKey(_) => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated
            | Self::InvalidToken
            | Self::TokenExpired
            | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::SignupClosed => StatusCode::FORBIDDEN,
            Self::InsufficientScope | Self::SessionRequired | Self::WrongPassword => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::EmailTaken | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::StaleTicket { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable(_) | Self::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = %cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        if matches!(
            self,
            Self::Unauthenticated | Self::InvalidToken | Self::TokenExpired
        ) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Self::RateLimited { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, *retry_after));
        }
        if matches!(self, Self::InsufficientScope) {
            // RFC 6750 §3.1.
            response.insert_header((
                header::WWW_AUTHENTICATE,
                r#"Bearer error="insufficient_scope""#,
            ));
        }
        response.json(self.problem())
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => Self::NotFound("resource"),
            DieselError::DatabaseError(kind, info) => {
                if let Some(storage) = storage_failure(info.message()) {
                    storage
                } else if info.message().contains("database is locked")
                    || info.message().contains("busy")
                {
                    Self::Unavailable("the database is busy; retry shortly".into())
                } else if info.message().starts_with("fts5:") {
                    // Search words are built so the index accepts them; should a character
                    // still trip it, the query is refused, not the server.
                    Self::InvalidQuery(
                        "q: the search text contains characters that cannot be searched".into(),
                    )
                } else if matches!(kind, DatabaseErrorKind::UniqueViolation) {
                    Self::Conflict {
                        code: "already_exists",
                        detail: "an entry with this value already exists".into(),
                    }
                } else {
                    Self::internal(err)
                }
            }
            _ => Self::internal(err),
        }
    }
}

/// The storage failures SQLite reports (`SQLITE_FULL`, `SQLITE_READONLY`, `SQLITE_IOERR`,
/// `SQLITE_CANTOPEN`), recognised by their fixed English messages: diesel keeps no result code.
fn storage_failure(message: &str) -> Option<ApiError> {
    let detail = if message.contains("disk is full") {
        "the server's disk is full; the change was not saved"
    } else if message.contains("readonly") || message.contains("read-only") {
        "the server's data directory is read-only; the change was not saved"
    } else if message.contains("disk I/O error") {
        "the server could not write to its disk; the change was not saved"
    } else if message.contains("unable to open database file") {
        "the server cannot open its database files; the change was not saved"
    } else {
        return None;
    };
    Some(ApiError::Storage(detail.into()))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %err, "database pool exhausted or unavailable");
        Self::Unavailable("the database is unavailable; retry shortly".into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::internal(err.to_string())
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
                Self::Storage("the server's disk is full; the file was not saved".into())
            }
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => Self::Storage(
                "the server cannot write to its data directory; the file was not saved".into(),
            ),
            _ => Self::internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use diesel::result::DatabaseErrorInformation;

    use super::*;

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn sqlite(message: &'static str) -> ApiError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(Info(message))).into()
    }

    #[test]
    fn sqlite_storage_failures_are_503_storage_unavailable() {
        // The messages of SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR and SQLITE_CANTOPEN.
        for message in [
            "database or disk is full",
            "attempt to write a readonly database",
            "disk I/O error",
            "unable to open database file",
        ] {
            let err = sqlite(message);
            assert_eq!(
                err.status_code(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{message}"
            );
            assert_eq!(err.code(), "storage_unavailable", "{message}");
            assert!(err.problem().detail.contains("not saved"), "{message}");
        }
        assert_eq!(sqlite("database is locked").code(), "service_unavailable");
        assert_eq!(sqlite("no such table: x").code(), "internal_error");
    }

    #[test]
    fn file_write_failures_are_503_storage_unavailable() {
        for kind in [
            io::ErrorKind::StorageFull,
            io::ErrorKind::QuotaExceeded,
            io::ErrorKind::ReadOnlyFilesystem,
            io::ErrorKind::PermissionDenied,
        ] {
            let err = ApiError::from(io::Error::from(kind));
            assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE, "{kind}");
            assert_eq!(err.code(), "storage_unavailable", "{kind}");
        }
        // ENOSPC and EROFS as the kernel reports them.
        for errno in [28, 30] {
            let err = ApiError::from(io::Error::from_raw_os_error(errno));
            assert_eq!(err.code(), "storage_unavailable", "errno {errno}");
        }
    }
}
