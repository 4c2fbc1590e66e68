//! The predefined lists tickets are classified by: categories and channels.

use serde::{Deserialize, Serialize};

use crate::validation::{Validate, Validator, slugify};

/// One entry of a reference list (a category or a channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceItem {
    pub id: i64,
    /// Stable identifier used in tickets and filters, e.g. `acesso-ao-evento`.
    pub slug: String,
    /// Display name, e.g. `Acesso ao evento`.
    pub name: String,
}

/// Body of `POST /categories` and `POST /channels` (admins only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReferenceItem {
    /// Display name, 1 to 60 characters.
    pub name: String,
    /// Optional slug; derived from `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
}

pub const REFERENCE_NAME_MAX_CHARS: usize = 60;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for NewReferenceItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::new_reference_item()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for NewReferenceItem {}

impl NewReferenceItem {
    /// The slug to store: the given one, or one derived from the name.
    pub fn effective_slug(&self) -> String {
        self.slug.clone().unwrap_or_else(|| slugify(&self.name))
    }
}

impl Validate for NewReferenceItem {
    fn validate(&self) -> Vec<crate::FieldError> {
        let mut v = Validator::default();
        v.text("name", &self.name, 1, REFERENCE_NAME_MAX_CHARS);
        v.slug("slug", &self.effective_slug());
        v.finish()
    }
}
