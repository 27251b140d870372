//! The REST API under `/api/v1`: everything the agent UI can do, as JSON.

use axum::Router;

use crate::AppState;

/// Every `/api/v1` route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
