//! The whole text of an entry whose ticket page shows only its beginning: a plain-text
//! download for agents (`/agent/tickets/{number}/entries/{id}/text`) and for requesters
//! (`/tickets/{number}/entries/{id}/text`), under the same checks as the ticket page (core
//! decides; whoever may not see the entry gets 404).

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tessera_core::EntryText;
use tessera_domain::ThreadEntryId;

use crate::{AppState, Ctx, agent_ctx::AgentCtx, error::PageError};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/tickets/{number}/entries/{id}/text", get(agent_text))
        .route("/tickets/{number}/entries/{id}/text", get(portal_text))
}

async fn agent_text(
    State(s): State<AppState>,
    a: AgentCtx,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let text = s
        .app
        .agent_entry_text(a.reader(), &number, ThreadEntryId(id))
        .await
        .map_err(|e| PageError::from_core(a.ctx.lang, e))?;
    Ok(download(text))
}

async fn portal_text(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let sess = ctx.session.clone().ok_or(PageError::not_found(ctx.lang))?;
    let text = s
        .app
        .participant_entry_text(&sess, &number, ThreadEntryId(id))
        .await
        .map_err(|e| PageError::from_core(ctx.lang, e))?;
    Ok(download(text))
}

/// The text as a UTF-8 download that browsers neither render nor sniff, named after the
/// ticket and the entry, never cached.
fn download(t: EntryText) -> Response {
    let number: String = t
        .number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let name = format!("ticket-{number}-entry-{}.txt", t.entry.0);
    let mut res = t.text.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    crate::download::fence(h);
    res
}
