//! Group commit: one thread owns the only write connection and runs every write of the
//! application. It takes all the writes waiting in its queue, runs each in its own savepoint
//! inside one `IMMEDIATE` transaction, commits once (one fsync, `synchronous=FULL`), and only
//! then answers each caller. Concurrent writers never meet "database is locked", a failing
//! write rolls back alone, and every acknowledged write is on disk.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::Connection;

use crate::db::DbConn;
use crate::error::ApiError;

/// Most writes committed together.
const MAX_BATCH: usize = 512;
/// Writes waiting beyond this make callers wait for room (back-pressure).
const QUEUE: usize = 4_096;

/// What the writer thread tells a finished job: `None` when the batch committed.
type Reply = Box<dyn FnOnce(Option<String>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConn) -> Reply + Send>;

/// A handle to the writer thread; cheap to clone.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn` (already configured with the connection pragmas).
    pub fn start(conn: DbConn) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || run(conn, &queue))?;
        Ok(Self { jobs })
    }

    /// Runs `f` as one write, in its own savepoint of the next group commit, and returns its
    /// result once that commit is durable.
    pub async fn write<F, T>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
        let job: Job = Box::new(move |conn| {
            let result = catch_unwind(AssertUnwindSafe(|| conn.transaction(f)))
                .unwrap_or_else(|_| Err(ApiError::internal("a write panicked")));
            Box::new(move |commit_failure: Option<String>| {
                let outcome = match commit_failure {
                    None => result,
                    Some(message) => Err(ApiError::Unavailable(message)),
                };
                let _ = tx.send(outcome);
            })
        });
        let jobs = self.jobs.clone();
        // `send` blocks only when the queue is full: do it off the executor.
        actix_web::web::block(move || jobs.send(job))
            .await?
            .map_err(|_| ApiError::Unavailable("the database writer has stopped".into()))?;
        rx.await.unwrap_or_else(|_| {
            Err(ApiError::Unavailable(
                "the write was not committed; retry".into(),
            ))
        })
    }
}

fn run(mut conn: DbConn, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let committed = conn.immediate_transaction::<_, diesel::result::Error, _>(|conn| {
            replies.extend(batch.drain(..).map(|job| job(conn)));
            Ok(())
        });
        let failure = committed.err().map(|err| {
            tracing::error!(error = %err, writes = replies.len(), "group commit failed");
            ApiError::from(err).to_string()
        });
        // Jobs never started (BEGIN failed) are dropped with `batch`: their callers get an error.
        drop(batch);
        for reply in replies {
            reply(failure.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::db::models::{agent, now};
    use crate::db::schema::agents;

    fn new_agent(conn: &mut DbConn, email: &str) -> Result<i64, ApiError> {
        let row = agent::insert(
            conn,
            &agent::NewAgentRow {
                name: "Ana",
                email,
                password_hash: "-",
                role: "agent",
                created_at: now(),
            },
        )?;
        Ok(row.id)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_acknowledged_write_is_in_the_database_after_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::db::open(&path).unwrap());
        let writer = crate::db::open_writer(&path).unwrap();
        let writes = (0..200).map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .write(move |conn| new_agent(conn, &format!("a{i}@x.io")))
                    .await
            })
        });
        let mut acknowledged = Vec::new();
        for write in writes.collect::<Vec<_>>() {
            acknowledged.push(write.await.unwrap().unwrap());
        }
        drop(writer);
        let mut conn = DbConn::establish(&path.to_string_lossy()).unwrap();
        // The writer thread may still be closing (checkpointing) its connection.
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "PRAGMA busy_timeout = 5000;",
        )
        .unwrap();
        let stored: Vec<i64> = agents::table
            .select(agents::id)
            .order(agents::id)
            .load(&mut conn)
            .unwrap();
        acknowledged.sort_unstable();
        assert_eq!(stored, acknowledged);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::db::open(&path).unwrap());
        let writer = crate::db::open_writer(&path).unwrap();
        // The same e-mail twice: the second write breaks the unique index and must fail alone,
        // even when both land in one batch.
        let writes: Vec<_> = ["same@x.io", "same@x.io", "other@x.io"]
            .into_iter()
            .map(|email| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.write(move |conn| new_agent(conn, email)).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for write in writes {
            outcomes.push(write.await.unwrap().is_ok());
        }
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 2);
        let mut conn = DbConn::establish(&path.to_string_lossy()).unwrap();
        // The writer thread may still be closing (checkpointing) its connection.
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "PRAGMA busy_timeout = 5000;",
        )
        .unwrap();
        let emails: Vec<String> = agents::table
            .select(agents::email)
            .order(agents::email)
            .load(&mut conn)
            .unwrap();
        assert_eq!(emails, ["other@x.io", "same@x.io"]);
    }
}
