//! The database: an r2d2 pool of SQLite connections with their pragmas, the embedded
//! migrations, and the one helper through which handlers reach the database off the executor.

pub mod maintenance;
pub mod models;
pub mod schema;
pub mod search;
pub mod writer;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{Connection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

/// The connection type. One alias, so it can become a diesel `MultiConnection` for PostgreSQL.
pub type DbConn = SqliteConnection;
pub type DbPool = Pool<ConnectionManager<DbConn>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Name of the database file inside the data dir.
pub const DB_FILE: &str = "service_desk.db";

/// How long a writer waits for the write lock before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;

/// Read connections in the pool.
pub const POOL_SIZE: u32 = 8;

/// Page cache of each read connection, in KiB. Every connection has its own cache, kept for the
/// life of the process; the OS page cache holds the database file for all of them anyway, so a
/// page missing here costs a `pread`, not a disk read. Eight caches of 8 MB were a large part of
/// the server's peak RSS after text searches; at 4 MB the 1M-ticket searches cost no more CPU
/// per request (2 MB did: the filtered text search re-reads ticket pages).
const READ_CACHE_KIB: u32 = 4_096;
/// Page cache of the one write connection, in KiB: every write and search-index merge goes
/// through it, and the index and table pages it touches are reused batch after batch.
const WRITE_CACHE_KIB: u32 = 8_192;

/// Pragmas every pooled connection needs (they are per connection in SQLite).
#[derive(Debug, Clone, Copy)]
struct Pragmas;

/// Sets the per-connection pragmas, with a page cache of `cache_kib` KiB.
fn configure(conn: &mut DbConn, cache_kib: u32) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{cache_kib};"
    ))
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        configure(conn, READ_CACHE_KIB).map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database {path}: {source}")]
    Connect {
        path: String,
        source: diesel::ConnectionError,
    },
    #[error("cannot prepare the database {path}: {source}")]
    Setup {
        path: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Opens (creating if needed) the database at `path`: WAL mode, migrations applied, then a pool.
pub fn open(path: &Path) -> Result<DbPool, OpenError> {
    drop(migrated(path)?);
    let url = path.to_string_lossy().into_owned();
    Pool::builder()
        .max_size(POOL_SIZE)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::new(url.clone()))
        .map_err(|e| OpenError::Setup {
            path: url,
            source: e.into(),
        })
}

/// One connection to the database at `path` (created if needed), in WAL mode, with every
/// migration applied.
pub fn migrated(path: &Path) -> Result<DbConn, OpenError> {
    let url = path.to_string_lossy().into_owned();
    let setup = |source: Box<dyn std::error::Error + Send + Sync>| OpenError::Setup {
        path: url.clone(),
        source,
    };
    let mut conn = DbConn::establish(&url).map_err(|source| OpenError::Connect {
        path: url.clone(),
        source,
    })?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
    ))
    .map_err(|e| setup(e.into()))?;
    conn.run_pending_migrations(MIGRATIONS).map_err(setup)?;
    Ok(conn)
}

/// Runs `f` with a pooled connection on the blocking thread pool, never on the async executor.
pub async fn run<F, T>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Opens the one write connection of the process and starts its group-commit thread.
pub fn open_writer(path: &Path) -> Result<writer::Writer, OpenError> {
    let path = path.to_owned();
    writer::Writer::start(move || connect_writer(&path))
}

/// A connection with the per-connection pragmas, for the writer thread.
pub fn connect_writer(path: &Path) -> Result<DbConn, OpenError> {
    let url = path.to_string_lossy().into_owned();
    let mut conn = DbConn::establish(&url).map_err(|source| OpenError::Connect {
        path: url.clone(),
        source,
    })?;
    configure(&mut conn, WRITE_CACHE_KIB).map_err(|e| OpenError::Setup {
        path: url,
        source: e.into(),
    })?;
    Ok(conn)
}

/// Runs `f` as one write of the next group commit (see [`writer`]): in its own savepoint of an
/// `IMMEDIATE` transaction, answered once the commit is on disk.
pub async fn write<F, T>(writer: &writer::Writer, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    writer.write(f).await
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }

    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        value: String,
    }

    fn number(conn: &mut super::DbConn, pragma: &str) -> i64 {
        diesel::sql_query(format!("SELECT (SELECT * FROM pragma_{pragma}()) AS value"))
            .get_result::<Number>(conn)
            .map(|n| n.value)
            .unwrap()
    }

    #[test]
    fn pooled_connections_have_wal_foreign_keys_busy_timeout_and_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let pool = super::open(&dir.path().join("t.db")).unwrap();
        let conn = &mut pool.get().unwrap();
        let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode()")
            .get_result::<Word>(conn)
            .unwrap();
        assert_eq!(mode.value, "wal");
        assert_eq!(number(conn, "foreign_keys"), 1);
        assert_eq!(
            number(conn, "busy_timeout"),
            i64::from(super::BUSY_TIMEOUT_MS)
        );
        assert_eq!(number(conn, "synchronous"), 2, "FULL");
    }
}
