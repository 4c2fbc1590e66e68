//! Group commit: one thread owns the only write connection and runs every write of the
//! application. It takes all the writes waiting in its queue, runs each in its own savepoint
//! inside one `IMMEDIATE` transaction, commits once (one fsync, `synchronous=FULL`), and only
//! then answers each caller. Concurrent writers never meet "database is locked", a failing
//! write rolls back alone, and every acknowledged write is on disk.
//!
//! Search: the batch's transaction starts with `search::defer_indexing`, so the triggers only
//! note which tickets changed; `search::index_pending` indexes them with one statement just
//! before COMMIT. FTS5 writes an index segment at every savepoint (every statement), so indexing
//! write by write left one tiny segment per write and merged them endlessly; this leaves one per
//! batch. A write that fails takes its notes back with its savepoint; if indexing fails, the
//! batch does not commit.
//!
//! Storage failures: on a full disk or an I/O error SQLite may end the whole transaction, not
//! just the failing statement. The writer notices (the write's savepoint is gone), answers the
//! writes already run in that batch that nothing was saved, and runs the writes it had not reached
//! in the next batch. A connection left in a state it cannot vouch for is closed (SQLite rolls
//! back whatever was open) and a fresh one is opened for the next batch, so the writer goes on
//! working once space returns.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::result::Error as DieselError;
use tokio::sync::oneshot;

use crate::db::{DbConn, OpenError, search};
use crate::error::ApiError;

/// Most writes committed together.
const MAX_BATCH: usize = 512;
/// Writes waiting beyond this make callers wait for room (back-pressure).
const QUEUE: usize = 4_096;

/// Answers a write's caller once its batch is settled, given why the batch did not commit
/// (`None`: it committed).
type Reply = Box<dyn FnOnce(Option<&ApiError>) + Send>;
/// One write: given the connection inside the batch's transaction, or the reason it cannot run.
type Job = Box<dyn FnOnce(Result<&mut DbConn, &ApiError>) -> Ran + Send>;
/// Opens (again) the write connection.
type Connect = Box<dyn FnMut() -> Result<DbConn, OpenError> + Send>;

/// A write that has run.
struct Ran {
    reply: Reply,
    /// False when its savepoint was gone afterwards: SQLite ended the batch's transaction.
    kept: bool,
}

enum Message {
    Write(Job),
    /// Finish the writes queued so far, close the connection, then answer.
    Stop(oneshot::Sender<()>),
}

/// A handle to the writer thread; cheap to clone.
#[derive(Debug, Clone)]
pub struct Writer {
    queue: mpsc::SyncSender<Message>,
}

impl Writer {
    /// Opens the write connection with `connect` and starts the writer thread on it; `connect` is
    /// called again whenever the connection has to be replaced.
    pub fn start(
        mut connect: impl FnMut() -> Result<DbConn, OpenError> + Send + 'static,
    ) -> Result<Self, OpenError> {
        let conn = connect()?;
        let (queue, messages) = mpsc::sync_channel::<Message>(QUEUE);
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || run(Some(conn), Box::new(connect), &messages))
            .map_err(|err| OpenError::Setup {
                path: "the writer thread".into(),
                source: err.into(),
            })?;
        Ok(Self { queue })
    }

    /// Runs `f` as one write, in its own savepoint of the next group commit, and returns its
    /// result once that commit is durable.
    pub async fn write<F, T>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (job, answer) = job(f);
        self.send(Message::Write(job))
            .await
            .map_err(|()| ApiError::Unavailable("the database writer has stopped".into()))?;
        answer.await.unwrap_or_else(|_| {
            Err(ApiError::Unavailable(
                "the write was not committed; retry".into(),
            ))
        })
    }

    /// Lets the writes queued so far commit, then closes the write connection. Writes sent
    /// afterwards are refused with 503. For a graceful shutdown.
    pub async fn shutdown(&self) {
        let (done, closed) = oneshot::channel();
        if self.send(Message::Stop(done)).await.is_ok() {
            let _ = closed.await;
        }
    }

    async fn send(&self, message: Message) -> Result<(), ()> {
        let queue = self.queue.clone();
        // `send` blocks only when the queue is full: do it off the executor.
        match actix_web::web::block(move || queue.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }
}

/// A write as the writer thread runs it, and where its caller waits for the answer.
fn job<F, T>(f: F) -> (Job, oneshot::Receiver<Result<T, ApiError>>)
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel::<Result<T, ApiError>>();
    let job: Job = Box::new(move |conn| {
        let (result, kept) = match conn {
            Ok(conn) => in_savepoint(conn, f),
            Err(refusal) => (Err(not_saved(refusal)), true),
        };
        Ran {
            kept,
            reply: Box::new(move |failure| {
                let outcome = match (result, failure) {
                    (Ok(_), Some(failure)) => Err(not_saved(failure)),
                    // The write that lost the transaction may only have seen its own savepoint
                    // vanish; the batch's failure says what happened.
                    (Err(ApiError::Internal(cause)), Some(failure)) if !kept => {
                        tracing::error!(error = %cause, "a write lost its transaction");
                        Err(not_saved(failure))
                    }
                    (result, _) => result,
                };
                let _ = tx.send(outcome);
            }),
        }
    });
    (job, rx)
}

/// Runs `f` in a savepoint: released when it succeeds, rolled back when it fails. The flag is
/// false when the savepoint no longer exists afterwards, i.e. SQLite ended the transaction.
fn in_savepoint<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> (Result<T, ApiError>, bool) {
    if let Err(err) = conn.batch_execute("SAVEPOINT write") {
        return (Err(err.into()), false);
    }
    let result = catch_unwind(AssertUnwindSafe(|| f(conn)))
        .unwrap_or_else(|_| Err(ApiError::internal("a write panicked")));
    let closed = match result {
        Ok(_) => conn.batch_execute("RELEASE write"),
        Err(_) => conn.batch_execute("ROLLBACK TO write; RELEASE write"),
    };
    (result, closed.is_ok())
}

/// The answer for a write whose work was rolled back because of `failure`.
fn not_saved(failure: &ApiError) -> ApiError {
    match failure {
        ApiError::Storage(detail) => ApiError::Storage(detail.clone()),
        ApiError::Unavailable(detail) => ApiError::Unavailable(detail.clone()),
        _ => ApiError::Unavailable("the change was not saved; retry".into()),
    }
}

fn run(mut conn: Option<DbConn>, mut connect: Connect, messages: &mpsc::Receiver<Message>) {
    let mut pending: VecDeque<Job> = VecDeque::new();
    let mut stop = None;
    loop {
        if pending.is_empty() && stop.is_none() {
            match messages.recv() {
                Ok(Message::Write(job)) => pending.push_back(job),
                Ok(Message::Stop(done)) => stop = Some(done),
                Err(_) => break,
            }
        }
        while stop.is_none() && pending.len() < MAX_BATCH {
            match messages.try_recv() {
                Ok(Message::Write(job)) => pending.push_back(job),
                Ok(Message::Stop(done)) => stop = Some(done),
                Err(_) => break,
            }
        }
        if pending.is_empty() {
            break;
        }
        let batch = pending.drain(..pending.len().min(MAX_BATCH)).collect();
        for job in commit_batch(&mut conn, &mut connect, batch)
            .into_iter()
            .rev()
        {
            pending.push_front(job);
        }
    }
    // Closing the last connection checkpoints the WAL into the database file.
    drop(conn);
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// Runs `batch` in one `IMMEDIATE` transaction and answers each write. Returns the writes it did
/// not get to because SQLite ended the transaction under an earlier one: they go in the next
/// batch.
fn commit_batch(slot: &mut Option<DbConn>, connect: &mut Connect, batch: Vec<Job>) -> Vec<Job> {
    let conn = match slot {
        Some(conn) => conn,
        None => match connect() {
            Ok(conn) => slot.insert(conn),
            Err(err) => {
                tracing::error!(error = %err, "cannot reopen the database for writing");
                refuse(
                    batch,
                    &ApiError::Storage(format!("{err}; nothing was saved")),
                );
                return Vec::new();
            }
        },
    };
    if let Err(err) = AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")
        .and_then(|()| search::defer_indexing(conn))
    {
        tracing::error!(error = %err, "cannot start a group commit");
        refuse(batch, &ApiError::from(err));
        if !settle(conn) {
            *slot = None;
        }
        return Vec::new();
    }
    let mut replies = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    let mut lost = false;
    for job in jobs.by_ref() {
        let ran = job(Ok(&mut *conn));
        replies.push(ran.reply);
        if !ran.kept {
            lost = true;
            break;
        }
    }
    let leftover = jobs.collect();
    let failure = if lost {
        tracing::error!(
            writes = replies.len(),
            "SQLite ended a group commit's transaction; its writes were rolled back"
        );
        Some(ApiError::Storage(
            "the database could not store the change (disk full or failing); it was not saved"
                .into(),
        ))
    } else {
        // The batch's tickets are indexed for search here, once, inside the transaction.
        match search::index_pending(conn).and_then(|()| {
            <AnsiTransactionManager as TransactionManager<DbConn>>::commit_transaction(conn)
        }) {
            Ok(()) => None,
            Err(err) => {
                tracing::error!(error = %err, writes = replies.len(), "group commit failed");
                Some(ApiError::from(err))
            }
        }
    };
    if failure.is_some() && !settle(conn) {
        *slot = None;
    }
    for reply in replies {
        reply(failure.as_ref());
    }
    leftover
}

/// Answers every write of `batch` with `failure` without running it.
fn refuse(batch: Vec<Job>, failure: &ApiError) {
    for job in batch {
        (job(Err(failure)).reply)(None);
    }
}

/// Leaves `conn` outside any transaction; false when its state is unknown and it must be
/// replaced.
fn settle(conn: &mut DbConn) -> bool {
    matches!(
        <AnsiTransactionManager as TransactionManager<DbConn>>::rollback_transaction(conn),
        Ok(()) | Err(DieselError::NotInTransaction)
    )
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

    /// A migrated database in a temporary folder.
    fn database() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::db::open(&path).unwrap());
        (dir, path)
    }

    fn emails(path: &std::path::Path) -> Vec<String> {
        let mut conn = DbConn::establish(&path.to_string_lossy()).unwrap();
        // The writer thread may still be closing (checkpointing) its connection.
        conn.batch_execute("PRAGMA busy_timeout = 5000;").unwrap();
        agents::table
            .select(agents::email)
            .order(agents::email)
            .load(&mut conn)
            .unwrap()
    }

    /// Runs batches on one connection, by hand, as the writer thread does.
    struct Batches {
        conn: Option<DbConn>,
        connect: Connect,
    }

    impl Batches {
        fn new(path: &std::path::Path) -> Self {
            let path = path.to_owned();
            let mut connect: Connect = Box::new(move || crate::db::connect_writer(&path));
            Self {
                conn: Some(connect().unwrap()),
                connect,
            }
        }

        fn commit(&mut self, batch: Vec<Job>) -> Vec<Job> {
            commit_batch(&mut self.conn, &mut self.connect, batch)
        }
    }

    fn add_agent(email: &'static str) -> (Job, oneshot::Receiver<Result<i64, ApiError>>) {
        job(move |conn| new_agent(conn, email))
    }

    fn outcome<T>(mut answer: oneshot::Receiver<Result<T, ApiError>>) -> Result<T, ApiError> {
        answer.try_recv().expect("the write was answered")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_acknowledged_write_is_in_the_database_after_a_reopen() {
        let (_dir, path) = database();
        let writer = crate::db::open_writer(&path).unwrap();
        let writes = (0..200).map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .write(move |conn| new_agent(conn, &format!("a{i:03}@x.io")))
                    .await
            })
        });
        let mut acknowledged = Vec::new();
        for write in writes.collect::<Vec<_>>() {
            acknowledged.push(write.await.unwrap().unwrap());
        }
        writer.shutdown().await;
        let expected: Vec<_> = (0..200).map(|i| format!("a{i:03}@x.io")).collect();
        assert_eq!(emails(&path), expected);
        assert_eq!(acknowledged.len(), 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_rolls_back_alone() {
        let (_dir, path) = database();
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
        writer.shutdown().await;
        assert_eq!(emails(&path), ["other@x.io", "same@x.io"]);
    }

    #[test]
    fn a_write_that_ends_the_transaction_fails_its_batch_and_the_rest_run_in_the_next() {
        let (_dir, path) = database();
        let mut batches = Batches::new(&path);
        let (before, before_answer) = add_agent("before@x.io");
        // What SQLite does on some disk-full and I/O errors: the whole transaction is rolled
        // back, not just the failing statement.
        let (failing, failing_answer) = job(|conn| {
            new_agent(conn, "failing@x.io")?;
            conn.batch_execute("ROLLBACK")?;
            Err::<(), _>(ApiError::Storage("disk full".into()))
        });
        let (after, after_answer) = add_agent("after@x.io");

        let leftover = batches.commit(vec![before, failing, after]);
        assert_eq!(leftover.len(), 1, "the write after the failure did not run");
        for answer in [outcome(before_answer).map(|_| ()), outcome(failing_answer)] {
            assert_eq!(answer.unwrap_err().code(), "storage_unavailable");
        }
        assert!(after_answer.is_empty(), "not answered before it runs");

        assert!(batches.commit(leftover).is_empty());
        assert!(outcome(after_answer).is_ok());
        assert!(batches.conn.is_some(), "the connection was sound and kept");
        drop(batches);
        assert_eq!(emails(&path), ["after@x.io"]);
    }

    #[test]
    fn a_failed_commit_fails_every_write_of_its_batch_and_the_writer_goes_on() {
        let (_dir, path) = database();
        let mut batches = Batches::new(&path);
        let (first, first_answer) = add_agent("first@x.io");
        // A foreign key checked only at COMMIT, which then fails and leaves the transaction open.
        let (dangling, dangling_answer) = job(|conn| {
            conn.batch_execute(
                "PRAGMA defer_foreign_keys = ON;
                 INSERT INTO ticket_events (ticket_id, actor_id, kind, created_at)
                 VALUES (999, 999, 'status_changed', '2025-01-01 00:00:00');",
            )?;
            Ok(())
        });
        assert!(batches.commit(vec![first, dangling]).is_empty());
        for answer in [outcome(first_answer).map(|_| ()), outcome(dangling_answer)] {
            assert_eq!(answer.unwrap_err().code(), "service_unavailable");
        }

        let (next, next_answer) = add_agent("next@x.io");
        assert!(batches.commit(vec![next]).is_empty());
        assert!(outcome(next_answer).is_ok());
        drop(batches);
        assert_eq!(emails(&path), ["next@x.io"]);
    }

    #[test]
    fn a_broken_connection_is_replaced_for_the_next_batch() {
        let (_dir, path) = database();
        let mut batches = Batches::new(&path);
        batches.conn = None;
        let (write, answer) = add_agent("reopened@x.io");
        assert!(batches.commit(vec![write]).is_empty());
        assert!(outcome(answer).is_ok());
        drop(batches);
        assert_eq!(emails(&path), ["reopened@x.io"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn after_shutdown_writes_are_refused_with_503() {
        let (_dir, path) = database();
        let writer = crate::db::open_writer(&path).unwrap();
        writer
            .write(|conn| new_agent(conn, "a@x.io"))
            .await
            .unwrap();
        writer.shutdown().await;
        let refused = writer
            .write(|conn| new_agent(conn, "b@x.io"))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "service_unavailable");
        assert_eq!(emails(&path), ["a@x.io"]);
    }
}
