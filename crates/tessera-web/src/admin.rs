//! The administration area (administrators only): so far the audit log.

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{Actor, CoreError};
use tessera_domain::Timestamp;

use crate::{
    AppState,
    agent::{AgentCtx, agent_page},
    error::PageError,
    portal::{PageResult, html},
    render::Page,
};

/// Rows per audit page.
const PAGE: i64 = 100;

/// The actions the audit log knows, for the filter.
const ACTIONS: [&str; 5] = [
    "sign-in",
    "sign-in-failed",
    "agent-create",
    "agent-disable",
    "agent-reset-password",
];

pub fn router() -> Router<AppState> {
    Router::new().route("/agent/admin/audit", get(audit))
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    before: Option<i64>,
}

struct AuditView {
    when: String,
    actor: String,
    action: String,
    target: String,
    change: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    p: Page,
    rows: Vec<AuditView>,
    actions: [&'static str; 5],
    action: String,
    actor: String,
    older: Option<String>,
}

async fn audit(State(s): State<AppState>, a: AgentCtx, Query(q): Query<AuditQuery>) -> PageResult {
    let lang = a.ctx.lang;
    let action = q.action.filter(|x| !x.is_empty());
    let actor = q
        .actor
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty());
    let rows = match s
        .app
        .audit_log(
            Actor::Agent(&a.agent),
            action.as_deref(),
            actor.as_deref(),
            q.before,
            PAGE,
        )
        .await
    {
        Ok(r) => r,
        Err(CoreError::Forbidden) => return Err(PageError::not_found(lang)),
        Err(e) => return Err(PageError::from_core(lang, e)),
    };
    let p = agent_page(&s, &a);
    let older = (rows.len() as i64 == PAGE).then(|| {
        let last = rows.last().map(|r| r.audit_log_id).unwrap_or(0);
        let enc = |v: &Option<String>| {
            percent_encoding::utf8_percent_encode(
                v.as_deref().unwrap_or(""),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
        };
        format!(
            "/agent/admin/audit?action={}&actor={}&before={last}",
            enc(&action),
            enc(&actor)
        )
    });
    let page = AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditView {
                when: p.datetime(&Timestamp(r.created_at)),
                actor: r.actor,
                action: r.action,
                target: r.target,
                change: match (r.before_value, r.after_value) {
                    (Some(b), Some(a)) => format!("{b} → {a}"),
                    (None, Some(a)) => a,
                    (Some(b), None) => b,
                    (None, None) => String::new(),
                },
                ip: r.ip.unwrap_or_default(),
            })
            .collect(),
        actions: ACTIONS,
        action: action.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        older,
        p,
    };
    html(&a.ctx, StatusCode::OK, &page)
}
