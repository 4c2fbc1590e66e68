//! OpenAPI schemas of the text fields, built from the same constants as the validation rules so
//! that the document states exactly what the server accepts (used through
//! `#[schema(schema_with = ...)]`; a schema built this way carries its own description).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type,
};

use crate::account::TOKEN_NAME_MAX_CHARS;
use crate::validation::{
    EMAIL_PATTERN, MULTI_LINE_PATTERN, SEARCH_PATTERN, SINGLE_LINE_PATTERN, SLUG_PATTERN,
    SLUGGABLE_PATTERN,
};
use crate::{
    COMMENT_MAX_CHARS, CUSTOMER_MAX_CHARS, DESCRIPTION_MAX_CHARS, EMAIL_MAX_CHARS, MAX_QUERY_CHARS,
    NAME_MAX_CHARS, REFERENCE_NAME_MAX_CHARS, SUBJECT_MAX_CHARS,
};

fn string_type(nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    }
}

/// A text of at most `max` characters matching `pattern`.
fn text(pattern: &str, min: usize, max: usize, nullable: bool, description: &str) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(string_type(nullable))
            .min_length(Some(min))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .description(Some(description))
            .build(),
    )
}

const SINGLE_LINE: &str = "no control characters, not blank (stored trimmed)";
const MULTI_LINE: &str =
    "line breaks and tabs allowed, no other control characters, not blank (stored trimmed)";

/// A single-line text of 1 to `max` characters; `what` opens the description.
fn single_line(max: usize, nullable: bool, what: &str) -> Schema {
    let description = format!("{what}1 to {max} characters, {SINGLE_LINE}.");
    text(SINGLE_LINE_PATTERN, 1, max, nullable, &description)
}

/// A multi-line text of 1 to `max` characters.
fn multi_line(max: usize, nullable: bool) -> Schema {
    let description = format!("1 to {max} characters, {MULTI_LINE}.");
    text(MULTI_LINE_PATTERN, 1, max, nullable, &description)
}

const CONTACT: &str = "E-mail, phone number or social handle of the customer: ";

pub fn subject() -> Schema {
    single_line(SUBJECT_MAX_CHARS, false, "")
}

pub fn subject_or_null() -> Schema {
    single_line(SUBJECT_MAX_CHARS, true, "")
}

pub fn customer_name() -> Schema {
    single_line(CUSTOMER_MAX_CHARS, false, "")
}

pub fn customer_name_or_null() -> Schema {
    single_line(CUSTOMER_MAX_CHARS, true, "")
}

pub fn customer_contact() -> Schema {
    single_line(CUSTOMER_MAX_CHARS, false, CONTACT)
}

pub fn customer_contact_or_null() -> Schema {
    single_line(CUSTOMER_MAX_CHARS, true, CONTACT)
}

pub fn description() -> Schema {
    multi_line(DESCRIPTION_MAX_CHARS, false)
}

pub fn description_or_null() -> Schema {
    multi_line(DESCRIPTION_MAX_CHARS, true)
}

pub fn comment_body() -> Schema {
    multi_line(COMMENT_MAX_CHARS, false)
}

pub fn agent_name() -> Schema {
    single_line(NAME_MAX_CHARS, false, "")
}

pub fn register_email() -> Schema {
    let description = format!(
        "A valid address (`local@domain.tld`), at most {EMAIL_MAX_CHARS} characters, unique \
         regardless of case; surrounding whitespace is trimmed."
    );
    text(EMAIL_PATTERN, 5, EMAIL_MAX_CHARS, false, &description)
}

pub fn token_name() -> Schema {
    single_line(
        TOKEN_NAME_MAX_CHARS,
        false,
        "What the token is for, e.g. `Zapier`: ",
    )
}

pub fn login_email() -> Schema {
    single_line(EMAIL_MAX_CHARS, false, "The account's e-mail: ")
}

pub fn reference_name() -> Schema {
    let description = format!(
        "Display name, 1 to {REFERENCE_NAME_MAX_CHARS} characters, {SINGLE_LINE}. Without a \
         `slug` it must contain a letter or digit, from which the slug is derived."
    );
    text(
        SINGLE_LINE_PATTERN,
        1,
        REFERENCE_NAME_MAX_CHARS,
        false,
        &description,
    )
}

/// The free-text search parameter `q`.
pub fn search_query() -> Schema {
    text(
        SEARCH_PATTERN,
        0,
        MAX_QUERY_CHARS,
        false,
        "Blank (no search), or a text without control characters once trimmed.",
    )
}

/// The body of `POST /categories` and `POST /channels`: the object, plus the rule that a name
/// without a slug must yield one.
pub fn new_reference_item() -> RefOr<Schema> {
    let object = ObjectBuilder::new()
        .property("name", reference_name())
        .required("name")
        .property(
            "slug",
            ObjectBuilder::new()
                .schema_type(string_type(true))
                .pattern(Some(SLUG_PATTERN))
                .description(Some(
                    "Optional slug (1 to 50 of `a-z`, `0-9`, `-`); derived from `name` when \
                     absent or null.",
                )),
        )
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .description(Some(
            "Body of `POST /categories` and `POST /channels` (admins only).",
        ));
    let slug_given = ObjectBuilder::new()
        .property("slug", ObjectBuilder::new().schema_type(Type::String))
        .required("slug");
    let name_yields_slug = ObjectBuilder::new().property(
        "name",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(SLUGGABLE_PATTERN)),
    );
    RefOr::T(Schema::AllOf(
        AllOfBuilder::new()
            .item(object)
            .item(Schema::AnyOf(
                AnyOfBuilder::new()
                    .item(slug_given)
                    .item(name_yields_slug)
                    .build(),
            ))
            .build(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_variants_admit_null() {
        let Schema::Object(object) = subject_or_null() else {
            panic!("an object schema")
        };
        assert!(object.schema_type == SchemaType::from_iter([Type::String, Type::Null]));
    }
}
