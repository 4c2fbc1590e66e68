//! Security headers on every response, and CORS: off by default, on for the configured origins.

use reqwest::{Method, Response, StatusCode, header};

use crate::helpers::{PNG, TestApp, header_str, new_ticket, send};

const PARTNER: &str = "https://crm.example.com";

fn assert_security_headers(response: &Response, what: &str) {
    assert_eq!(
        header_str(response, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        header_str(response, header::REFERRER_POLICY),
        "no-referrer",
        "{what}"
    );
    let csp = header_str(response, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp:?}");
}

#[tokio::test]
async fn every_kind_of_response_carries_nosniff_no_referrer_and_frame_ancestors_none() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let ticket = app
        .create_ticket(&ana.token, &new_ticket("Cabeçalhos"))
        .await;
    let file = app.attach(&ana.token, ticket.id, "print.png", PNG).await;

    let responses = [
        ("200", app.get("/me", &ana.token).await),
        (
            "201",
            app.post("/tickets", &ana.token, &new_ticket("Outro")).await,
        ),
        ("401", send(app.request(Method::GET, "/me")).await),
        ("404", send(app.request(Method::GET, "/nothing")).await),
        ("405", send(app.request(Method::DELETE, "/me")).await),
        ("health", send(app.client.get(app.url("/healthz"))).await),
        (
            "spec",
            send(app.request(Method::GET, "/openapi.json")).await,
        ),
        ("web app", send(app.client.get(app.url("/"))).await),
        (
            "download",
            send(app.client.get(app.url(&file.download_url))).await,
        ),
    ];

    for (what, response) in &responses {
        assert_security_headers(response, what);
    }
    let download = &responses[8].1;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(header_str(download, header::CONTENT_SECURITY_POLICY).contains("sandbox"));
}

async fn preflight(app: &TestApp, origin: &str) -> Response {
    send(
        app.request(Method::OPTIONS, "/tickets")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type, idempotency-key",
            ),
    )
    .await
}

#[tokio::test]
async fn without_configured_origins_there_is_no_cors() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let preflight = preflight(&app, PARTNER).await;
    let request = send(
        app.authed(Method::GET, "/me", &ana.token)
            .header(header::ORIGIN, PARTNER),
    )
    .await;

    assert!(!preflight.status().is_success(), "{}", preflight.status());
    for response in [&preflight, &request] {
        assert!(
            response
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
    assert_eq!(request.status(), StatusCode::OK);
}

#[tokio::test]
async fn configured_origins_get_cors_and_others_do_not() {
    let app = TestApp::spawn_configured(|s| s.cors_origins = vec![PARTNER.into()]).await;
    let ana = app.sign_up("Ana").await;

    let allowed = preflight(&app, PARTNER).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        header_str(&allowed, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        PARTNER
    );
    let methods = header_str(&allowed, header::ACCESS_CONTROL_ALLOW_METHODS);
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    let headers = header_str(&allowed, header::ACCESS_CONTROL_ALLOW_HEADERS).to_lowercase();
    assert!(headers.contains("idempotency-key"), "{headers}");
    assert!(
        allowed
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none()
    );

    let request = send(
        app.authed(Method::GET, "/me", &ana.token)
            .header(header::ORIGIN, PARTNER),
    )
    .await;
    assert_eq!(request.status(), StatusCode::OK);
    assert_eq!(
        header_str(&request, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        PARTNER
    );
    let exposed = header_str(&request, header::ACCESS_CONTROL_EXPOSE_HEADERS).to_lowercase();
    for name in ["location", "etag", "retry-after", "ratelimit-remaining"] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }

    let stranger = "https://evil.example";
    let refused = preflight(&app, stranger).await;
    assert!(
        refused
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    // The web app's own requests carry its origin too: served as before, without CORS headers.
    let own = send(
        app.authed(Method::POST, "/tickets", &ana.token)
            .header(header::ORIGIN, app.address.as_str())
            .json(&new_ticket("Mesma origem")),
    )
    .await;
    assert_eq!(own.status(), StatusCode::CREATED);
    assert!(
        own.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}
