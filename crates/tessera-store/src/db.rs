//! Connection handling for both backends.

use std::{str::FromStr, time::Duration};

use sqlx::{
    ConnectOptions, PgConnection, PgPool, Postgres, SqliteConnection, SqlitePool, Transaction,
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{
    Result,
    readers::{ReadConn, Readers},
    writer::{SqliteTx, WriteGate},
};
use std::sync::Arc;

/// Which database a `Db` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// SQLite's connections and the queue its writers take turns in (`writer.rs`).
#[derive(Debug, Clone)]
pub struct SqliteDb {
    /// sqlx's pool: the writer's connection, migrations, maintenance.
    pub pool: SqlitePool,
    /// Connections for `Db::conn` (`readers.rs`).
    readers: Arc<Readers>,
    pub(crate) gate: Arc<WriteGate>,
    /// Ids for new tickets (`Db::reserve_ticket_id`).
    pub(crate) ticket_ids: Arc<crate::new_ticket::TicketIds>,
}

/// A connection pool to either backend.
#[derive(Debug, Clone)]
pub enum Db {
    /// Embedded SQLite.
    Sqlite(SqliteDb),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A pooled connection.
pub enum Conn {
    /// SQLite.
    Sqlite(ReadConn),
    /// PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

/// An open transaction; dropped without `commit` it rolls back.
pub enum Tx {
    /// SQLite (a savepoint in a group commit).
    Sqlite(SqliteTx),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

/// A borrowed connection or transaction that queries run on.
pub enum Handle<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConnection),
    /// PostgreSQL.
    Postgres(&'a mut PgConnection),
}

/// Runs the same body against whichever driver a `Handle` holds.
macro_rules! on {
    ($h:expr, $c:ident => $body:expr) => {
        match $h {
            $crate::db::Handle::Sqlite(c) => {
                let $c = &mut **c;
                $body
            }
            $crate::db::Handle::Postgres(c) => {
                let $c = &mut **c;
                $body
            }
        }
    };
}
pub(crate) use on;

/// Statements slower than this are logged (with their whole text: bulk loads of demo data
/// would flood the log at sqlx's default of one second).
const SLOW_STATEMENT: Duration = Duration::from_secs(10);

/// SQLite connections for reading: more would only queue on the machine's cores, fewer
/// would make a slow search hold up the pages behind it.
const READERS: usize = 8;

impl Db {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`). SQLite files are created when
    /// missing and run in WAL mode with `synchronous=FULL`, so a committed write survives
    /// power loss.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            // A connection is tested when it goes back to the pool (sqlx always pings it
            // then); testing it again when it is taken out costs a round trip per
            // acquisition, several per page, for nothing.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-16000")
                .pragma("temp_store", "memory")
                // The connection that commits past this many WAL pages checkpoints, in its
                // commit: on the writer, every ticket queued behind it waits for that. At
                // SQLite's 1,000 pages that was several times a second under load; most
                // copying now happens beside the writer (`checkpoint`, about once a second).
                // SQLite can start the WAL over only between a full checkpoint and the next
                // write, so under a steady stream of writes the writer still checkpoints at
                // this size (16 MB). Measured at 1M tickets: 1,000 pages gave 614 API
                // tickets/s, 20,000 gave 1,082/s but 0.4 s stalls on the agent's ticket page
                // (a large checkpoint's fsync), 4,000 gave 894/s without them.
                .pragma("wal_autocheckpoint", "4000")
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            // As for PostgreSQL: each test is a trip through the connection's worker thread.
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .min_connections(1)
                .connect_with(opts.clone())
                .await?;
            Ok(Db::Sqlite(SqliteDb {
                pool,
                // Read-only, so that a write that bypasses the writer fails loudly instead of
                // taking SQLite's lock behind the writer's back (every write goes through
                // `begin`).
                readers: Readers::new(opts.read_only(true), READERS),
                gate: WriteGate::new(),
                ticket_ids: Arc::default(),
            }))
        }
    }

    /// How many of this process's transactions wait for SQLite's writer (0 on PostgreSQL,
    /// where none queue here): tests line transactions up by it.
    pub fn waiting_for_writer(&self) -> usize {
        match self {
            Db::Sqlite(d) => d.gate.waiting(),
            Db::Postgres(_) => 0,
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date. On a database that has been migrated before,
    /// `progress(done, pending, description)` comes before each migration still to apply
    /// (some rewrite whole tables and take a while at a million tickets); a fresh
    /// database's are instant and not reported.
    pub async fn migrate(&self, mut progress: impl FnMut(usize, usize, &str)) -> Result<()> {
        static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
        static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");
        // sqlx's own bookkeeping (it creates its table on a fresh database, as `run` would).
        async fn applied(
            migrator: &sqlx::migrate::Migrator,
            c: &mut impl sqlx::migrate::Migrate,
        ) -> Result<Vec<i64>> {
            c.ensure_migrations_table(&migrator.table_name).await?;
            let done = c.list_applied_migrations(&migrator.table_name).await?;
            Ok(done.into_iter().map(|m| m.version).collect())
        }
        let (migrator, applied) = match self {
            Db::Sqlite(d) => (
                &SQLITE,
                applied(&SQLITE, &mut *d.pool.acquire().await?).await?,
            ),
            Db::Postgres(p) => (
                &POSTGRES,
                applied(&POSTGRES, &mut *p.acquire().await?).await?,
            ),
        };
        let pending: Vec<_> = migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .collect();
        if !applied.is_empty() {
            for (done, m) in pending.iter().enumerate() {
                progress(done, pending.len(), &m.description);
                match self {
                    Db::Sqlite(d) => migrator.run_to(m.version, &d.pool).await?,
                    Db::Postgres(p) => migrator.run_to(m.version, p).await?,
                }
            }
        }
        match self {
            Db::Sqlite(SqliteDb { pool: p, .. }) => {
                migrator.run(p).await?;
                // Gives the query planner fresh statistics where they are missing or stale
                // (cheap; without them SQLite guesses, and guesses badly for queue indexes).
                // Statistics are an optimisation: a full disk must not keep Tessera (or the
                // MTA's pipe) from starting.
                if let Err(e) = sqlx::query("PRAGMA optimize=0x10002").execute(p).await {
                    tracing::warn!(error = %e, "cannot refresh the query planner's statistics");
                }
            }
            Db::Postgres(p) => migrator.run(p).await?,
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics (after bulk loads). On PostgreSQL a vacuum
    /// comes with it: until one runs, a freshly loaded table has no visibility map (no
    /// index-only scans) and the search index's GIN pending list is read by every search.
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Db::Sqlite(SqliteDb { pool: p, .. }) => {
                sqlx::query("ANALYZE").execute(p).await.map(|_| ())?
            }
            Db::Postgres(p) => sqlx::query("VACUUM (ANALYZE)")
                .execute(p)
                .await
                .map(|_| ())?,
        }
        Ok(())
    }

    /// Writes a consistent copy of the whole database to `path` while it is in use
    /// (SQLite's `VACUUM INTO`). PostgreSQL has its own tools for this.
    pub async fn backup(&self, path: &str) -> Result<bool> {
        match self {
            Db::Sqlite(SqliteDb { pool: p, .. }) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(true)
            }
            Db::Postgres(_) => Ok(false),
        }
    }

    /// Takes a connection for reading. On SQLite it is opened read-only: writes go through
    /// `begin`.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite(d) => Conn::Sqlite(d.readers.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a transaction. On SQLite the process's writers queue for the one writer and
    /// commit in groups (`writer.rs`); the write lock is taken at once (`BEGIN IMMEDIATE`),
    /// so nothing fails with SQLITE_BUSY halfway.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(d) => Tx::Sqlite(d.gate.begin(&d.pool).await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Copies what the WAL holds into the database file, on a connection of its own, while
    /// the writer goes on (SQLite's passive checkpoint; nothing to do on PostgreSQL).
    pub async fn checkpoint(&self) -> Result<()> {
        if let Db::Sqlite(d) = self {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&d.pool)
                .await?;
        }
        Ok(())
    }

    /// Closes every connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(d) => {
                d.gate.close().await;
                d.readers.close().await;
                d.pool.close().await
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Conn {
    /// The handle queries run on.
    pub fn h(&mut self) -> Handle<'_> {
        match self {
            Conn::Sqlite(c) => Handle::Sqlite(&mut *c),
            Conn::Postgres(c) => Handle::Postgres(c),
        }
    }
}

impl Tx {
    /// The handle queries run on.
    pub fn h(&mut self) -> Handle<'_> {
        match self {
            Tx::Sqlite(t) => Handle::Sqlite(t.conn()),
            Tx::Postgres(t) => Handle::Postgres(t),
        }
    }

    /// Makes every write of this transaction durable at once.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Handle<'_> {
    /// Which backend this handle talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Handle::Sqlite(_) => Backend::Sqlite,
            Handle::Postgres(_) => Backend::Postgres,
        }
    }
}
