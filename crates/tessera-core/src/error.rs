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
    Store(StoreError),
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => CoreError::NotFound,
            e => CoreError::Store(e),
        }
    }
}

impl From<std::io::Error> for CoreError {
    fn from(e: std::io::Error) -> Self {
        CoreError::Store(StoreError::Io(e))
    }
}

impl From<Problem> for CoreError {
    fn from(p: Problem) -> Self {
        CoreError::Invalid(p)
    }
}
