//! Command line and settings. Every setting comes from a flag or a `DESK_*` environment variable,
//! is parsed into the typed [`Settings`] at start-up, and a bad value stops the process with a
//! message naming the setting.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

/// Groovoo Service Desk: the REST API and the agents' web app, in one binary.
#[derive(Debug, Parser)]
#[command(
    name = "servicedesk",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: RawSettings,
}

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once at start-up; boxing would only complicate clap's derive"
)]
pub enum Command {
    /// Start the server (the default).
    Serve(RawSettings),
    /// Print the OpenAPI document (YAML) that the server serves at /api/v1/openapi.json.
    Openapi,
    /// Fill the data dir with realistic demo tickets (reproducible for a given --seed).
    Seed(SeedArgs),
    /// Write a consistent copy of the database and the attachments to one archive file, while
    /// the server runs.
    Backup(BackupArgs),
    /// Recreate a data dir from a `backup` archive (with the server stopped).
    Restore(RestoreArgs),
}

/// Arguments of `servicedesk backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The archive to write (a tar file; gzip-compressed when the name ends in .gz or .tgz).
    pub file: PathBuf,
    /// Folder holding the database and uploads to back up.
    #[arg(long, env = "DESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

/// Arguments of `servicedesk restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// An archive written by `servicedesk backup`.
    pub file: PathBuf,
    /// Folder to recreate; it must be missing or empty unless --force is given.
    #[arg(long, env = "DESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Restore over a data dir that is not empty: its current content is moved aside to
    /// `<data dir>.before-restore-<time>`, never deleted.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `servicedesk seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// How many tickets to add.
    #[arg(long, default_value_t = 10_000)]
    pub tickets: usize,
    /// Random seed: the same seed on an empty data dir gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Folder holding the database (created if needed).
    #[arg(long, env = "DESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// bcrypt cost of the demo agents' password hash.
    #[arg(long, env = "DESK_BCRYPT_COST", default_value_t = 12)]
    pub bcrypt_cost: u32,
}

/// Settings as given on the command line or in the environment, not yet validated.
#[derive(Debug, Clone, Default, Args)]
pub struct RawSettings {
    /// Address to listen on.
    #[arg(long, env = "DESK_ADDR")]
    pub addr: Option<String>,
    /// Folder holding the database, uploads and the generated JWT secret.
    #[arg(long, env = "DESK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Secret used to sign tokens, at least 32 bytes; generated and kept in the data dir if unset.
    #[arg(long, env = "DESK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Who may create accounts: `open` (the default: anyone), `admin` (the first account, then
    /// only administrators; recommended for production) or `closed` (no one).
    #[arg(long, env = "DESK_SIGNUP")]
    pub signup: Option<String>,
    /// Largest accepted upload, in MiB (1 to 1024).
    #[arg(long, env = "DESK_MAX_UPLOAD_MB")]
    pub max_upload_mb: Option<String>,
    /// Lifetime of login tokens, in minutes (1 to 525600).
    #[arg(long, env = "DESK_TOKEN_TTL_MINUTES")]
    pub token_ttl_minutes: Option<String>,
    /// bcrypt cost of password hashes (4 to 31).
    #[arg(long, env = "DESK_BCRYPT_COST")]
    pub bcrypt_cost: Option<String>,
    /// Serve the web app from this folder (as built by scripts/build-web.sh, e.g. web/dist) instead
    /// of the copy built into the binary; for development.
    #[arg(long, env = "DESK_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// API requests per minute per agent (unauthenticated ones: per client IP); 0 turns it off.
    #[arg(long, env = "DESK_RATE_LIMIT_API_PER_MINUTE")]
    pub rate_limit_api_per_minute: Option<String>,
    /// Login and register attempts per minute per client IP; 0 turns it off.
    #[arg(long, env = "DESK_RATE_LIMIT_LOGIN_PER_MINUTE")]
    pub rate_limit_login_per_minute: Option<String>,
    /// Failed login (and register) attempts per minute per account e-mail; 0 turns it off.
    #[arg(long, env = "DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE")]
    pub rate_limit_account_per_minute: Option<String>,
    /// Reverse proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` is believed.
    #[arg(long, env = "DESK_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Browser origins allowed to call the API (comma-separated, e.g. `https://crm.example.com`);
    /// none by default (no CORS).
    #[arg(long, env = "DESK_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
}

/// Who may create an account (`POST /auth/register`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    /// The first account registers itself (and becomes the administrator); after that only a
    /// signed-in administrator creates accounts.
    Admin,
    /// Anyone who can reach the server (the default, as the API contract states).
    Open,
    /// No one.
    Closed,
}

/// Where the server takes the agents' web app from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebSource {
    /// The build embedded in the binary at compile time (`/` answers 503 when the binary was
    /// compiled without one).
    Embedded,
    /// A built web app folder on disk (`--web-dir`), re-read when its files change.
    Dir(PathBuf),
    /// None: only the API is served and `/` answers 503, as in a binary compiled without the web
    /// app. For API-only deployments and tests.
    ApiOnly,
}

/// Validated settings of a running server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: String,
    pub data_dir: PathBuf,
    /// `None`: use (or create) the secret file in the data dir.
    pub jwt_secret: Option<Vec<u8>>,
    pub signup: Signup,
    pub max_upload_bytes: u64,
    pub token_ttl: Duration,
    pub bcrypt_cost: u32,
    pub web: WebSource,
    pub rate_limits: RateLimitSettings,
    /// Peers whose `X-Forwarded-For` is believed; empty: the socket peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Origins allowed to call the API from a browser; empty: no CORS.
    pub cors_origins: Vec<String>,
}

/// Requests allowed per minute (and at once) for each kind of client; 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// API requests per agent, or per client IP when unauthenticated.
    pub api_per_minute: u32,
    /// Login and register attempts per client IP.
    pub login_per_minute: u32,
    /// Failed login and register attempts per account e-mail.
    pub account_per_minute: u32,
}

impl RateLimitSettings {
    pub const DEFAULT: Self = Self {
        api_per_minute: 600,
        login_per_minute: 10,
        account_per_minute: 5,
    };
    /// Every limit off.
    pub const OFF: Self = Self {
        api_per_minute: 0,
        login_per_minute: 0,
        account_per_minute: 0,
    };
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const MIN_SECRET_BYTES: usize = 32;

/// A setting that cannot be used, named by its environment variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {message}")]
pub struct SettingError {
    pub name: &'static str,
    pub message: String,
}

fn bad(name: &'static str, message: impl Into<String>) -> SettingError {
    SettingError {
        name,
        message: message.into(),
    }
}

fn number(
    name: &'static str,
    raw: Option<&str>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, SettingError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(
            name,
            format!(
                "expected a whole number from {} to {}, got {raw:?}",
                range.start(),
                range.end()
            ),
        )),
    }
}

fn per_minute(name: &'static str, raw: Option<&str>, default: u32) -> Result<u32, SettingError> {
    let n = number(name, raw, u64::from(default), 0..=1_000_000)?;
    Ok(u32::try_from(n).unwrap_or(default))
}

/// The items of a comma-separated setting, trimmed, empty ones left out.
fn list(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// `DESK_TRUSTED_PROXIES`: addresses (`10.0.0.5`) and networks (`10.0.0.0/8`, `fd00::/8`).
fn trusted_proxies(raw: Option<&str>) -> Result<Vec<IpNet>, SettingError> {
    list(raw)
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    bad(
                        "DESK_TRUSTED_PROXIES",
                        format!("expected IP addresses or CIDR networks, got {item:?}"),
                    )
                })
        })
        .collect()
}

/// `DESK_CORS_ORIGINS`: exact origins, `scheme://host[:port]`, no wildcard.
fn cors_origins(raw: Option<&str>) -> Result<Vec<String>, SettingError> {
    list(raw)
        .map(|item| {
            let origin = item.to_ascii_lowercase();
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match host {
                Some(host)
                    if !host.is_empty() && !host.contains(['/', '?', '#', '*', '@', ' ', '\\']) =>
                {
                    Ok(origin)
                }
                _ => Err(bad(
                    "DESK_CORS_ORIGINS",
                    format!("expected origins such as https://crm.example.com, got {item:?}"),
                )),
            }
        })
        .collect()
}

/// Checks a JWT secret's length.
pub fn check_secret(name: &'static str, secret: &[u8]) -> Result<(), SettingError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(bad(
            name,
            format!(
                "the secret has {} bytes; at least {MIN_SECRET_BYTES} are required",
                secret.len()
            ),
        ));
    }
    Ok(())
}

impl TryFrom<RawSettings> for Settings {
    type Error = SettingError;

    fn try_from(raw: RawSettings) -> Result<Self, Self::Error> {
        let jwt_secret = match raw.jwt_secret {
            Some(secret) => {
                check_secret("DESK_JWT_SECRET", secret.as_bytes())?;
                Some(secret.into_bytes())
            }
            None => None,
        };
        let signup = match raw.signup.as_deref().map(str::trim) {
            None | Some("open") => Signup::Open,
            Some("admin") => Signup::Admin,
            Some("closed") => Signup::Closed,
            Some(other) => {
                return Err(bad(
                    "DESK_SIGNUP",
                    format!("expected `admin`, `open` or `closed`, got {other:?}"),
                ));
            }
        };
        let addr = raw.addr.unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        if addr.trim().is_empty() {
            return Err(bad("DESK_ADDR", "must not be empty"));
        }
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        if data_dir.as_os_str().is_empty() {
            return Err(bad("DESK_DATA_DIR", "must not be empty"));
        }
        let max_upload_mb = number(
            "DESK_MAX_UPLOAD_MB",
            raw.max_upload_mb.as_deref(),
            10,
            1..=1024,
        )?;
        let ttl = number(
            "DESK_TOKEN_TTL_MINUTES",
            raw.token_ttl_minutes.as_deref(),
            720,
            1..=525_600,
        )?;
        let bcrypt_cost = number("DESK_BCRYPT_COST", raw.bcrypt_cost.as_deref(), 12, 4..=31)?;
        let web = match raw.web_dir {
            None => WebSource::Embedded,
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(bad("DESK_WEB_DIR", "must not be empty"));
            }
            Some(dir) => WebSource::Dir(dir),
        };
        let defaults = RateLimitSettings::DEFAULT;
        let rate_limits = RateLimitSettings {
            api_per_minute: per_minute(
                "DESK_RATE_LIMIT_API_PER_MINUTE",
                raw.rate_limit_api_per_minute.as_deref(),
                defaults.api_per_minute,
            )?,
            login_per_minute: per_minute(
                "DESK_RATE_LIMIT_LOGIN_PER_MINUTE",
                raw.rate_limit_login_per_minute.as_deref(),
                defaults.login_per_minute,
            )?,
            account_per_minute: per_minute(
                "DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE",
                raw.rate_limit_account_per_minute.as_deref(),
                defaults.account_per_minute,
            )?,
        };
        let trusted_proxies = trusted_proxies(raw.trusted_proxies.as_deref())?;
        let cors_origins = cors_origins(raw.cors_origins.as_deref())?;
        Ok(Self {
            addr,
            data_dir,
            jwt_secret,
            signup,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            token_ttl: Duration::from_secs(ttl * 60),
            bcrypt_cost: u32::try_from(bcrypt_cost).unwrap_or(12),
            web,
            rate_limits,
            trusted_proxies,
            cors_origins,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply() {
        let settings = Settings::try_from(RawSettings::default()).unwrap();
        assert_eq!(settings.addr, DEFAULT_ADDR);
        assert_eq!(settings.data_dir, PathBuf::from("data"));
        assert_eq!(settings.signup, Signup::Open);
        assert_eq!(settings.max_upload_bytes, 10 * 1024 * 1024);
        assert_eq!(settings.token_ttl, Duration::from_secs(720 * 60));
        assert_eq!(settings.web, WebSource::Embedded);
        assert_eq!(settings.rate_limits, RateLimitSettings::DEFAULT);
        assert!(settings.trusted_proxies.is_empty());
        assert!(settings.cors_origins.is_empty());
    }

    #[test]
    fn limits_proxies_and_origins_parse() {
        let settings = Settings::try_from(RawSettings {
            rate_limit_api_per_minute: Some("0".into()),
            rate_limit_login_per_minute: Some("3".into()),
            trusted_proxies: Some(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,".into()),
            cors_origins: Some("https://CRM.example.com, http://localhost:3000".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            settings.rate_limits,
            RateLimitSettings {
                api_per_minute: 0,
                login_per_minute: 3,
                account_per_minute: 5
            }
        );
        let proxies: Vec<String> = settings
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["10.0.0.0/8", "192.168.1.7/32", "fd00::/8"]);
        assert_eq!(
            settings.cors_origins,
            ["https://crm.example.com", "http://localhost:3000"]
        );
    }

    #[test]
    fn web_dir_serves_from_disk() {
        let settings = Settings::try_from(RawSettings {
            web_dir: Some(PathBuf::from("web/dist")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(settings.web, WebSource::Dir(PathBuf::from("web/dist")));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            RawSettings {
                signup: Some("maybe".into()),
                ..Default::default()
            },
            RawSettings {
                max_upload_mb: Some("ten".into()),
                ..Default::default()
            },
            RawSettings {
                token_ttl_minutes: Some("0".into()),
                ..Default::default()
            },
            RawSettings {
                jwt_secret: Some("short".into()),
                ..Default::default()
            },
            RawSettings {
                rate_limit_account_per_minute: Some("-1".into()),
                ..Default::default()
            },
            RawSettings {
                trusted_proxies: Some("10.0.0.0/33".into()),
                ..Default::default()
            },
            RawSettings {
                cors_origins: Some("*".into()),
                ..Default::default()
            },
            RawSettings {
                cors_origins: Some("https://crm.example.com/app".into()),
                ..Default::default()
            },
        ];
        let names: Vec<_> = cases
            .into_iter()
            .map(|raw| Settings::try_from(raw).unwrap_err().name)
            .collect();
        assert_eq!(
            names,
            [
                "DESK_SIGNUP",
                "DESK_MAX_UPLOAD_MB",
                "DESK_TOKEN_TTL_MINUTES",
                "DESK_JWT_SECRET",
                "DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE",
                "DESK_TRUSTED_PROXIES",
                "DESK_CORS_ORIGINS",
                "DESK_CORS_ORIGINS"
            ]
        );
    }
}
