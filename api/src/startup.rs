//! Building the application: data dir, secret, database, then the HTTP server on its listener.
//! Tests call [`Application::build`] with port 0 and their own data dir.

use std::fs;
use std::io::{self, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Compress, Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, error::JsonPayloadError, web};
use rand::Rng;
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::Keys;
use crate::config::{Settings, check_secret};
use crate::db;
use crate::db::writer::Writer;
use crate::error::ApiError;
use crate::rate_limit::{self, MonotonicClock, RateLimits};
use crate::routes;
use crate::state::AppState;
use crate::telemetry::RequestSpan;
use crate::web_assets::WebApp;

/// Largest accepted JSON body.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Name of the generated secret inside the data dir.
pub const SECRET_FILE: &str = "jwt_secret";
pub const UPLOADS_DIR: &str = "uploads";

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot use the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: io::Error },
    #[error(
        "the data directory {path} is not writable ({source}); the server keeps its database and uploads there"
    )]
    NotWritable { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Setting(#[from] crate::config::SettingError),
    #[error(transparent)]
    Database(#[from] db::OpenError),
    #[error(transparent)]
    WebDir(#[from] crate::web_assets::WebDirError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(#[from] io::Error),
}

fn data_dir_error(path: &Path) -> impl FnOnce(io::Error) -> StartupError + '_ {
    move |source| StartupError::DataDir {
        path: path.to_owned(),
        source,
    }
}

/// Reads the token secret from the data dir, creating a random 256-bit one (mode 0600) the first
/// time.
fn load_or_create_secret(data_dir: &Path) -> Result<Vec<u8>, StartupError> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read(&path) {
        Ok(secret) => {
            let secret = String::from_utf8_lossy(&secret).trim().as_bytes().to_vec();
            check_secret("the secret file in DESK_DATA_DIR", &secret)?;
            Ok(secret)
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            let bytes: [u8; 32] = rand::rng().random();
            let secret = hex::encode(bytes);
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&path).map_err(data_dir_error(&path))?;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(data_dir_error(&path))?;
            Ok(secret.into_bytes())
        }
        Err(err) => Err(data_dir_error(&path)(err)),
    }
}

/// Refuses a folder the server cannot create files in, before SQLite would quietly open the
/// database read-only and every write would fail later.
fn check_writable(dir: &Path) -> Result<(), StartupError> {
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut file| file.write_all(b"ok").and_then(|()| file.sync_all()));
    let removed = fs::remove_file(&probe);
    written
        .and(removed)
        .map_err(|source| StartupError::NotWritable {
            path: dir.to_owned(),
            source,
        })
}

/// Prepares everything a server needs from its settings.
pub fn prepare(settings: Settings) -> Result<AppState, StartupError> {
    let data_dir = settings.data_dir.clone();
    let uploads_dir = data_dir.join(UPLOADS_DIR);
    fs::create_dir_all(&data_dir).map_err(data_dir_error(&data_dir))?;
    check_writable(&data_dir)?;
    fs::create_dir_all(&uploads_dir).map_err(data_dir_error(&uploads_dir))?;
    check_writable(&uploads_dir)?;
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.clone(),
        None => load_or_create_secret(&data_dir)?,
    };
    let web = WebApp::load(&settings.web)?;
    let pool = db::open(&data_dir.join(db::DB_FILE))?;
    let writer = db::open_writer(&data_dir.join(db::DB_FILE))?;
    let rate_limits = RateLimits::new(&settings, Arc::new(MonotonicClock::default()));
    Ok(AppState {
        pool,
        writer,
        keys: Arc::new(
            Keys::new(&secret).map_err(|err| crate::config::SettingError {
                name: "DESK_JWT_SECRET",
                message: err.to_string(),
            })?,
        ),
        settings: Arc::new(settings),
        uploads_dir,
        dummy_hash: Arc::new(OnceLock::new()),
        web: Arc::new(web),
        rate_limits: Arc::new(rate_limits),
    })
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge(format!("JSON bodies are limited to {MAX_JSON_BYTES} bytes"))
        }
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".into())
        }
        JsonPayloadError::Deserialize(err) if err.is_data() => {
            ApiError::InvalidBody(err.to_string())
        }
        JsonPayloadError::Deserialize(err) => ApiError::MalformedJson(err.to_string()),
        other => ApiError::MalformedJson(other.to_string()),
    }
}

/// Request-wide settings of every app: body limits and the error bodies of the extractors.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_JSON_BYTES)
            .error_handler(|err, _| json_error(err).into()),
    )
    .app_data(
        web::QueryConfig::default()
            .error_handler(|err, _| ApiError::InvalidQuery(err.to_string()).into()),
    )
    .app_data(
        web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into()),
    );
}

/// Threads of each worker's blocking pool (`db::run`, `web::block`). The database work they do
/// is bounded by the read pool anyway: more threads than connections only wait in r2d2, each
/// with its stack and, once it has run SQLite, a glibc malloc arena holding freed memory. actix
/// defaults to 512 ÷ cores per worker, which under 64 connections meant about 100 threads.
const BLOCKING_THREADS_PER_WORKER: usize = db::POOL_SIZE as usize;

/// Longest a graceful shutdown (SIGTERM) waits for requests in flight, leaving time to finish
/// the queued writes and exit within 10 s.
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 8;

/// A running server, the port it listens on, and its database writer.
pub struct Application {
    port: u16,
    server: Server,
    writer: Writer,
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let addr = settings.addr.clone();
        let bind_error = |source| StartupError::Bind {
            addr: addr.clone(),
            source,
        };
        let state = prepare(settings)?;
        let writer = state.writer.clone();
        let listener = TcpListener::bind(&addr).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let server = serve(listener, state).map_err(bind_error)?;
        Ok(Self {
            port,
            server,
            writer,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's database writer: tests use it to run SQL on the write connection, e.g. to
    /// make the database "full".
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Serves until the server stops (SIGTERM: graceful, requests in flight finish while new
    /// connections are refused), then commits the writes still queued and closes the database.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        let served = self.server.await;
        self.writer.shutdown().await;
        served
    }
}

/// Headers of every response (a response that sets its own, such as the web app's
/// Content-Security-Policy, keeps it).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
}

/// CORS for exactly the `DESK_CORS_ORIGINS`; off when there are none. Requests from other
/// origins (the web app's own among them) pass without CORS headers, so browsers keep them
/// same-origin. No credentials mode: the API uses bearer tokens, not cookies.
fn cors(origins: &[String]) -> Condition<Cors> {
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    let cors = cors
        .allowed_methods(["GET", "POST", "PATCH"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::LOCATION,
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            rate_limit::RATELIMIT_LIMIT,
            rate_limit::RATELIMIT_REMAINING,
            rate_limit::RATELIMIT_RESET,
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(600)
        .block_on_origin_mismatch(false);
    Condition::new(!origins.is_empty(), cors)
}

fn serve(listener: TcpListener, state: AppState) -> io::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Compress::default())
            .wrap(from_fn(rate_limit::middleware))
            .wrap(security_headers())
            .wrap(cors(&state.settings.cors_origins))
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(state.clone())
            .configure(extractor_config)
            .configure(routes::configure)
    })
    .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
    .listen(listener)?
    .run();
    Ok(server)
}
