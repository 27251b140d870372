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
}
