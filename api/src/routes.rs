//! The route table: every path the server answers, in one place.

use actix_web::{HttpResponse, Resource, http::header, web};

use crate::error::ApiError;
use crate::handlers::{
    agents, attachments, audit, auth, docs, export, health, reference, tickets, tokens,
};
use crate::web_assets;

/// The 405 problem, with the `Allow` header listing the methods that would work.
pub fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = actix_web::ResponseError::error_response(&ApiError::MethodNotAllowed);
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allow));
    response
}

/// A resource that answers other methods with 405 and the `Allow` header.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move { method_not_allowed(allow) }))
}

/// Unknown paths under `/api` are JSON 404s, never the SPA.
pub async fn api_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("route"))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/register", "POST").route(web::post().to(auth::register)))
                .service(resource("/auth/login", "POST").route(web::post().to(auth::login)))
                .service(resource("/auth/logout", "POST").route(web::post().to(auth::logout)))
                .service(resource("/me", "GET").route(web::get().to(agents::me)))
                .service(
                    resource("/me/password", "POST").route(web::post().to(agents::change_password)),
                )
                .service(resource("/agents", "GET").route(web::get().to(agents::list_agents)))
                .service(
                    resource("/agents/{id}", "PATCH").route(web::patch().to(agents::update_agent)),
                )
                .service(
                    resource("/tokens", "GET, POST")
                        .route(web::get().to(tokens::list_tokens))
                        .route(web::post().to(tokens::create_token)),
                )
                .service(
                    resource("/tokens/{id}", "DELETE")
                        .route(web::delete().to(tokens::revoke_token)),
                )
                .service(resource("/audit", "GET").route(web::get().to(audit::list_audit)))
                .service(
                    resource("/categories", "GET, POST")
                        .route(web::get().to(reference::list_categories))
                        .route(web::post().to(reference::create_category)),
                )
                .service(
                    resource("/channels", "GET, POST")
                        .route(web::get().to(reference::list_channels))
                        .route(web::post().to(reference::create_channel)),
                )
                .service(
                    resource("/tickets", "GET, POST")
                        .route(web::get().to(tickets::list_tickets))
                        .route(web::post().to(tickets::create_ticket)),
                )
                .service(
                    resource("/tickets/counts", "GET").route(web::get().to(tickets::ticket_counts)),
                )
                .service(
                    resource("/tickets/export", "GET").route(web::get().to(export::export_tickets)),
                )
                .service(
                    resource("/tickets/{id}", "GET, PATCH")
                        .route(web::get().to(tickets::get_ticket))
                        .route(web::patch().to(tickets::update_ticket)),
                )
                .service(
                    resource("/tickets/{id}/comments", "GET, POST")
                        .route(web::get().to(tickets::list_comments))
                        .route(web::post().to(tickets::create_comment)),
                )
                .service(
                    resource("/tickets/{id}/attachments", "POST")
                        .route(web::post().to(attachments::upload_attachments)),
                )
                .service(
                    resource("/attachments/{id}", "GET")
                        .route(web::get().to(attachments::download_attachment)),
                )
                .service(resource("/openapi.json", "GET").route(web::get().to(docs::openapi_json)))
                .default_service(web::to(api_not_found)),
        )
        .service(web::resource("/api/docs").route(web::get().to(docs::docs_redirect)))
        .service(utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}").url(
            "/api/v1/openapi.json",
            {
                use utoipa::OpenApi;
                crate::openapi::ApiDoc::openapi()
            },
        ))
        .service(web::scope("/api").default_service(web::to(api_not_found)))
        // The web app: its hashed files, and index.html for every other path (client routes).
        .service(
            resource("/assets/{name:.*}", "GET, HEAD")
                .route(web::get().to(web_assets::asset))
                .route(web::head().to(web_assets::asset)),
        )
        .default_service(web::to(web_assets::index));
}
