//! Building the application: data dir, secret, database, then the HTTP server on its listener.
//! Tests call [`Application::build`] with port 0 and their own data dir.

use std::fs;
use std::io::{self, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{App, HttpServer, error::JsonPayloadError, web};
use rand::Rng;
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::Keys;
use crate::config::{Settings, check_secret};
use crate::db;
use crate::error::ApiError;
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

/// Prepares everything a server needs from its settings.
pub fn prepare(settings: Settings) -> Result<AppState, StartupError> {
    let data_dir = settings.data_dir.clone();
    let uploads_dir = data_dir.join(UPLOADS_DIR);
    fs::create_dir_all(&uploads_dir).map_err(data_dir_error(&uploads_dir))?;
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.clone(),
        None => load_or_create_secret(&data_dir)?,
    };
    let web = WebApp::load(&settings.web)?;
    let pool = db::open(&data_dir.join(db::DB_FILE))?;
    let writer = db::open_writer(&data_dir.join(db::DB_FILE))?;
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

/// A running server and the port it listens on.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let addr = settings.addr.clone();
        let bind_error = |source| StartupError::Bind {
            addr: addr.clone(),
            source,
        };
        let state = prepare(settings)?;
        let listener = TcpListener::bind(&addr).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let server = serve(listener, state).map_err(bind_error)?;
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.server.await
    }
}

fn serve(listener: TcpListener, state: AppState) -> io::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "no-referrer")),
            )
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(state.clone())
            .configure(extractor_config)
            .configure(routes::configure)
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
