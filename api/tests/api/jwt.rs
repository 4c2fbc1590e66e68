//! Login token validation is pinned: HS256 with the server's secret, numeric `exp` required and
//! enforced, the right `iss` and `aud`. Each test crafts a token a forger could send.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    ISSUER, JWT_SECRET, LOGIN_AUDIENCE, TestApp, assert_problem, header_str, sign_token,
};

/// Claims the server would accept for `agent_id`, for the next ten minutes.
fn claims(agent_id: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": agent_id.to_string(), "iss": ISSUER, "aud": LOGIN_AUDIENCE,
        "iat": now, "exp": now + 600, "tv": 0
    })
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `header.claims.signature`, the signature being HMAC-`algorithm` with `secret` (or empty).
fn craft(header: &Value, claims: &Value, signing: Option<(Algorithm, &[u8])>) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let signature = match signing {
        Some((algorithm, secret)) => jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(secret).unwrap(),
            algorithm,
        )
        .unwrap(),
        None => String::new(),
    };
    format!("{message}.{signature}")
}

fn hs256(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(JWT_SECRET).unwrap(),
    )
    .unwrap()
}

/// Asserts `GET /me` with `token` is a 401 `invalid_token` asking for a Bearer token.
async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let response = app.get("/me", token).await;
    assert_eq!(
        header_str(&response, header::WWW_AUTHENTICATE),
        "Bearer",
        "{why}"
    );
    let problem = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert!(!problem.detail.is_empty(), "{why}");
}

#[tokio::test]
async fn the_reference_token_is_accepted() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let token = hs256(&claims(ana.id()));

    assert_eq!(app.get("/me", &token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for alg in ["none", "None", "NONE"] {
        let token = craft(
            &json!({ "alg": alg, "typ": "JWT" }),
            &claims(ana.id()),
            None,
        );
        assert_refused(&app, &token, alg).await;
    }
}

#[tokio::test]
async fn a_token_signed_with_another_hmac_algorithm_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let token = jsonwebtoken::encode(
            &Header::new(algorithm),
            &claims(ana.id()),
            &EncodingKey::from_secret(JWT_SECRET).unwrap(),
        )
        .unwrap();
        assert_refused(&app, &token, &format!("{algorithm:?}")).await;
    }
}

#[tokio::test]
async fn an_asymmetric_algorithm_header_over_an_hmac_signature_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    // The algorithm-confusion attack: claim RS256/ES256 but sign with the shared secret.
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        let token = craft(
            &json!({ "alg": alg, "typ": "JWT" }),
            &claims(ana.id()),
            Some((Algorithm::HS256, JWT_SECRET)),
        );
        assert_refused(&app, &token, alg).await;
    }
}

#[tokio::test]
async fn a_token_without_exp_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut no_exp = claims(ana.id());
    no_exp.as_object_mut().unwrap().remove("exp");

    assert_refused(&app, &hs256(&no_exp), "no exp").await;
}

#[tokio::test]
async fn a_token_whose_exp_is_a_string_or_null_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let far_future = (chrono::Utc::now().timestamp() + 600).to_string();

    for exp in [json!(far_future), json!("never"), Value::Null, json!(1e12)] {
        let mut claims = claims(ana.id());
        claims["exp"] = exp.clone();
        assert_refused(&app, &hs256(&claims), &format!("exp {exp}")).await;
    }
}

#[tokio::test]
async fn a_token_not_valid_yet_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let mut claims = claims(ana.id());
    claims["nbf"] = json!(chrono::Utc::now().timestamp() + 300);

    let response = app.get("/me", &hs256(&claims)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_signed_with_another_secret_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;

    let token = craft(
        &json!({ "alg": "HS256", "typ": "JWT" }),
        &claims(ana.id()),
        Some((Algorithm::HS256, b"another-secret-of-at-least-32-bytes!")),
    );

    assert_refused(&app, &token, "other secret").await;
}

#[tokio::test]
async fn a_token_for_another_issuer_or_audience_returns_401() {
    let app = TestApp::spawn().await;
    let ana = app.sign_up("Ana").await;
    let attachment_token = sign_token(ana.id(), "groovoo-service-desk/attachment", 600);

    let mut cases = vec![("attachment audience".to_owned(), attachment_token)];
    for (claim, value) in [
        ("iss", json!("someone-else")),
        ("iss", Value::Null),
        ("aud", json!("groovoo-service-desk/other")),
        ("aud", json!([])),
        ("sub", json!("not-a-number")),
        ("tv", json!("0")),
    ] {
        let mut claims = claims(ana.id());
        claims[claim] = value.clone();
        cases.push((format!("{claim} {value}"), hs256(&claims)));
    }
    for claim in ["iss", "aud", "sub", "tv"] {
        let mut claims = claims(ana.id());
        claims.as_object_mut().unwrap().remove(claim);
        cases.push((format!("no {claim}"), hs256(&claims)));
    }

    for (why, token) in cases {
        assert_refused(&app, &token, &why).await;
    }
}

#[tokio::test]
async fn a_token_with_a_tampered_payload_returns_401() {
    let app = TestApp::spawn().await;
    app.sign_up("Ana").await;
    let bruno = app.sign_up("Bruno").await;
    let parts: Vec<&str> = bruno.token.split('.').collect();

    // Bruno's signature on a payload that says he is agent 1, the administrator.
    let forged = format!("{}.{}.{}", parts[0], b64(&claims(1)), parts[2]);

    assert_refused(&app, &forged, "tampered").await;
}
