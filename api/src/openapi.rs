//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations. The error
//! responses every operation shares (401, 400/413/415/422 for bodies, 422 for queries, 503) are
//! added here once instead of being repeated on each handler, and so is `allowEmptyValue` on
//! query parameters (the server takes an empty value as absent; utoipa has no attribute for it).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::handlers;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Groovoo Service Desk API",
        description = "REST API of Groovoo Service Desk. Authenticate with `POST /api/v1/auth/login` \
and send `Authorization: Bearer <token>`. Errors are RFC 9457 `application/problem+json` with a \
stable `code`.",
        version = "1.0.0",
        license(name = "MIT")
    ),
    paths(
        handlers::auth::register,
        handlers::auth::login,
        handlers::agents::me,
        handlers::agents::list_agents,
        handlers::reference::list_categories,
        handlers::reference::create_category,
        handlers::reference::list_channels,
        handlers::reference::create_channel,
        handlers::tickets::create_ticket,
        handlers::tickets::list_tickets,
        handlers::tickets::ticket_counts,
        handlers::export::export_tickets,
        handlers::tickets::get_ticket,
        handlers::tickets::update_ticket,
        handlers::tickets::create_comment,
        handlers::tickets::list_comments,
        handlers::attachments::upload_attachments,
        handlers::attachments::download_attachment,
        handlers::health::healthz,
    ),
    components(schemas(shared::Problem, shared::FieldError)),
    modifiers(&SecurityAndErrors),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "agents", description = "Support agents"),
        (name = "reference", description = "Categories and channels"),
        (name = "tickets", description = "Tickets, counters and export"),
        (name = "comments", description = "Comments on tickets"),
        (name = "attachments", description = "Files attached to tickets"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

struct SecurityAndErrors;

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        Response::builder()
            .description(description)
            .content(
                shared::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

impl Modify for SecurityAndErrors {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        doc.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|reqs| reqs.iter().all(|r| *r == SecurityRequirement::default()));
                if !public {
                    add(
                        op,
                        "401",
                        "Missing, invalid or expired token (`unauthenticated`, `invalid_token`, `token_expired`)",
                    );
                }
                if op.request_body.is_some() {
                    add(op, "400", "Malformed body (`malformed_json`)");
                    add(op, "413", "Body too large (`payload_too_large`)");
                    add(op, "415", "Wrong content type (`unsupported_media_type`)");
                    add(
                        op,
                        "422",
                        "Invalid fields (`validation_failed`, `invalid_body`)",
                    );
                }
                // Every query parameter of this API treats an empty value as absent.
                for param in op.parameters.iter_mut().flatten() {
                    if let RefOr::T(param) = param
                        && param.parameter_in == ParameterIn::Query
                    {
                        param
                            .extensions
                            .get_or_insert_with(Default::default)
                            .insert("allowEmptyValue".to_owned(), true.into());
                    }
                }
                let has_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
                let has_path = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
                if has_query {
                    add(
                        op,
                        "422",
                        "Invalid query parameter (`validation_failed`, `invalid_cursor`)",
                    );
                }
                if has_path {
                    add(op, "404", "Not found (`not_found`)");
                }
                add(
                    op,
                    "503",
                    "Database unavailable, busy or out of space (`service_unavailable`)",
                );
            }
        }
    }
}

/// The document as YAML, as checked in at the repository root.
pub fn yaml() -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    Ok(ApiDoc::openapi().to_yaml()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_openapi_yaml_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == yaml().unwrap(),
            "openapi.yaml is out of date: run scripts/gen-openapi.sh and commit the result"
        );
    }

    #[test]
    fn every_operation_documents_its_errors_as_problem_json() {
        let doc = ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.patch].into_iter().flatten() {
                let codes: Vec<&String> = op.responses.responses.keys().collect();
                assert!(
                    codes.iter().any(|c| c.starts_with('2')),
                    "{path}: no success"
                );
                assert!(codes.iter().any(|c| *c == "503"), "{path}: no 503");
                if op.security.is_none() {
                    assert!(codes.iter().any(|c| *c == "401"), "{path}: no 401");
                }
            }
        }
    }
}
