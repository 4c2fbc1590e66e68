//! Serving the agents' web app next to the API: a real server on port 0 with a small stand-in for
//! `web/dist` in a temporary folder (`--web-dir`), or with no web app at all.
#![expect(
    clippy::expect_used,
    reason = "the fixtures and helpers of a test: a failure there is a failed test"
)]

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use api::config::{RawSettings, Settings, WebSource};
use api::startup::Application;
use api::web_assets::{CACHE_IMMUTABLE, CACHE_REVALIDATE, CONTENT_SECURITY_POLICY};
use reqwest::{Client, Response, StatusCode, header};
use shared::{PROBLEM_JSON, Problem};
use tempfile::TempDir;

const INDEX: &str = concat!(
    "<!doctype html><html lang=\"pt-BR\"><head><title>Groovoo Service Desk</title>",
    "<script type=\"module\" src=\"/assets/boot-0123456789abcdef.js\"></script>",
    "</head><body></body></html>",
);
const APP_JS: &str = "export default async function init() { return 'a long enough module body'; }";
/// An empty WebAssembly module with a 28-byte custom section, so that gzip has something to gain.
const APP_WASM: &[u8] = b"\0asm\x01\0\0\0\0\x1c\x07padding\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
const JS_NAME: &str = "web-0123456789abcdef.js";
const WASM_NAME: &str = "web-0123456789abcdef_bg.wasm";

struct TestApp {
    address: String,
    client: Client,
    web_dir: TempDir,
    _data_dir: TempDir,
}

/// A built web app as `scripts/build-web.sh` lays it out.
fn fake_dist() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary web dir");
    let assets = dir.path().join("assets");
    std::fs::create_dir(&assets).expect("assets folder");
    std::fs::write(dir.path().join("index.html"), INDEX).expect("index.html");
    std::fs::write(assets.join(JS_NAME), APP_JS).expect("js");
    std::fs::write(assets.join(WASM_NAME), APP_WASM).expect("wasm");
    std::fs::write(assets.join("notes.txt"), "not hashed").expect("txt");
    dir
}

fn settings(data_dir: &Path, web: WebSource) -> Settings {
    // From the defaults, so that settings added later keep their default here.
    let mut settings = Settings::try_from(RawSettings::default()).expect("default settings");
    settings.addr = "127.0.0.1:0".into();
    settings.data_dir = data_dir.to_owned();
    settings.jwt_secret = Some(b"spa-tests-secret-at-least-32-bytes-long".to_vec());
    settings.max_upload_bytes = 1024 * 1024;
    settings.token_ttl = Duration::from_secs(3600);
    settings.bcrypt_cost = 4;
    settings.web = web;
    settings
}

impl TestApp {
    /// A server that serves the stand-in web app from disk.
    async fn spawn() -> Self {
        let web_dir = fake_dist();
        Self::spawn_with(web_dir, |dir| WebSource::Dir(dir.to_owned())).await
    }

    /// A server with no web app, as a binary compiled without `web/dist` runs.
    async fn spawn_without_web_app() -> Self {
        Self::spawn_with(fake_dist(), |_| WebSource::ApiOnly).await
    }

    async fn spawn_with(web_dir: TempDir, web: impl FnOnce(&Path) -> WebSource) -> Self {
        let data_dir = tempfile::tempdir().expect("a temporary data dir");
        let app = Application::build(settings(data_dir.path(), web(web_dir.path())))
            .expect("the test server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            web_dir,
            _data_dir: data_dir,
        }
    }

    async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers")
    }

    async fn get_gzip(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .expect("the server answers")
    }
}

fn header_of(response: &Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .map(|value| value.to_str().expect("an ASCII header"))
        .unwrap_or_else(|| panic!("no {name} header"))
}

async fn assert_index(response: Response) {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        CACHE_REVALIDATE
    );
    assert_eq!(
        header_of(&response, header::CONTENT_SECURITY_POLICY),
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(response.text().await.expect("a body"), INDEX);
}

#[tokio::test]
async fn root_serves_index_html_revalidated_with_the_csp() {
    let app = TestApp::spawn().await;
    assert_index(app.get("/").await).await;
}

#[tokio::test]
async fn client_routes_fall_back_to_index_html() {
    let app = TestApp::spawn().await;
    for path in [
        "/tickets/5",
        "/login",
        "/admin?tab=channels",
        "/tickets/new/",
    ] {
        assert_index(app.get(path).await).await;
    }
}

#[tokio::test]
async fn csp_allows_only_own_scripts_and_wasm() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn hashed_assets_are_immutable_with_their_content_type() {
    let app = TestApp::spawn().await;
    let wasm = app.get(&format!("/assets/{WASM_NAME}")).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header_of(&wasm, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(header_of(&wasm, header::CACHE_CONTROL), CACHE_IMMUTABLE);
    assert!(wasm.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(&wasm.bytes().await.expect("a body")[..], APP_WASM);

    let js = app.get(&format!("/assets/{JS_NAME}")).await;
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(
        header_of(&js, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header_of(&js, header::CACHE_CONTROL), CACHE_IMMUTABLE);
    assert_eq!(js.text().await.expect("a body"), APP_JS);
}

#[tokio::test]
async fn unhashed_assets_are_revalidated() {
    let app = TestApp::spawn().await;
    let response = app.get("/assets/notes.txt").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        CACHE_REVALIDATE
    );
}

#[tokio::test]
async fn gzip_variant_is_sent_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    for (path, plain) in [
        (format!("/assets/{WASM_NAME}"), APP_WASM),
        (format!("/assets/{JS_NAME}"), APP_JS.as_bytes()),
        ("/tickets/5".to_owned(), INDEX.as_bytes()),
    ] {
        // Twice: the first request makes the variant, the second is served from memory.
        for _ in 0..2 {
            let response = app.get_gzip(&path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(header_of(&response, header::CONTENT_ENCODING), "gzip");
            assert!(
                header_of(&response, header::VARY)
                    .to_ascii_lowercase()
                    .contains("accept-encoding")
            );
            let body = response.bytes().await.expect("a body");
            let mut decoded = Vec::new();
            // One gzip layer only: the Compress middleware must not encode it a second time.
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut decoded)
                .expect("a gzip body");
            assert_eq!(decoded, plain, "{path}");
        }
    }
}

#[tokio::test]
async fn the_builds_precompressed_variant_is_sent_as_is() {
    let app = TestApp::spawn().await;
    // Level 0 ("stored") is unlike anything the server would make itself.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut encoder, APP_WASM).expect("gzip");
    let variant = encoder.finish().expect("gzip");
    let assets = app.web_dir.path().join("assets");
    std::fs::write(assets.join(format!("{WASM_NAME}.gz")), &variant).expect("the .gz variant");

    let response = app.get_gzip(&format!("/assets/{WASM_NAME}")).await;

    assert_eq!(header_of(&response, header::CONTENT_ENCODING), "gzip");
    assert_eq!(&response.bytes().await.expect("a body")[..], &variant[..]);
}

#[tokio::test]
async fn matching_etag_answers_304() {
    let app = TestApp::spawn().await;
    let first = app.get("/").await;
    let etag = header_of(&first, header::ETAG).to_owned();
    let again = app
        .client
        .get(format!("{}/", app.address))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::CACHE_CONTROL), CACHE_REVALIDATE);
}

#[tokio::test]
async fn a_rebuilt_web_dir_is_served_without_a_restart() {
    let app = TestApp::spawn().await;
    assert_index(app.get("/").await).await;
    let rebuilt = "<!doctype html><title>rebuilt</title>";
    std::fs::write(app.web_dir.path().join("index.html"), rebuilt).expect("rewrite index.html");
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("a body"), rebuilt);
}

#[tokio::test]
async fn unknown_api_paths_stay_json_404() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nope", "/api/nope", "/api"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), PROBLEM_JSON);
        let problem: Problem = response.json().await.expect("a problem body");
        assert_eq!(problem.code, "not_found");
    }
}

#[tokio::test]
async fn unknown_assets_are_a_plain_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/assets/web-ffffffffffffffff.js",
        "/assets/",
        "/assets/..%2Findex.html",
        "/assets/.hidden",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            header_of(&response, header::CONTENT_TYPE).starts_with("text/plain"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn other_methods_on_web_app_paths_are_405() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(format!("{}/tickets/5", app.address))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header_of(&response, header::ALLOW), "GET, HEAD");
}

#[tokio::test]
async fn without_a_web_app_root_is_a_503_problem_saying_how_to_build_it() {
    let app = TestApp::spawn_without_web_app().await;
    for path in ["/", "/tickets/5"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), PROBLEM_JSON);
        let problem: Problem = response.json().await.expect("a problem body");
        assert_eq!(problem.code, "service_unavailable");
        assert!(problem.detail.contains("not built into this server binary"));
        assert!(problem.detail.contains("scripts/build-web.sh"));
    }
    let asset = app.get(&format!("/assets/{JS_NAME}")).await;
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
    // The API itself works.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_web_dir_without_index_html_stops_start_up() {
    let data_dir = tempfile::tempdir().expect("a temporary data dir");
    let empty = tempfile::tempdir().expect("an empty web dir");
    let error = Application::build(settings(
        data_dir.path(),
        WebSource::Dir(empty.path().to_owned()),
    ))
    .err()
    .expect("start-up refuses the folder");
    assert!(error.to_string().contains("index.html"), "{error}");
}
