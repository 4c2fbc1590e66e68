//! The agents' web app (the SPA that `scripts/build-web.sh` builds into `web/dist`), served next to
//! the API: `index.html` for `/` and every client route, the content-hashed files under `/assets/`.
//!
//! The release binary carries `web/dist` inside it (embedded at compile time), so the binary alone
//! is a complete install; `--web-dir` serves a folder from disk instead, re-read when its files
//! change, for development. A binary compiled without `web/dist` answers `/` with a 503 problem
//! that says how to build the web app, never with a stand-in page.
//!
//! Every file keeps a gzip variant in memory, made the first time a client asks for it; it is sent
//! with `Content-Encoding: gzip`, which the `Compress` middleware leaves alone.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::SystemTime;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use flate2::Compression;
use flate2::write::GzEncoder;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::config::WebSource;
use crate::error::ApiError;
use crate::state::AppState;

/// The policy of every web app response: only this origin's files, WebAssembly allowed, no inline
/// script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = concat!(
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; ",
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; ",
    "form-action 'self'",
);
/// For files whose name carries a hash of their content: a new build gets new names.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For `index.html` (and any unhashed file): always revalidated, so a new build shows at reload.
pub const CACHE_REVALIDATE: &str = "no-cache";

const INDEX: &str = "index.html";
/// The suffix of a file's precompressed gzip variant, written by scripts/build-web.sh with zopfli
/// (about 5 % smaller than the best zlib level, too slow to do while serving).
const PRECOMPRESSED: &str = ".gz";
const ASSETS_DIR: &str = "assets";

/// What `/` answers when there is no web app to serve.
const NOT_BUILT: &str = concat!(
    "the web app is not built into this server binary and no --web-dir was given. ",
    "Build it with scripts/build-web.sh, then rebuild the server (scripts/run.sh does both), ",
    "or start the server with --web-dir web/dist. The API is available under /api/v1.",
);

/// `web/dist` as it was when this binary was compiled; empty when it did not exist. `debug-embed`
/// makes debug builds embed it too, so tests and `cargo run` behave like the release binary.
/// `build.rs` makes cargo recompile when the folder appears or changes.
#[derive(RustEmbed)]
#[folder = "../web/dist/"]
#[allow_missing = true]
struct Dist;

/// Why the web app cannot be served as configured.
#[derive(Debug, thiserror::Error)]
#[error("cannot serve the web app from {path}: {reason}")]
pub struct WebDirError {
    pub path: PathBuf,
    pub reason: String,
}

/// One file of the web app, ready to send.
struct Asset {
    body: Bytes,
    content_type: &'static str,
    compressible: bool,
    /// Weak, because the gzip variant has other bytes but the same meaning.
    etag: String,
    /// The build's precompressed variant, or made on first demand; `None` when compression
    /// failed (the plain body is sent then).
    gzip: OnceLock<Option<Bytes>>,
}

/// Whether the gzip stream `gzip` holds `body`, by its trailer (CRC-32 and length), so that a
/// stale `.gz` left beside a changed file is never served for it.
fn gzip_holds(gzip: &[u8], body: &[u8]) -> bool {
    let Some(trailer) = gzip.len().checked_sub(8).and_then(|at| gzip.get(at..)) else {
        return false;
    };
    let mut crc = flate2::Crc::new();
    crc.update(body);
    let length = u64::try_from(body.len()).unwrap_or(u64::MAX).to_le_bytes();
    trailer[..4] == crc.sum().to_le_bytes() && trailer[4..] == length[..4]
}

impl Asset {
    /// `precompressed`: the file's `.gz` variant, if the build made one.
    fn new(name: &str, body: Bytes, precompressed: Option<Bytes>) -> Self {
        let (content_type, compressible) = content_type(name);
        let digest = Sha256::digest(&body);
        let gzip = OnceLock::new();
        if let Some(variant) = precompressed.filter(|gz| compressible && gzip_holds(gz, &body)) {
            let _ = gzip.set(Some(variant));
        }
        Self {
            etag: format!("W/\"{}\"", hex::encode(&digest[..16])),
            body,
            content_type,
            compressible,
            gzip,
        }
    }

    fn gzip(&self) -> Option<Bytes> {
        self.gzip
            .get_or_init(|| {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
                match encoder
                    .write_all(&self.body)
                    .and_then(|()| encoder.finish())
                {
                    Ok(gzip) => Some(Bytes::from(gzip)),
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot gzip a web app file; sent plain");
                        None
                    }
                }
            })
            .clone()
    }
}

/// Content type by extension, and whether gzip pays off for it.
fn content_type(name: &str) -> (&'static str, bool) {
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension.to_ascii_lowercase().as_str() {
        "html" => ("text/html; charset=utf-8", true),
        "js" | "mjs" => ("text/javascript; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "wasm" => ("application/wasm", true),
        "json" | "map" => ("application/json", true),
        "svg" => ("image/svg+xml", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "ico" => ("image/x-icon", true),
        "png" => ("image/png", false),
        "jpg" | "jpeg" => ("image/jpeg", false),
        "gif" => ("image/gif", false),
        "webp" => ("image/webp", false),
        "woff2" => ("font/woff2", false),
        "woff" => ("font/woff", false),
        _ => ("application/octet-stream", false),
    }
}

/// Whether a file name carries a content hash the way `scripts/build-web.sh` writes it:
/// `<stem>-<hex, at least 8>[_bg].<extension>`.
pub fn is_content_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() >= 8 && hash.bytes().all(|byte| byte.is_ascii_hexdigit())
    })
}

/// Whether `name` can be a file of the web app: relative, no `..`, no hidden files, plain
/// characters. Anything else is answered as not found, before any lookup.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
        })
}

/// Whether the request's `Accept-Encoding` admits gzip (`gzip`, `x-gzip` or `*`, with q > 0).
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let accepted = ["gzip", "x-gzip", "*"]
            .iter()
            .any(|name| coding.eq_ignore_ascii_case(name));
        let refused = parts.any(|param| {
            param
                .trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        accepted && !refused
    })
}

/// Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110 prescribes for it).
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

/// The files of a folder on disk, read again when their size or time changes.
struct DiskStore {
    root: PathBuf,
    cache: Mutex<HashMap<String, (FileStamp, Arc<Asset>)>>,
}

type FileStamp = (u64, Option<SystemTime>);

impl DiskStore {
    fn get(&self, name: &str) -> io::Result<Option<Arc<Asset>>> {
        let path = self.root.join(name);
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return Ok(None),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                self.cache().remove(name);
                return Ok(None);
            }
            Err(err) => return Err(err),
        };
        let stamp = (metadata.len(), metadata.modified().ok());
        if let Some((cached, asset)) = self.cache().get(name)
            && *cached == stamp
        {
            return Ok(Some(Arc::clone(asset)));
        }
        let body = Bytes::from(std::fs::read(&path)?);
        let mut variant = path.into_os_string();
        variant.push(PRECOMPRESSED);
        let precompressed = match std::fs::read(variant) {
            Ok(gzip) => Some(Bytes::from(gzip)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => return Err(err),
        };
        let asset = Arc::new(Asset::new(name, body, precompressed));
        self.cache()
            .insert(name.to_owned(), (stamp, Arc::clone(&asset)));
        Ok(Some(asset))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, (FileStamp, Arc<Asset>)>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

enum Store {
    /// Read once at start-up from the files embedded in the binary.
    Memory(HashMap<String, Arc<Asset>>),
    Disk(DiskStore),
    /// Nothing to serve: `/` answers 503.
    Missing,
}

/// The web app this server serves, chosen at start-up from [`WebSource`].
pub struct WebApp {
    store: Store,
}

impl fmt::Debug for WebApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.store {
            Store::Memory(files) => write!(f, "WebApp(embedded, {} files)", files.len()),
            Store::Disk(disk) => write!(f, "WebApp(disk, {})", disk.root.display()),
            Store::Missing => f.write_str("WebApp(none)"),
        }
    }
}

impl WebApp {
    /// Opens the web app of `source`. A `--web-dir` without an `index.html` is refused, so that a
    /// typo stops start-up instead of serving errors.
    pub fn load(source: &WebSource) -> Result<Self, WebDirError> {
        let store = match source {
            WebSource::Embedded => Self::embedded(),
            WebSource::Dir(root) => {
                if !root.join(INDEX).is_file() {
                    return Err(WebDirError {
                        path: root.clone(),
                        reason: format!(
                            "there is no {INDEX} in it; pass the output folder of \
                             scripts/build-web.sh, web/dist"
                        ),
                    });
                }
                Store::Disk(DiskStore {
                    root: root.clone(),
                    cache: Mutex::new(HashMap::new()),
                })
            }
            WebSource::ApiOnly => Store::Missing,
        };
        let app = Self { store };
        match &app.store {
            Store::Missing => tracing::warn!("no web app to serve: {NOT_BUILT}"),
            _ => tracing::info!(web_app = ?app, "serving the web app"),
        }
        Ok(app)
    }

    fn embedded() -> Store {
        fn read(name: &str) -> Option<Bytes> {
            Some(match Dist::get(name)?.data {
                std::borrow::Cow::Borrowed(bytes) => Bytes::from_static(bytes),
                std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
            })
        }
        let files: HashMap<String, Arc<Asset>> = Dist::iter()
            .filter(|name| !name.ends_with(PRECOMPRESSED))
            .filter_map(|name| {
                let precompressed = read(&format!("{name}{PRECOMPRESSED}"));
                let asset = Asset::new(&name, read(&name)?, precompressed);
                Some((name.to_string(), Arc::new(asset)))
            })
            .collect();
        if files.contains_key(INDEX) {
            Store::Memory(files)
        } else {
            Store::Missing
        }
    }

    /// Whether there is a web app to serve at all.
    pub fn is_available(&self) -> bool {
        !matches!(self.store, Store::Missing)
    }

    async fn get(self: Arc<Self>, name: String) -> Result<Option<Arc<Asset>>, ApiError> {
        if !is_plain_name(&name) {
            return Ok(None);
        }
        match &self.store {
            Store::Memory(files) => Ok(files.get(&name).cloned()),
            Store::Disk(_) => Ok(web::block(move || match &self.store {
                Store::Disk(disk) => disk.get(&name),
                _ => Ok(None),
            })
            .await??),
            Store::Missing => Ok(None),
        }
    }
}

/// The answer to a method other than GET and HEAD.
fn method_not_allowed() -> HttpResponse {
    crate::routes::method_not_allowed("GET, HEAD")
}

/// Sends `asset` with the caching, encoding and security headers of the web app.
async fn send(
    req: &HttpRequest,
    asset: Arc<Asset>,
    cache_control: &'static str,
) -> Result<HttpResponse, ApiError> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let not_modified =
        header(header::IF_NONE_MATCH).is_some_and(|tags| matches_etag(tags, &asset.etag));
    let mut response = HttpResponseBuilder::new(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ));
    if asset.compressible {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    if not_modified {
        return Ok(response.finish());
    }
    if asset.compressible && header(header::ACCEPT_ENCODING).is_some_and(accepts_gzip) {
        let gzip = match asset.gzip.get() {
            Some(gzip) => gzip.clone(),
            // The first gzip of a large file takes milliseconds: off the executor.
            None => {
                let asset = Arc::clone(&asset);
                web::block(move || asset.gzip()).await?
            }
        };
        if let Some(gzip) = gzip {
            return Ok(response
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(gzip));
        }
    }
    Ok(response.body(asset.body.clone()))
}

/// `GET /assets/{name}`: a file of the built web app; a plain 404 when there is no such file.
pub async fn asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = format!("{ASSETS_DIR}/{}", name.into_inner());
    match Arc::clone(&state.web).get(name.clone()).await? {
        Some(asset) => {
            let cache = if is_content_hashed(&name) {
                CACHE_IMMUTABLE
            } else {
                CACHE_REVALIDATE
            };
            send(&req, asset, cache).await
        }
        None => Ok(HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found\n")),
    }
}

/// Every other path outside `/api`: the web app's `index.html`, whose router takes it from there
/// (`/`, `/login`, `/tickets/5`, ...). 503 problem when there is no web app.
pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Ok(method_not_allowed());
    }
    if !state.web.is_available() {
        return Err(ApiError::Unavailable(NOT_BUILT.to_owned()));
    }
    match Arc::clone(&state.web).get(INDEX.to_owned()).await? {
        Some(index) => send(&req, index, CACHE_REVALIDATE).await,
        // A --web-dir whose index.html went away mid-rebuild.
        None => Err(ApiError::Unavailable(format!(
            "the web app's {INDEX} is missing from --web-dir; rebuild it with scripts/build-web.sh"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed("assets/web-0123456789abcdef.js"));
        assert!(is_content_hashed("assets/web-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("assets/style-deadbeef.css"));
        assert!(!is_content_hashed("assets/web.js"));
        assert!(!is_content_hashed("assets/web-bg.wasm"));
        assert!(!is_content_hashed("assets/my-logo.svg"));
        assert!(!is_content_hashed("index.html"));
    }

    #[test]
    fn only_plain_relative_names_are_looked_up() {
        assert!(is_plain_name("assets/web-0123.js"));
        assert!(is_plain_name("index.html"));
        for bad in [
            "",
            "../secret",
            "assets/../../etc/passwd",
            "assets//x.js",
            "/etc/passwd",
            "assets/.hidden",
            "assets\\x.js",
            "assets/x.js?",
        ] {
            assert!(!is_plain_name(bad), "{bad:?} was accepted");
        }
    }

    #[test]
    fn accept_encoding_is_parsed_with_quality() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("br, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(accepts_gzip("x-gzip"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, deflate"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip(""));
    }

    #[test]
    fn etags_compare_weakly() {
        assert!(matches_etag("W/\"abc\"", "W/\"abc\""));
        assert!(matches_etag("\"x\", \"abc\"", "W/\"abc\""));
        assert!(matches_etag("*", "W/\"abc\""));
        assert!(!matches_etag("W/\"abd\"", "W/\"abc\""));
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(
            content_type("assets/web-1_bg.wasm"),
            ("application/wasm", true)
        );
        assert_eq!(content_type("a.JS").0, "text/javascript; charset=utf-8");
        assert_eq!(content_type("noextension").0, "application/octet-stream");
    }

    const PAGE: &[u8] = b"<!doctype html><p>oi</p>";

    fn gunzip(gzip: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gzip), &mut plain).unwrap();
        plain
    }

    fn gzip_of(body: &[u8], level: u32) -> Bytes {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
        encoder.write_all(body).unwrap();
        Bytes::from(encoder.finish().unwrap())
    }

    #[test]
    fn gzip_round_trips() {
        let asset = Asset::new("index.html", Bytes::from_static(PAGE), None);
        assert_eq!(gunzip(&asset.gzip().unwrap()), PAGE);
    }

    #[test]
    fn a_precompressed_variant_is_sent_only_when_it_holds_the_file() {
        // Level 0 (stored) is recognisable: the server itself would compress with the best level.
        let matching = gzip_of(PAGE, 0);
        let asset = Asset::new(
            "index.html",
            Bytes::from_static(PAGE),
            Some(matching.clone()),
        );
        assert_eq!(asset.gzip().unwrap(), matching);

        let stale = gzip_of(b"<!doctype html><p>old</p>", 0);
        let asset = Asset::new("index.html", Bytes::from_static(PAGE), Some(stale.clone()));
        let sent = asset.gzip().unwrap();
        assert_ne!(sent, stale);
        assert_eq!(gunzip(&sent), PAGE);
        let truncated = Bytes::from_static(b"\x1f\x8b");
        let asset = Asset::new("index.html", Bytes::from_static(PAGE), Some(truncated));
        assert_eq!(gunzip(&asset.gzip().unwrap()), PAGE);
    }
}
