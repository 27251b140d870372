//! The administrators' outbox (`/agent/admin/outbox`): queued, retrying, undelivered and
//! sent mail, filtered by status, recipient and ticket, newest first with keyset pages, and
//! "retry now" for one mail or every undelivered one (CSRF-checked posts, audited in core).

use askama::Template;
use axum::{
    Form as AxForm, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::{get, post},
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError, MailDelivery, OUTBOX_PAGE, OutboxQuery};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    delivery::{MailLine, mail_line},
    error::admin_err,
    page::{CsrfOnly, PageResult, html},
    render::Page,
};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/outbox", get(list))
        .route("/agent/admin/outbox/retry-failed", post(retry_failed))
        .route("/agent/admin/outbox/{id}/retry", post(retry))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    recipient: Option<String>,
    ticket: Option<String>,
    before: Option<i64>,
    done: Option<String>,
    count: Option<u64>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct ListPage {
    p: Page,
    /// The status filter (empty: all).
    status: &'static str,
    recipient: String,
    ticket: String,
    rows: Vec<MailLine>,
    older: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

const STATUSES: [&str; 5] = ["", "queued", "retrying", "failed", "sent"];

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn list(State(s): State<AppState>, a: AgentCtx, Query(q): Query<ListQuery>) -> PageResult {
    let lang = a.ctx.lang;
    let delivery = q.status.as_deref().and_then(MailDelivery::parse);
    let query = OutboxQuery {
        delivery,
        recipient: q.recipient.clone().unwrap_or_default(),
        ticket: q.ticket.clone().unwrap_or_default(),
        before: q.before,
    };
    let found = s
        .app
        .outbox(Actor::Agent(&a.agent), &query)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(&s, &a);
    let status = delivery.map_or("", |d| d.as_str());
    let older = (found.len() as i64 == OUTBOX_PAGE).then(|| {
        let last = found.last().map(|m| m.id).unwrap_or(0);
        format!(
            "/agent/admin/outbox?status={status}&recipient={}&ticket={}&before={last}",
            enc(&query.recipient),
            enc(&query.ticket)
        )
    });
    // Only known keys are translated: the query string is the visitor's.
    let done = match q.done.as_deref() {
        Some("one") => Some(p.t("outbox-retried")),
        Some("all") => Some(tessera_i18n::t_count(
            lang,
            "outbox-retried-all",
            &[],
            (
                "count",
                i64::try_from(q.count.unwrap_or(0)).unwrap_or(i64::MAX),
            ),
        )),
        _ => None,
    };
    let error = q
        .error
        .filter(|k| ["outbox-not-retryable", "error-csrf"].contains(&k.as_str()))
        .map(|k| p.t(&k));
    let page = ListPage {
        status: STATUSES
            .iter()
            .find(|s| **s == status)
            .copied()
            .unwrap_or(""),
        recipient: query.recipient,
        ticket: query.ticket,
        rows: found.iter().map(|m| mail_line(&p, m)).collect(),
        older,
        done,
        error,
        p,
    };
    html(&a.ctx, StatusCode::OK, &page)
}

const BACK: &str = "/agent/admin/outbox";

async fn retry(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    AxForm(f): AxForm<CsrfOnly>,
) -> PageResult {
    if !a.ctx.csrf_ok(&f.csrf) {
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{BACK}?error=error-csrf"))));
    }
    let to = match s.app.retry_mail_now(Actor::Agent(&a.agent), id).await {
        Ok(()) => format!("{BACK}?done=one"),
        Err(CoreError::NotFound) => format!("{BACK}?error=outbox-not-retryable"),
        Err(e) => return Err(admin_err(a.ctx.lang, e)),
    };
    Ok(a.ctx.finish(Redirect::to(&to)))
}

async fn retry_failed(
    State(s): State<AppState>,
    a: AgentCtx,
    AxForm(f): AxForm<CsrfOnly>,
) -> PageResult {
    if !a.ctx.csrf_ok(&f.csrf) {
        return Ok(a
            .ctx
            .finish(Redirect::to(&format!("{BACK}?error=error-csrf"))));
    }
    let n = s
        .app
        .retry_failed_mail_now(Actor::Agent(&a.agent))
        .await
        .map_err(|e| admin_err(a.ctx.lang, e))?;
    Ok(a.ctx
        .finish(Redirect::to(&format!("{BACK}?done=all&count={n}"))))
}
