//! The one error body of the API: RFC 9457 `application/problem+json`.

use serde::{Deserialize, Serialize};

/// Media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document. Clients branch on `code`, never on `title` or `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the problem type (`/problems/{code}`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable snake_case machine code, e.g. `email_taken` or `stale_ticket`.
    pub code: String,
    /// Per-field validation failures (only for `validation_failed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The request field, as named in the JSON body or query string.
    pub field: String,
    /// Stable machine code: `required`, `too_short`, `too_long`, `invalid_email`,
    /// `unknown_value`, `invalid_format`, `out_of_range`; for uploads also `unknown_field` (a part
    /// not named `file`), `empty_file` and `too_many_files`.
    pub code: String,
    /// Human-readable explanation (English; clients translate by `code`).
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}
