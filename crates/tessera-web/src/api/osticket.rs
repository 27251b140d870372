//! osTicket's ticket API, so that website forms and scripts written for osTicket work by
//! changing only the base URL.

use axum::Router;

use crate::AppState;

/// `/api/tickets.json` and `/api/tickets.email`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
