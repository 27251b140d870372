use tessera_domain::Problem;
use tessera_store::StoreError;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The input was refused; the problem says which fields and why.
    #[error("invalid input")]
    Invalid(Problem),
    /// The thing does not exist or the caller may not see it (deliberately the same).
    #[error("not found")]
    NotFound,
    /// Someone else wrote to the ticket since the agent's view was loaded.
    #[error("the ticket changed since it was opened")]
    Stale,
    /// The caller may see the ticket but not change it.
    #[error("not allowed")]
    Forbidden,
    /// The installation is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StorageError),
}

/// A failure of the database or the attachment storage. Opaque on purpose: front ends
/// answer it by `CoreError::kind`, and no store or driver type reaches them through it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StorageError(pub(crate) StoreError);

impl StorageError {
    /// Whether a unique constraint whose name (PostgreSQL) or columns (SQLite) contain
    /// `needle` refused the write: for callers that turn a duplicate into their own message.
    pub fn is_conflict_on(&self, needle: &str) -> bool {
        self.0.is_conflict_on(needle)
    }
}

/// What kind of failure a `CoreError` is, for front ends that answer each kind one way
/// (a page, a problem, a status) without knowing where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input was refused: show it again with the reasons.
    Invalid,
    /// Not there, or not the caller's to see.
    NotFound,
    /// Seen but not the caller's to change.
    Forbidden,
    /// Someone else's write came first (a stale view, a duplicate that is not a field's).
    Conflict,
    /// The database or the disk cannot serve the request right now (full, failing, down,
    /// busy); the same request may work in a moment.
    Unavailable,
    /// A bug or a misconfiguration: logged in full, answered generically.
    Bug,
}

impl CoreError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Invalid(_) => ErrorKind::Invalid,
            CoreError::NotFound | CoreError::Store(StorageError(StoreError::NotFound)) => {
                ErrorKind::NotFound
            }
            CoreError::Forbidden => ErrorKind::Forbidden,
            CoreError::Stale | CoreError::Store(StorageError(StoreError::Conflict(_))) => {
                ErrorKind::Conflict
            }
            CoreError::Store(StorageError(e)) if e.is_unavailable() => ErrorKind::Unavailable,
            CoreError::Store(_) | CoreError::Config(_) => ErrorKind::Bug,
        }
    }
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => CoreError::NotFound,
            e => CoreError::Store(StorageError(e)),
        }
    }
}

impl From<std::io::Error> for CoreError {
    fn from(e: std::io::Error) -> Self {
        CoreError::Store(StorageError(StoreError::Io(e)))
    }
}

impl From<Problem> for CoreError {
    fn from(p: Problem) -> Self {
        CoreError::Invalid(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let cases = [
            (CoreError::Invalid(Problem::default()), ErrorKind::Invalid),
            (CoreError::NotFound, ErrorKind::NotFound),
            (CoreError::Forbidden, ErrorKind::Forbidden),
            (CoreError::Stale, ErrorKind::Conflict),
            (StoreError::Conflict("x".into()).into(), ErrorKind::Conflict),
            (StoreError::Busy.into(), ErrorKind::Unavailable),
            (
                std::io::Error::from_raw_os_error(28).into(),
                ErrorKind::Unavailable,
            ),
            (
                StoreError::Commit("disk I/O error".into()).into(),
                ErrorKind::Unavailable,
            ),
            (CoreError::Config("secret_key".into()), ErrorKind::Bug),
        ];
        for (e, want) in cases {
            assert_eq!(e.kind(), want, "{e:?}");
        }
    }
}
