//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations. The error
//! responses every operation shares (401, 400/413/415/422 for bodies, 422 for queries, 503, 429
//! and the `RateLimit-*` headers under `/api/v1`, the `Idempotency-Key` errors) are added here
//! once instead of being repeated on each handler, and so is `allowEmptyValue` on query parameters
//! (the server takes an empty value as absent; utoipa has no attribute for it).

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Components, Content, OpenApi as OpenApiDoc, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::handlers;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Groovoo Service Desk API",
        description = "REST API of Groovoo Service Desk. Authenticate with `POST /api/v1/auth/login` \
and send `Authorization: Bearer <token>`, or create an API token (`POST /api/v1/tokens`, \
`gsd_…`) and send it the same way; a `read` API token is refused on anything but `GET` (403 \
`insufficient_scope`). Errors are RFC 9457 `application/problem+json` with a \
stable `code`.",
        version = "1.0.0",
        license(name = "MIT")
    ),
    paths(
        handlers::auth::register,
        handlers::auth::login,
        handlers::auth::logout,
        handlers::agents::me,
        handlers::agents::change_password,
        handlers::agents::list_agents,
        handlers::agents::update_agent,
        handlers::tokens::create_token,
        handlers::tokens::list_tokens,
        handlers::tokens::revoke_token,
        handlers::audit::list_audit,
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
        (name = "auth", description = "Registration, sign-in and sign-out"),
        (name = "agents", description = "Support agents, their passwords and their administration"),
        (name = "tokens", description = "API tokens for integrations"),
        (name = "audit", description = "The audit log of security-relevant events"),
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

fn integer_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(Some(Object::with_type(Type::Integer)))
        .description(Some(description))
        .build()
}

/// The `RateLimit-*` headers (IETF draft) of every `/api/v1` response.
const RATE_LIMIT_HEADERS: [&str; 3] = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];
/// The shared response of every `/api/v1` operation, under `components/responses`.
const TOO_MANY_REQUESTS: &str = "TooManyRequests";

fn header_ref(name: &str) -> Ref {
    Ref::new(format!("#/components/headers/{name}"))
}

/// The rate-limit headers and the 429 response, once, in the components.
fn rate_limit_components(components: &mut Components) {
    for (name, description) in [
        (
            "RateLimit-Limit",
            "Requests allowed per minute (and at once) for this client",
        ),
        ("RateLimit-Remaining", "Requests left right now"),
        (
            "RateLimit-Reset",
            "Seconds until the whole quota is available again",
        ),
        ("Retry-After", "Seconds until the next request is allowed"),
    ] {
        components
            .headers
            .insert(name.to_owned(), RefOr::T(integer_header(description)));
    }
    let too_many = ["Retry-After"].into_iter().chain(RATE_LIMIT_HEADERS).fold(
        Response::builder()
            .description(
                "Too many requests (`rate_limited`): per agent for the API, per client IP and \
per account for login and register",
            )
            .content(
                shared::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            ),
        |response, name| response.header_ref(name, header_ref(name)),
    );
    components
        .responses
        .insert(TOO_MANY_REQUESTS.to_owned(), RefOr::T(too_many.build()));
}

/// 429 and the `RateLimit-*` headers on the success responses.
fn document_rate_limits(op: &mut Operation) {
    for (status, response) in &mut op.responses.responses {
        if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
            for name in RATE_LIMIT_HEADERS {
                response
                    .headers
                    .insert(name.to_owned(), RefOr::Ref(header_ref(name)));
            }
        }
    }
    op.responses
        .responses
        .entry("429".to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(TOO_MANY_REQUESTS)));
}

fn has_header_param(op: &Operation, name: &str) -> bool {
    op.parameters.iter().flatten().any(
        |p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header && p.name == name),
    )
}

impl Modify for SecurityAndErrors {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or API token")
                    .build(),
            ),
        );
        rate_limit_components(components);
        doc.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        for (path, item) in &mut doc.paths.paths {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.patch),
                (true, &mut item.put),
                (true, &mut item.delete),
            ];
            for (writes, op) in ops
                .into_iter()
                .filter_map(|(writes, op)| Some((writes, op.as_mut()?)))
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
                    if writes {
                        add(
                            op,
                            "403",
                            "Called with a `read` API token (`insufficient_scope`)",
                        );
                    }
                }
                if has_header_param(op, crate::idempotency::HEADER) {
                    add(
                        op,
                        "400",
                        "Malformed body (`malformed_json`) or `Idempotency-Key` (`invalid_idempotency_key`)",
                    );
                    add(
                        op,
                        "409",
                        "A request with this `Idempotency-Key` is in progress (`idempotency_key_in_use`)",
                    );
                    add(
                        op,
                        "422",
                        "Invalid fields (`validation_failed`, `invalid_body`), or the `Idempotency-Key` \
was used with another request (`idempotency_key_reused`)",
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
                    "Database unavailable or busy (`service_unavailable`), or its disk full or read-only: nothing was saved (`storage_unavailable`)",
                );
                if path.starts_with(shared::API_PREFIX) {
                    document_rate_limits(op);
                }
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
    fn both_create_endpoints_document_the_idempotency_key() {
        let doc = ApiDoc::openapi();
        for path in ["/api/v1/tickets", "/api/v1/tickets/{id}/comments"] {
            let op = doc.paths.paths[path].post.as_ref().unwrap();
            assert!(has_header_param(op, "Idempotency-Key"), "{path}");
            let reused = match &op.responses.responses["422"] {
                RefOr::T(response) => response.description.clone(),
                RefOr::Ref(_) => String::new(),
            };
            assert!(reused.contains("idempotency_key_reused"), "{path}");
        }
    }

    #[test]
    fn every_operation_documents_its_errors_as_problem_json() {
        let doc = ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                let codes: Vec<&String> = op.responses.responses.keys().collect();
                assert!(
                    codes.iter().any(|c| c.starts_with('2')),
                    "{path}: no success"
                );
                assert!(codes.iter().any(|c| *c == "503"), "{path}: no 503");
                if op.security.is_none() {
                    assert!(codes.iter().any(|c| *c == "401"), "{path}: no 401");
                }
                if path.starts_with(shared::API_PREFIX) {
                    assert!(codes.iter().any(|c| *c == "429"), "{path}: no 429");
                }
            }
        }
    }
}
