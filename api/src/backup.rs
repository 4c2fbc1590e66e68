//! `servicedesk backup` and `servicedesk restore`.
//!
//! A backup is one tar archive (gzip-compressed when its name ends in `.gz` or `.tgz`) holding
//! `service_desk.db`, a `VACUUM INTO` snapshot taken in one read transaction while the server
//! goes on writing, and `uploads/<name>` for exactly the attachments that snapshot lists. Files
//! are written before their row is committed and never change afterwards, so every file the
//! snapshot names is already complete on disk. The token secret is left out on purpose: a
//! restored server makes a new one and agents log in again.
//!
//! Restore unpacks into a staging folder next to the data dir, checks the database
//! (`PRAGMA integrity_check`, foreign keys) and every attachment's size and SHA-256, and only then
//! moves the folder into place. A data dir that is not empty is never overwritten: without
//! `--force` restore refuses; with it the old content is moved aside.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use shared::TicketFilter;

use crate::db::models::{attachment, ticket};
use crate::db::{self, DbConn, maintenance};
use crate::startup::UPLOADS_DIR;

/// The database's name inside the archive (and the data dir).
const DB_ENTRY: &str = db::DB_FILE;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no database at {0}; check --data-dir (DESK_DATA_DIR)")]
    NoDatabase(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the database {path}: {source}")]
    Database {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the database in {path} is damaged: {problems}")]
    Damaged { path: PathBuf, problems: String },
    #[error("{path} is not a backup of this service desk: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error(
        "{0} is not empty; restore into a new folder, or pass --force to move its content aside"
    )]
    NotEmpty(PathBuf),
    #[error("name the data directory by its folder name, not {0}")]
    UnnamedDataDir(PathBuf),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn db_error<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    path: &Path,
) -> impl FnOnce(E) -> BackupError + '_ {
    move |source| BackupError::Database {
        path: path.to_owned(),
        source: source.into(),
    }
}

/// What a backup holds.
#[derive(Debug)]
pub struct BackupReport {
    pub tickets: i64,
    pub attachments: usize,
    /// Attachments listed in the database whose file was not in the uploads folder.
    pub missing: Vec<String>,
    /// Size of the archive.
    pub bytes: u64,
}

/// What a restore put in place.
#[derive(Debug)]
pub struct RestoreReport {
    pub tickets: i64,
    pub attachments: usize,
    /// Attachments listed in the database whose file the archive did not hold.
    pub missing: Vec<String>,
    /// Where the previous content of the data dir went (`--force`).
    pub moved_aside: Option<PathBuf>,
}

/// A file removed when dropped, unless kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn new(path: PathBuf) -> Self {
        Self(Some(path))
    }

    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(&path);
            let _ = fs::remove_dir_all(&path);
            // What SQLite may have left beside a database it had open.
            for companion in ["-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(with_suffix(&path, companion));
            }
        }
    }
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

/// Opens an existing database file without creating one or running migrations.
fn open_existing(path: &Path) -> Result<DbConn, BackupError> {
    if !path.is_file() {
        return Err(BackupError::NoDatabase(path.to_owned()));
    }
    let mut conn = DbConn::establish(&path.to_string_lossy()).map_err(db_error(path))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;")
        .map_err(db_error(path))?;
    Ok(conn)
}

/// Fails unless the database passes `PRAGMA integrity_check` and has no dangling foreign key.
fn check_database(conn: &mut DbConn, path: &Path) -> Result<(), BackupError> {
    let problems = maintenance::integrity_check(conn).map_err(db_error(path))?;
    if problems != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_owned(),
            problems: problems.join("; "),
        });
    }
    let dangling = maintenance::foreign_key_violations(conn).map_err(db_error(path))?;
    if dangling > 0 {
        return Err(BackupError::Damaged {
            path: path.to_owned(),
            problems: format!("{dangling} rows refer to rows that do not exist"),
        });
    }
    Ok(())
}

fn tar_header(size: u64, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(mode);
    header.set_mtime(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header
}

/// Where the archive goes: the file, through gzip or not.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(out) => out.write(buf),
            Self::Gzip(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(out) => out.flush(),
            Self::Gzip(out) => out.flush(),
        }
    }
}

impl Sink {
    /// Ends the gzip stream if any and flushes everything to the file.
    fn finish(self) -> io::Result<File> {
        let buffered = match self {
            Self::Plain(out) => out,
            Self::Gzip(out) => out.finish()?,
        };
        buffered
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

/// Creates `path` for writing, readable by its owner only: it holds every customer's data.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes a consistent copy of the database in `data_dir` and of its attachments to the archive
/// `out`, while a server may be running on `data_dir`. The archive appears at `out` only once it
/// is complete and on disk.
pub fn backup(data_dir: &Path, out: &Path) -> Result<BackupReport, BackupError> {
    let db_path = data_dir.join(db::DB_FILE);
    let mut live = open_existing(&db_path)?;
    let snapshot = TempFile::new(with_suffix(out, &format!(".{}.db", std::process::id())));
    let _ = fs::remove_file(snapshot.path());
    maintenance::snapshot_into(&mut live, snapshot.path()).map_err(db_error(&db_path))?;
    drop(live);

    let (tickets, files) = {
        let mut conn = open_existing(snapshot.path())?;
        check_database(&mut conn, &db_path)?;
        maintenance::use_rollback_journal(&mut conn).map_err(db_error(&db_path))?;
        let tickets = ticket::count(&mut conn, &TicketFilter::default())
            .map_err(db_error(&db_path))?
            .0;
        let files = attachment::all(&mut conn).map_err(db_error(&db_path))?;
        (tickets, files)
    };

    let partial = TempFile::new(with_suffix(out, ".partial"));
    let file = create_private(partial.path()).map_err(io_error(partial.path()))?;
    let gzip = matches!(out.extension().and_then(|e| e.to_str()), Some("gz" | "tgz"));
    let sink = if gzip {
        Sink::Gzip(GzEncoder::new(BufWriter::new(file), Compression::default()))
    } else {
        Sink::Plain(BufWriter::new(file))
    };
    let mut archive = tar::Builder::new(sink);
    let db_file = File::open(snapshot.path()).map_err(io_error(snapshot.path()))?;
    let size = db_file.metadata().map_err(io_error(snapshot.path()))?.len();
    archive
        .append_data(&mut tar_header(size, 0o600), DB_ENTRY, db_file)
        .map_err(io_error(partial.path()))?;
    let uploads = data_dir.join(UPLOADS_DIR);
    let mut missing = Vec::new();
    for row in &files {
        let path = uploads.join(&row.storage_name);
        let opened = File::open(&path).and_then(|f| f.metadata().map(|m| (f, m.len())));
        match opened {
            Ok((file, size)) => archive
                .append_data(
                    &mut tar_header(size, 0o600),
                    format!("{UPLOADS_DIR}/{}", row.storage_name),
                    file,
                )
                .map_err(io_error(&path))?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                missing.push(format!("attachment {} ({})", row.id, row.filename));
            }
            Err(err) => return Err(io_error(&path)(err)),
        }
    }
    let written = archive
        .into_inner()
        .and_then(Sink::finish)
        .and_then(|file| file.sync_all().and_then(|()| file.metadata()))
        .map_err(io_error(partial.path()))?;
    let bytes = written.len();
    fs::rename(partial.path(), out).map_err(io_error(out))?;
    partial.keep();
    sync_dir(out.parent().unwrap_or(Path::new(".")))?;
    Ok(BackupReport {
        tickets,
        attachments: files.len() - missing.len(),
        missing,
        bytes,
    })
}

/// Whether `dir` holds anything (a missing folder holds nothing).
fn has_content(dir: &Path) -> Result<bool, BackupError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(io_error(dir)(err)),
    }
}

/// The archive's entries as a reader, gzip or not (decided by its first bytes).
fn open_archive(path: &Path) -> Result<tar::Archive<Box<dyn Read>>, BackupError> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let mut magic = [0_u8; 2];
    let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    file.rewind().map_err(io_error(path))?;
    let reader: Box<dyn Read> = if gzip {
        Box::new(GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    Ok(tar::Archive::new(reader))
}

/// Where an archive entry goes inside the data dir: the database, or a plain file name under
/// `uploads/`. Anything else (other folders, `..`, absolute paths, links) is refused.
fn entry_target(name: &Path) -> Option<PathBuf> {
    let parts: Vec<_> = name.components().collect();
    match parts.as_slice() {
        [Component::Normal(file)] if file.to_str() == Some(DB_ENTRY) => {
            Some(PathBuf::from(DB_ENTRY))
        }
        [Component::Normal(dir), Component::Normal(file)]
            if dir.to_str() == Some(UPLOADS_DIR) && !file.to_string_lossy().starts_with('.') =>
        {
            Some(Path::new(UPLOADS_DIR).join(file))
        }
        _ => None,
    }
}

/// Unpacks the archive into `staging`.
fn unpack(archive_path: &Path, staging: &Path) -> Result<(), BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: archive_path.to_owned(),
        reason,
    };
    let mut archive = open_archive(archive_path)?;
    let mut has_db = false;
    let entries = archive
        .entries()
        .map_err(|err| not_a_backup(err.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|err| not_a_backup(err.to_string()))?;
        let name = entry
            .path()
            .map_err(|err| not_a_backup(err.to_string()))?
            .into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir()
            && name
                .components()
                .eq([Component::Normal(UPLOADS_DIR.as_ref())])
        {
            continue;
        }
        let target = entry_target(&name)
            .filter(|_| kind.is_file())
            .ok_or_else(|| not_a_backup(format!("unexpected entry {}", name.display())))?;
        has_db |= target == Path::new(DB_ENTRY);
        let path = staging.join(target);
        let mut file = create_private(&path).map_err(io_error(&path))?;
        io::copy(&mut entry, &mut file)
            .and_then(|_| file.sync_all())
            .map_err(|err| match err.kind() {
                io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => {
                    not_a_backup(err.to_string())
                }
                _ => io_error(&path)(err),
            })?;
    }
    if has_db {
        Ok(())
    } else {
        Err(not_a_backup(format!("it holds no {DB_ENTRY}")))
    }
}

/// Checks the unpacked database and that each attachment's file has the size and SHA-256 the
/// database recorded. Returns the ticket count and the attachments whose file is missing.
fn verify(staging: &Path) -> Result<(i64, usize, Vec<String>), BackupError> {
    let db_path = staging.join(DB_ENTRY);
    let mut conn = open_existing(&db_path)?;
    check_database(&mut conn, &db_path)?;
    let tickets = ticket::count(&mut conn, &TicketFilter::default())
        .map_err(db_error(&db_path))?
        .0;
    let files = attachment::all(&mut conn).map_err(db_error(&db_path))?;
    drop(conn);
    let mut missing = Vec::new();
    for row in &files {
        let path = staging.join(UPLOADS_DIR).join(&row.storage_name);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                missing.push(format!("attachment {} ({})", row.id, row.filename));
                continue;
            }
            Err(err) => return Err(io_error(&path)(err)),
        };
        let mut hasher = Sha256::new();
        let size = io::copy(&mut file, &mut hasher).map_err(io_error(&path))?;
        if i64::try_from(size).ok() != Some(row.size)
            || hex::encode(hasher.finalize()) != row.sha256
        {
            return Err(BackupError::Damaged {
                path: staging.to_owned(),
                problems: format!(
                    "attachment {} ({}) does not match its recorded size and SHA-256",
                    row.id, row.filename
                ),
            });
        }
    }
    Ok((tickets, files.len() - missing.len(), missing))
}

/// Recreates `data_dir` from the archive `archive`. Run it with the server stopped.
pub fn restore(archive: &Path, data_dir: &Path, force: bool) -> Result<RestoreReport, BackupError> {
    // `data/` and `data` are the same folder; `.` or `/` cannot be swapped for another.
    let data_dir: PathBuf = data_dir.components().collect();
    if data_dir.file_name().is_none() {
        return Err(BackupError::UnnamedDataDir(data_dir));
    }
    let occupied = has_content(&data_dir)?;
    if occupied && !force {
        return Err(BackupError::NotEmpty(data_dir));
    }
    let staging = TempFile::new(with_suffix(
        &data_dir,
        &format!(".restoring-{}", std::process::id()),
    ));
    fs::create_dir_all(staging.path().join(UPLOADS_DIR)).map_err(io_error(staging.path()))?;
    unpack(archive, staging.path())?;
    let (tickets, attachments, missing) = verify(staging.path())?;
    sync_dir(&staging.path().join(UPLOADS_DIR))?;
    sync_dir(staging.path())?;

    let moved_aside = if occupied {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = with_suffix(&data_dir, &format!(".before-restore-{secs}"));
        fs::rename(&data_dir, &aside).map_err(io_error(&data_dir))?;
        Some(aside)
    } else {
        match fs::remove_dir(&data_dir) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(io_error(&data_dir)(err)),
        }
        None
    };
    fs::rename(staging.path(), &data_dir).map_err(io_error(&data_dir))?;
    staging.keep();
    sync_dir(data_dir.parent().unwrap_or(Path::new(".")))?;
    Ok(RestoreReport {
        tickets,
        attachments,
        missing,
        moved_aside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_database_and_plain_upload_names_are_unpacked() {
        assert_eq!(
            entry_target(Path::new("service_desk.db")),
            Some(PathBuf::from("service_desk.db"))
        );
        assert_eq!(
            entry_target(Path::new("uploads/0a1b")),
            Some(PathBuf::from("uploads/0a1b"))
        );
        for bad in [
            "../service_desk.db",
            "/service_desk.db",
            "uploads/../../etc/passwd",
            "uploads/a/b",
            "uploads/.hidden",
            "jwt_secret",
            "other/service_desk.db",
        ] {
            assert_eq!(entry_target(Path::new(bad)), None, "{bad}");
        }
    }
}
