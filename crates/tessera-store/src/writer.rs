//! SQLite's single writer, with group commit. SQLite lets one transaction write at a time,
//! and with `synchronous=FULL` each commit waits for the disk (an fsync). Instead of
//! letting every transaction take the lock and pay an fsync of its own — and making the
//! others poll SQLite's busy handler meanwhile — the transactions of this process queue
//! here (first come, first served) and run one after another inside one SQLite
//! transaction, each in a savepoint of its own; when nobody else is waiting, or the group
//! is large, the group commits once. A transaction's `commit` returns only after the
//! group's commit is on disk, so nothing acknowledged can be lost; a transaction dropped
//! without commit is rolled back to its savepoint and leaves the others untouched.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use sqlx::{Sqlite, SqliteConnection, SqlitePool, pool::PoolConnection};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::{Result, StoreError};

/// The most transactions one commit carries.
const MAX_GROUP: usize = 64;

/// How long a transaction waits for the writer before giving up (a transaction opened
/// while another is held by the same task would otherwise wait forever).
const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

/// How often a transaction waiting for its group's commit checks that someone will make
/// it (the transaction expected to may have been abandoned).
const GROUP_PATIENCE: Duration = Duration::from_millis(2);

/// The outcome of a group's commit, for every transaction in it.
type Outcome = Option<std::result::Result<(), String>>;

struct Group {
    /// Transactions released into the group so far.
    jobs: usize,
    done: watch::Sender<Outcome>,
}

/// The writer's connection and the group in progress.
pub(crate) struct Writer {
    conn: Option<PoolConnection<Sqlite>>,
    group: Option<(u64, Group)>,
    next_group: u64,
    /// A transaction's savepoint is open (it has neither committed nor been rolled back).
    in_job: bool,
}

/// The queue of this process's SQLite transactions.
pub(crate) struct WriteGate {
    writer: Arc<Mutex<Writer>>,
    waiting: AtomicUsize,
}

impl std::fmt::Debug for WriteGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteGate")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Counts a transaction as waiting for the writer until it has it (or gave up).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A transaction on SQLite: the writer, held, with a savepoint open.
pub struct SqliteTx {
    guard: Option<OwnedMutexGuard<Writer>>,
    gate: Arc<WriteGate>,
    /// The transaction's own statements have released its savepoint (`begin_in_one`).
    released: bool,
}

impl WriteGate {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            writer: Arc::new(Mutex::new(Writer {
                conn: None,
                group: None,
                next_group: 0,
                in_job: false,
            })),
            waiting: AtomicUsize::new(0),
        })
    }

    /// Waits for the writer and opens a savepoint in the current group (starting a group
    /// with `BEGIN IMMEDIATE` when none is open).
    pub(crate) async fn begin(self: &Arc<Self>, pool: &SqlitePool) -> Result<SqliteTx> {
        let mut w = self.join_group(pool).await?;
        if let Err(e) = sqlx::query("SAVEPOINT job").execute(w.conn()).await {
            self.settle(&mut w).await;
            return Err(e.into());
        }
        w.in_job = true;
        Ok(SqliteTx {
            guard: Some(w),
            gate: self.clone(),
            released: false,
        })
    }

    /// Like `begin`, but the savepoint is left to the transaction's one execution, which
    /// opens it with `SAVEPOINT job` and closes it with `RELEASE job` (then `released`):
    /// two trips to the connection's thread fewer.
    pub(crate) async fn begin_in_one(self: &Arc<Self>, pool: &SqlitePool) -> Result<SqliteTx> {
        let mut w = self.join_group(pool).await?;
        // Should the execution fail after `SAVEPOINT job`, the savepoint is open.
        w.in_job = true;
        Ok(SqliteTx {
            guard: Some(w),
            gate: self.clone(),
            released: false,
        })
    }

    /// Waits for the writer and makes sure a group is open.
    async fn join_group(self: &Arc<Self>, pool: &SqlitePool) -> Result<OwnedMutexGuard<Writer>> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(&self.waiting);
        let mut w = tokio::time::timeout(WAIT_FOR_WRITER, self.writer.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Busy)?;
        drop(waiting);
        w.clean_up().await?;
        if w.conn.is_none() {
            w.conn = Some(pool.acquire().await?);
        }
        if w.group.is_none() {
            sqlx::query("BEGIN IMMEDIATE").execute(w.conn()).await?;
            let id = w.next_group;
            w.next_group += 1;
            w.group = Some((
                id,
                Group {
                    jobs: 0,
                    done: watch::channel(None).0,
                },
            ));
        }
        Ok(w)
    }

    /// Commits what is open and gives the writer's connection back to the pool (which
    /// cannot close while the writer holds one).
    pub(crate) async fn close(&self) {
        let mut w = self.writer.lock().await;
        w.commit_group().await;
        w.conn = None;
    }

    /// Commits the open group unless others are waiting to join it; returns whether the
    /// group was committed (its outcome sent to every member).
    async fn settle(&self, w: &mut Writer) -> bool {
        let Some((_, group)) = &w.group else {
            return true;
        };
        if self.waiting.load(Ordering::SeqCst) > 0 && group.jobs < MAX_GROUP {
            return false;
        }
        w.commit_group().await;
        true
    }
}

impl Writer {
    fn conn(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("the writer's connection is open")
    }

    /// Rolls back the savepoint of a transaction that was dropped without commit.
    async fn clean_up(&mut self) -> Result<()> {
        if self.in_job {
            sqlx::query("ROLLBACK TO job").execute(self.conn()).await?;
            sqlx::query("RELEASE job").execute(self.conn()).await?;
            self.in_job = false;
        }
        Ok(())
    }

    /// Commits the group and tells its members.
    async fn commit_group(&mut self) {
        let Some((_, group)) = self.group.take() else {
            return;
        };
        let outcome = match self.clean_up().await {
            Ok(()) => sqlx::query("COMMIT")
                .execute(self.conn())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if outcome.is_err() {
            // Whatever SQLite kept of the transaction goes; the connection starts afresh.
            let _ = sqlx::query("ROLLBACK").execute(self.conn()).await;
            self.conn = None;
        }
        group.done.send_replace(Some(outcome));
    }
}

impl SqliteTx {
    /// The connection queries run on.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        self.guard
            .as_mut()
            .expect("held until commit or drop")
            .conn()
    }

    /// Notes that the transaction's statements ran to their `RELEASE job`.
    pub(crate) fn released(&mut self) {
        if let Some(w) = self.guard.as_mut() {
            w.in_job = false;
        }
        self.released = true;
    }

    /// Releases the savepoint into the group and waits until the group is on disk.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut w = self.guard.take().expect("held until commit or drop");
        if !self.released {
            sqlx::query("RELEASE job").execute(w.conn()).await?;
        }
        w.in_job = false;
        let (id, group) = w.group.as_mut().expect("a transaction belongs to a group");
        let id = *id;
        group.jobs += 1;
        let mut done = group.done.subscribe();
        if self.gate.settle(&mut w).await {
            drop(w);
            return outcome(&done);
        }
        drop(w);
        loop {
            if tokio::time::timeout(GROUP_PATIENCE, done.changed())
                .await
                .is_ok()
            {
                return outcome(&done);
            }
            // Nobody has committed the group yet: whoever was expected to join may have
            // given up. Commit it ourselves if it is still open.
            let mut w = self.gate.writer.clone().lock_owned().await;
            if w.group.as_ref().is_some_and(|(g, _)| *g == id) && !w.in_job {
                w.commit_group().await;
            }
            drop(w);
            if done.borrow().is_some() {
                return outcome(&done);
            }
        }
    }
}

fn outcome(done: &watch::Receiver<Outcome>) -> Result<()> {
    match &*done.borrow() {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(StoreError::Commit(e.clone())),
        None => Err(StoreError::Commit(
            "the group ended without an outcome".into(),
        )),
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        // Dropped without commit: roll back to the savepoint and let the group go on.
        let Some(mut w) = self.guard.take() else {
            return;
        };
        let gate = self.gate.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if w.clean_up().await.is_err() {
                    w.commit_group().await;
                } else {
                    gate.settle(&mut w).await;
                }
            });
        }
        // Without a runtime the next transaction cleans up (`clean_up` in `begin`).
    }
}
