/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A named constraint refused the write (e.g. a duplicate).
    #[error("constraint {0} violated")]
    Conflict(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The database could not be migrated.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database's writer stayed busy for too long.
    #[error("the database is busy")]
    Busy,
    /// A group of transactions could not be committed (none of them took effect).
    #[error("commit failed: {0}")]
    Commit(String),
    /// Attachment storage failed.
    #[error("blob storage: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(
                db.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            ),
            _ => StoreError::Database(e),
        }
    }
}

impl StoreError {
    /// Whether this is a unique-constraint violation (on SQLite the constraint is named by
    /// its columns in the message, on PostgreSQL by name).
    pub fn is_conflict_on(&self, needle: &str) -> bool {
        matches!(self, StoreError::Conflict(c) if c.contains(needle))
    }

    /// Whether the failure says nothing about the request but that the database or the disk
    /// cannot serve it right now (full, failing, down, busy, overloaded): the same request
    /// may work in a moment. Everything else that is not a conflict or a missing row is a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Busy | StoreError::Commit(_) => true,
            StoreError::Database(e) => sqlx_unavailable(e),
            // A missing attachment file is lost data, not a passing condition.
            StoreError::Io(e) => io_unavailable(e),
            StoreError::NotFound | StoreError::Conflict(_) | StoreError::Migrate(_) => false,
        }
    }
}

/// Whether a file-system failure is the disk's (full, failing, out of handles) rather than
/// a bug or lost data.
fn io_unavailable(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    !matches!(
        e.kind(),
        K::NotFound | K::InvalidInput | K::InvalidData | K::AlreadyExists | K::Unsupported
    )
}

/// Whether a driver error means "the database cannot serve this now".
fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(e) => io_unavailable(e),
        sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                code.parse().is_ok_and(sqlite_unavailable)
            } else {
                postgres_unavailable(&code)
            }
        }
        _ => false,
    }
}

/// SQLite result codes (extended; the primary code is the low byte) that are the
/// database's state rather than the statement's fault. `SQLITE_READONLY` is deliberately
/// not among them: a write through a read-only reader connection is a bug.
fn sqlite_unavailable(code: i32) -> bool {
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const NOMEM: i32 = 7;
    const IOERR: i32 = 10;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    matches!(code & 0xff, BUSY | LOCKED | NOMEM | IOERR | FULL | CANTOPEN)
}

/// PostgreSQL SQLSTATEs that are the server's state rather than the statement's fault.
fn postgres_unavailable(code: &str) -> bool {
    // 08: connection exception; 53: insufficient resources (disk full, out of memory, too
    // many connections); 58: system error (I/O); 57P01-03: shutting down or starting up.
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("58")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03"
            // Serialisation failure, deadlock, lock not available, statement timeout: the
            // same request is expected to succeed when tried again.
            | "40001" | "40P01" | "55P03" | "57014"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_by_kind() {
        // (code, unavailable): primary codes and extended ones of the same family.
        let cases = [
            (5, true),     // SQLITE_BUSY
            (517, true),   // SQLITE_BUSY_SNAPSHOT
            (6, true),     // SQLITE_LOCKED
            (10, true),    // SQLITE_IOERR
            (778, true),   // SQLITE_IOERR_WRITE
            (13, true),    // SQLITE_FULL
            (14, true),    // SQLITE_CANTOPEN
            (8, false),    // SQLITE_READONLY: a write through a reader is a bug
            (1, false),    // SQLITE_ERROR (e.g. a syntax error)
            (19, false),   // SQLITE_CONSTRAINT
            (2067, false), // SQLITE_CONSTRAINT_UNIQUE
            (1811, false), // SQLITE_CONSTRAINT_TRIGGER
        ];
        for (code, want) in cases {
            assert_eq!(sqlite_unavailable(code), want, "SQLite code {code}");
        }
    }

    #[test]
    fn postgres_codes_by_kind() {
        let cases = [
            ("08006", true),  // connection failure
            ("53100", true),  // disk full
            ("53300", true),  // too many connections
            ("57P03", true),  // cannot connect now
            ("57P01", true),  // admin shutdown
            ("40001", true),  // serialization failure
            ("40P01", true),  // deadlock detected
            ("58030", true),  // io error
            ("23505", false), // unique violation
            ("23514", false), // check violation
            ("P0001", false), // raise_exception (a trigger refused)
            ("42601", false), // syntax error
            ("25006", false), // read-only transaction: a bug
        ];
        for (code, want) in cases {
            assert_eq!(postgres_unavailable(code), want, "SQLSTATE {code}");
        }
    }

    #[test]
    fn store_errors_by_kind() {
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert!(StoreError::Io(full).is_unavailable());
        assert!(!StoreError::Io(std::io::ErrorKind::NotFound.into()).is_unavailable());
        assert!(StoreError::Busy.is_unavailable());
        assert!(StoreError::Commit("disk I/O error".into()).is_unavailable());
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::ColumnNotFound("x".into())).is_unavailable());
        assert!(!StoreError::Conflict("ticket.number".into()).is_unavailable());
        assert!(!StoreError::NotFound.is_unavailable());
    }

    /// A real SQLite "database or disk is full" is classified by its code, not its text.
    #[tokio::test]
    async fn a_full_sqlite_database_is_unavailable() {
        use sqlx::{Connection, Executor};
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("an in-memory database opens");
        c.execute("CREATE TABLE t (b BLOB)").await.expect("create");
        c.execute("PRAGMA max_page_count = 3")
            .await
            .expect("pragma");
        let e = c
            .execute("INSERT INTO t VALUES (zeroblob(100000))")
            .await
            .expect_err("the insert does not fit");
        assert!(StoreError::from(e).is_unavailable());
        let e = c
            .execute("INSERT INTO nowhere VALUES (1)")
            .await
            .expect_err("no such table");
        assert!(!StoreError::from(e).is_unavailable());
    }
}
