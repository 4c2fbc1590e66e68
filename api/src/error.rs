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
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("{0}")]
    Unavailable(String),
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
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unavailable(_) => "service_unavailable",
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
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
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
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
                let message = info.message();
                if message.contains("disk is full") {
                    Self::Unavailable("the server's disk is full; the change was not saved".into())
                } else if message.contains("readonly") || message.contains("read-only") {
                    Self::Unavailable(
                        "the server's data directory is read-only; the change was not saved".into(),
                    )
                } else if message.contains("database is locked") || message.contains("busy") {
                    Self::Unavailable("the database is busy; retry shortly".into())
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
        match err.kind() {
            std::io::ErrorKind::StorageFull => {
                Self::Unavailable("the server's disk is full; the file was not saved".into())
            }
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                Self::Unavailable("the server cannot write to its data directory".into())
            }
            _ => Self::internal(err),
        }
    }
}
