//! SQLite housekeeping for backups, restores and crash checks: integrity checks and online
//! snapshots. All of it is SQLite-specific SQL, kept here.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConn;

/// What `PRAGMA integrity_check` reports: `["ok"]` for a sound database, otherwise one line per
/// problem found.
pub fn integrity_check(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    Ok(diesel::sql_query("PRAGMA integrity_check")
        .load::<Line>(conn)?
        .into_iter()
        .map(|line| line.integrity_check)
        .collect())
}

/// How many rows point at a parent that does not exist (`PRAGMA foreign_key_check`).
pub fn foreign_key_violations(conn: &mut DbConn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM pragma_foreign_key_check()")
        .get_result::<Count>(conn)
        .map(|count| count.n)
}

/// Writes a consistent copy of the database to the new file `dest` (`VACUUM INTO`): one read
/// transaction, so writers go on meanwhile (WAL) and the copy is the state at one instant.
pub fn snapshot_into(conn: &mut DbConn, dest: &Path) -> QueryResult<()> {
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(dest.to_string_lossy().into_owned())
        .execute(conn)
        .map(drop)
}

/// Makes a database a single self-contained file (rollback journal instead of WAL); the server
/// switches it back to WAL when it opens it. Returns the journal mode now in force.
pub fn use_rollback_journal(conn: &mut DbConn) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    diesel::sql_query("PRAGMA journal_mode = DELETE")
        .get_result::<Mode>(conn)
        .map(|mode| mode.journal_mode)
}
