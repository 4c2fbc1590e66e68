//! Rate limits: API requests per agent (or per IP when unauthenticated), login and register
//! attempts per IP and per account; 429 with `Retry-After` over a limit, `RateLimit-*` headers on
//! API responses, and `X-Forwarded-For` believed only from a trusted proxy.
//!
//! Limits here are a few requests per minute: a bucket cannot refill while a test runs, so no test
//! waits or depends on timing.

use api::config::{RateLimitSettings, Settings};
use reqwest::{Method, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    GENEROUS_LIMITS, PASSWORD, TestApp, assert_problem, header_str, json_body, send,
};

fn number(response: &Response, name: &str) -> u64 {
    let value = header_str(
        response,
        header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
    );
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}: {value:?} is not a number"))
}

/// `(RateLimit-Limit, RateLimit-Remaining)`, after checking `RateLimit-Reset` is within a minute.
fn quota(response: &Response) -> (u64, u64) {
    let reset = number(response, "RateLimit-Reset");
    assert!((1..=60).contains(&reset), "RateLimit-Reset {reset}");
    (
        number(response, "RateLimit-Limit"),
        number(response, "RateLimit-Remaining"),
    )
}

/// Asserts a 429 `rate_limited` with no quota left and returns its `Retry-After`.
async fn assert_rate_limited(response: Response) -> u64 {
    assert_eq!(quota(&response).1, 0, "RateLimit-Remaining of a 429");
    let retry_after = number(&response, "Retry-After");
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    retry_after
}

async fn spawn(limits: RateLimitSettings, configure: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::spawn_configured(|settings| {
        settings.rate_limits = limits;
        configure(settings);
    })
    .await
}

async fn login_from(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> Response {
    send(
        app.request(Method::POST, "/auth/login")
            .header("X-Forwarded-For", forwarded_for)
            .json(&json!({ "email": email, "password": password })),
    )
    .await
}

#[tokio::test]
async fn api_requests_over_the_limit_return_429_with_retry_after_and_ratelimit_headers() {
    let limits = RateLimitSettings {
        api_per_minute: 3,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let ana = app.sign_up("Ana").await;

    for remaining in [2, 1, 0] {
        let response = app.get("/me", &ana.token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(quota(&response), (3, remaining));
    }
    let refused = app.get("/tickets", &ana.token).await;

    let retry_after = assert_rate_limited(refused).await;
    assert!(
        (1..=20).contains(&retry_after),
        "3 a minute: one more within 20 s, got {retry_after}"
    );
}

#[tokio::test]
async fn the_api_limit_counts_each_agent_apart() {
    let limits = RateLimitSettings {
        api_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let ana = app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;

    app.get("/me", &ana.token).await;
    app.get("/me", &ana.token).await;
    assert_rate_limited(app.get("/me", &ana.token).await).await;

    let response = app.get("/me", &bruno.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(quota(&response), (2, 1));
}

#[tokio::test]
async fn an_api_token_has_its_own_quota_apart_from_its_agents_session() {
    let limits = RateLimitSettings {
        api_per_minute: 3,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let ana = app.sign_up("Ana").await;
    let integration = app.create_api_token(&ana.token, "CRM", "read").await;

    app.get("/me", &ana.token).await;
    app.get("/me", &ana.token).await;
    assert_rate_limited(app.get("/me", &ana.token).await).await;

    let response = app.get("/me", &integration.secret).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(quota(&response), (3, 2));
}

#[tokio::test]
async fn unauthenticated_api_requests_are_counted_by_ip_apart_from_agents() {
    let limits = RateLimitSettings {
        api_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let ana = app.sign_up("Ana").await;

    for _ in 0..2 {
        let response = send(app.request(Method::GET, "/tickets")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let garbage = app.get("/tickets", "not.a.token").await;
    assert_rate_limited(garbage).await;
    let unknown_route = send(app.request(Method::GET, "/nothing")).await;
    assert_rate_limited(unknown_route).await;

    assert_eq!(app.get("/me", &ana.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn login_attempts_are_limited_per_client_ip() {
    let limits = RateLimitSettings {
        login_per_minute: 3,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;

    for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
        let response = app
            .login(&format!("who{i}@groovoo.test"), "wrong password")
            .await;
        assert_eq!(quota(&response), (3, remaining));
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }

    let retry_after = assert_rate_limited(app.login("ana@groovoo.test", PASSWORD).await).await;
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let register = app.register("Ana", "ana@groovoo.test", PASSWORD).await;
    assert_rate_limited(register).await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_from_any_ip_and_in_any_case() {
    let limits = RateLimitSettings {
        account_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    // Loopback is a trusted proxy here, so each attempt can come from another client address.
    let app = spawn(limits, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]
    })
    .await;
    app.sign_up("Ana").await;

    for ip in ["198.51.100.1", "198.51.100.2"] {
        let response = login_from(&app, ip, "ana@groovoo.test", "wrong password").await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let right_password = login_from(&app, "198.51.100.3", " ANA@groovoo.test", PASSWORD).await;
    assert_rate_limited(right_password).await;

    let other_account = login_from(&app, "198.51.100.3", "bia@groovoo.test", "wrong").await;
    assert_eq!(other_account.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_current_passwords_count_against_the_account_like_failed_logins() {
    let limits = RateLimitSettings {
        account_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let ana = app.sign_up("Ana").await;
    let guess = json!({ "current_password": "a guess", "new_password": "new password 1" });

    let first = app.post("/me/password", &ana.token, &guess).await;
    assert_problem(first, StatusCode::FORBIDDEN, "wrong_password").await;
    let second = app.login("ana@groovoo.test", "another guess").await;
    assert_problem(second, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    let right = json!({ "current_password": PASSWORD, "new_password": "new password 1" });
    assert_rate_limited(app.post("/me/password", &ana.token, &right).await).await;
    let still_old = app.login("ana@groovoo.test", PASSWORD).await;
    assert_rate_limited(still_old).await;
}

#[tokio::test]
async fn a_successful_password_change_does_not_use_up_the_account_limit() {
    let limits = RateLimitSettings {
        account_per_minute: 1,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    let mut token = app.sign_up("Ana").await.token;
    let mut current = PASSWORD.to_owned();

    for i in 0..3 {
        let new_password = format!("new password {i}");
        let body = json!({ "current_password": current, "new_password": new_password });
        let response = app.post("/me/password", &token, &body).await;
        token = json_body::<Value>(response, StatusCode::OK).await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        current = new_password;
    }
}

#[tokio::test]
async fn successful_logins_do_not_use_up_the_account_limit() {
    let limits = RateLimitSettings {
        account_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;
    app.sign_up("Ana").await;

    for _ in 0..5 {
        let response = app.login("ana@groovoo.test", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_change_the_bucket() {
    let limits = RateLimitSettings {
        login_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |_| {}).await;

    for ip in ["203.0.113.1", "203.0.113.2"] {
        let response = login_from(&app, ip, &format!("x{ip}@groovoo.test"), "wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let spoofed = login_from(&app, "203.0.113.3", "y@groovoo.test", "wrong").await;
    assert_rate_limited(spoofed).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let limits = RateLimitSettings {
        login_per_minute: 2,
        ..GENEROUS_LIMITS
    };
    let app = spawn(limits, |s| {
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]
    })
    .await;

    for email in ["a@groovoo.test", "b@groovoo.test"] {
        let response = login_from(&app, "198.51.100.7", email, "wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_rate_limited(login_from(&app, "198.51.100.7", "c@groovoo.test", "x").await).await;
    // An address the client put in front of the header itself does not reset its bucket.
    let prefixed = login_from(&app, "1.2.3.4, 198.51.100.7", "d@groovoo.test", "x").await;
    assert_rate_limited(prefixed).await;

    let other_client = login_from(&app, "198.51.100.8", "e@groovoo.test", "wrong").await;
    assert_problem(
        other_client,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn limits_of_0_are_off_and_send_no_ratelimit_headers() {
    let app = spawn(RateLimitSettings::OFF, |_| {}).await;
    let ana = app.sign_up("Ana").await;

    for _ in 0..15 {
        assert_eq!(
            app.login("ana@groovoo.test", "wrong").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = app.get("/me", &ana.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("RateLimit-Limit").is_none());
}
