//! SQLite's single writer, with group commit. SQLite lets one transaction write at a time,
//! and with `synchronous=FULL` each commit waits for the disk (an fsync). Instead of
//! letting every transaction take the lock and pay an fsync of its own — and making the
//! others poll SQLite's busy handler meanwhile — the transactions of this process queue
//! here (first come, first served) and run one after another inside one SQLite
//! transaction, each in a savepoint of its own; when nobody else is waiting, or the group
//! is large, the group commits once. A transaction's `commit` returns only after the
//! group's commit is on disk, so nothing acknowledged can be lost; a transaction dropped
//! without commit is rolled back to its savepoint and leaves the others untouched.
//!
//! Faults: SQLite may answer a disk error (SQLITE_FULL, SQLITE_IOERR, …) by rolling back
//! the whole transaction, taking the group's earlier members with it, and leaving the
//! connection in autocommit. Two hooks on the writer's connection keep that from going
//! unnoticed: the rollback hook marks the group lost (every member gets an error, the next
//! transaction starts a new group), and the commit hook refuses every commit but the
//! writer's own `COMMIT`, so a statement that ran in autocommit after such a rollback (a
//! `SAVEPOINT` there starts a transaction that its `RELEASE` would commit alone) is undone
//! rather than stored behind a reported failure. A failed group's connection is closed,
//! not reused.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use sqlx::{Sqlite, SqliteConnection, SqlitePool, pool::PoolConnection};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::{
    Result, StoreError,
    rows::{Script, bind_values},
};

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

/// What SQLite tells the writer through its connection's hooks.
#[derive(Debug, Default)]
struct Hooks {
    /// SQLite rolled the transaction back (the writer's own `ROLLBACK`, or SQLite on its own
    /// after a disk error): the group in progress is lost.
    rolled_back: AtomicBool,
    /// The writer's `COMMIT` is running: the one commit allowed on its connection.
    committing: AtomicBool,
}

/// Why a group failed when SQLite rolled it back on its own.
const LOST: &str = "the database rolled the transaction back";

/// The writer's connection and the group in progress.
pub(crate) struct Writer {
    conn: Option<PoolConnection<Sqlite>>,
    hooks: Arc<Hooks>,
    group: Option<(u64, Group)>,
    next_group: u64,
    /// A transaction's savepoint is open (it has neither committed nor been rolled back).
    in_job: bool,
    /// New tickets of the group whose index rows are still to be written: ticket id,
    /// document, head (`SqliteTx::index_with_group`).
    index: Vec<(i64, String, String)>,
}

/// The queue of this process's SQLite transactions.
pub(crate) struct WriteGate {
    writer: Arc<Mutex<Writer>>,
    waiting: AtomicUsize,
    thread: std::sync::OnceLock<WriterThread>,
}

type Job = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// A thread of its own for transactions that need nothing from the request while they hold
/// the writer (a new ticket's one execution). On the server's runtime, each return from the
/// writer's connection thread queues the task behind the requests being worked on — a
/// new ticket's holds the writer across three such returns, and every transaction behind
/// it waits as well. Here nothing else runs.
struct WriterThread(tokio::sync::mpsc::UnboundedSender<Job>);

impl WriterThread {
    fn start() -> std::io::Result<Self> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Ends when the gate is dropped (the channel closes); jobs still running then end
        // with the runtime, as they would with the process.
        std::thread::Builder::new()
            .name("tessera-writer".into())
            .spawn(move || {
                rt.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        tokio::spawn(job);
                    }
                });
            })?;
        Ok(Self(tx))
    }
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
                hooks: Arc::default(),
                group: None,
                next_group: 0,
                in_job: false,
                index: Vec::new(),
            })),
            waiting: AtomicUsize::new(0),
            thread: std::sync::OnceLock::new(),
        })
    }

    /// Transactions waiting for the writer.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Runs `job` on the writer's thread (`WriterThread`). It runs to its end even if the
    /// caller stops waiting.
    pub(crate) async fn on_writer_thread<T: Send + 'static>(
        &self,
        job: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let gone = || StoreError::Commit("the writer's thread has stopped".into());
        let thread = match self.thread.get() {
            Some(t) => t,
            None => {
                let started =
                    WriterThread::start().map_err(|e| StoreError::Commit(e.to_string()))?;
                self.thread.get_or_init(|| started)
            }
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        thread
            .0
            .send(Box::pin(async move {
                let _ = tx.send(job.await);
            }))
            .map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// Waits for the writer and opens a savepoint in the current group (starting a group
    /// with `BEGIN IMMEDIATE` when none is open).
    pub(crate) async fn begin(self: &Arc<Self>, pool: &SqlitePool) -> Result<SqliteTx> {
        let mut w = self.join_group(pool).await?;
        // This transaction may change the index (a reply re-indexes its ticket, perhaps one
        // opened in this group), and a rollback to its savepoint must not take the group's
        // new tickets' rows with it: they are written first, outside the savepoint.
        if let Err(e) = w.write_index().await {
            w.end_group(Err(e.to_string())).await;
            return Err(e);
        }
        if let Err(e) = w.exec("SAVEPOINT job").await {
            self.settle(&mut w).await;
            return Err(e);
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
        // A transaction dropped without commit, or a group SQLite rolled back: whatever
        // became of them, this transaction starts on a sound group.
        w.clean_up().await;
        if w.group.is_some() && w.lost() {
            w.end_group(Err(LOST.into())).await;
        }
        if w.conn.is_none() {
            w.conn = Some(connect(pool, &w.hooks).await?);
        }
        if w.group.is_none() {
            // Set by the last group's end (its `ROLLBACK`, if it failed).
            w.hooks.rolled_back.store(false, Ordering::SeqCst);
            w.exec("BEGIN IMMEDIATE").await?;
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
        if let Some(mut c) = w.conn.take() {
            // Back in the pool, the connection serves migrations and maintenance, which
            // commit on their own.
            let unhooked = match c.lock_handle().await {
                Ok(mut h) => {
                    h.remove_commit_hook();
                    h.remove_rollback_hook();
                    true
                }
                Err(_) => false,
            };
            if !unhooked {
                c.close_on_drop();
            }
        }
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

/// A connection for the writer from the pool, with the writer's hooks.
async fn connect(pool: &SqlitePool, hooks: &Arc<Hooks>) -> Result<PoolConnection<Sqlite>> {
    let mut c = pool.acquire().await?;
    {
        let mut h = c.lock_handle().await?;
        let rolled_back = hooks.clone();
        h.set_rollback_hook(move || rolled_back.rolled_back.store(true, Ordering::SeqCst));
        let committing = hooks.clone();
        h.set_commit_hook(move || committing.committing.load(Ordering::SeqCst));
    }
    Ok(c)
}

impl Writer {
    fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StoreError::Commit("the writer has no connection".into()))
    }

    /// Runs one statement of the writer's own on its connection.
    async fn exec(&mut self, sql: &'static str) -> Result<()> {
        sqlx::query(sql).execute(self.conn()?).await?;
        Ok(())
    }

    /// Whether SQLite rolled back the group in progress.
    fn lost(&self) -> bool {
        self.hooks.rolled_back.load(Ordering::SeqCst)
    }

    /// Rolls back the savepoint of a transaction that was dropped without commit; if that
    /// fails (SQLite has rolled back the whole group), the group fails.
    async fn clean_up(&mut self) {
        if !self.in_job {
            return;
        }
        self.in_job = false;
        let undone = async {
            self.exec("ROLLBACK TO job").await?;
            self.exec("RELEASE job").await
        }
        .await;
        if let Err(e) = undone {
            self.end_group(Err(e.to_string())).await;
        }
    }

    /// Writes the index rows of the group's new tickets, all in one statement per table:
    /// FTS5 keeps them as one segment.
    async fn write_index(&mut self) -> Result<()> {
        if self.index.is_empty() {
            return Ok(());
        }
        let docs = std::mem::take(&mut self.index);
        let mut s = Script::in_one();
        let bodies: Vec<(i64, &str)> = docs.iter().map(|(id, d, _)| (*id, d.as_str())).collect();
        let heads: Vec<(i64, &str)> = docs.iter().map(|(id, _, h)| (*id, h.as_str())).collect();
        crate::search::fts5_rows(&mut s, "ticket_search", &bodies);
        crate::search::fts5_rows(&mut s, "ticket_search_head", &heads);
        let (text, vals) = s.into_one();
        bind_values!(sqlx::query(sqlx::AssertSqlSafe(text)), &vals)
            .execute(self.conn()?)
            .await?;
        Ok(())
    }

    /// Commits the group and tells its members.
    async fn commit_group(&mut self) {
        self.clean_up().await;
        if self.group.is_none() {
            return;
        }
        let outcome = async {
            self.write_index().await?;
            if self.lost() {
                return Err(StoreError::Commit(LOST.into()));
            }
            self.hooks.committing.store(true, Ordering::SeqCst);
            let done = self.exec("COMMIT").await;
            self.hooks.committing.store(false, Ordering::SeqCst);
            done
        }
        .await
        .map_err(|e| e.to_string());
        self.end_group(outcome).await;
    }

    /// Tells the group's members its outcome; a failed group is rolled back whole.
    async fn end_group(&mut self, outcome: std::result::Result<(), String>) {
        let Some((_, group)) = self.group.take() else {
            return;
        };
        self.in_job = false;
        if outcome.is_err() {
            self.index.clear();
            // Whatever SQLite kept of the transaction goes, and so does the connection: after
            // a disk error it may not be sound, and the next group starts on a fresh one.
            if let Some(mut c) = self.conn.take() {
                let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
                c.close_on_drop();
            }
        }
        group.done.send_replace(Some(outcome));
    }
}

impl SqliteTx {
    /// The connection queries run on.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        // `join_group` hands out the writer with its connection, and only `commit` and
        // `drop`, which end the transaction, give either up.
        self.guard
            .as_mut()
            .and_then(|w| w.conn.as_deref_mut())
            .expect("a transaction holds the writer and its connection until commit or drop")
    }

    /// Notes that the transaction's statements ran to their `RELEASE job`.
    pub(crate) fn released(&mut self) {
        if let Some(w) = self.guard.as_mut() {
            w.in_job = false;
        }
        self.released = true;
    }

    /// Leaves a new ticket's index rows to the group (written together before it commits).
    /// Only after the ticket's savepoint is released: a rollback to it would not undo this.
    pub(crate) fn index_with_group(
        &mut self,
        ticket: tessera_domain::TicketId,
        doc: &str,
        head: &str,
    ) {
        debug_assert!(
            self.released,
            "the ticket's statements are part of the group"
        );
        if let Some(w) = self.guard.as_mut() {
            w.index.push((ticket.0, doc.to_owned(), head.to_owned()));
        }
    }

    /// Releases the savepoint into the group and waits until the group is on disk.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let Some(mut w) = self.guard.take() else {
            return Err(StoreError::Commit("the transaction has ended".into()));
        };
        if !self.released
            && let Err(e) = w.exec("RELEASE job").await
        {
            // The savepoint may be gone with the whole group; `clean_up` finds out.
            w.clean_up().await;
            self.gate.settle(&mut w).await;
            return Err(e);
        }
        w.in_job = false;
        if w.lost() {
            // SQLite rolled back the group while this transaction ran: none of it is kept.
            w.end_group(Err(LOST.into())).await;
            return Err(StoreError::Commit(LOST.into()));
        }
        let Some((id, group)) = w.group.as_mut() else {
            return Err(StoreError::Commit(LOST.into()));
        };
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
                w.clean_up().await;
                gate.settle(&mut w).await;
            });
        }
        // Without a runtime the next transaction cleans up (`clean_up` in `begin`).
    }
}
