//! Files attached to tickets.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AgentRef;

/// Metadata of a stored attachment. The bytes are at `download_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    /// The original file name, sanitised; metadata only.
    pub filename: String,
    /// Detected from the file's content: `image/png`, `image/jpeg`, `image/gif` or `application/pdf`.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: AgentRef,
    pub created_at: DateTime<Utc>,
    /// A relative URL that downloads the file without an `Authorization` header, through a
    /// short-lived signed token valid for this one file.
    pub download_url: String,
}

impl Attachment {
    /// Whether browsers can preview this attachment inline.
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}
