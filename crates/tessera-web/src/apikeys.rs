//! API keys for administrators: `/agent/admin/api-keys` lists every key (scope, agent,
//! address ranges, rate, created, last use and from where, revoked) with a form for a new
//! one; a new key's secret is shown once, on the page that answers the form, and never
//! again. `/agent/admin/api-keys/{id}/revoke` asks before it revokes. Core checks that the
//! agent is an administrator and writes the audit records.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Redirect,
    routing::get,
};
use serde::Deserialize;
use tessera_core::{Actor, ApiKeyForm, ApiKeySummary, CoreError, DEFAULT_RATE_PER_MINUTE};
use tessera_domain::{ApiScope, Problem};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

const LIST: &str = "/agent/admin/api-keys";

/// The fields the form sends.
const FIELDS: [&str; 5] = ["name", "scope", "agent", "allowed_ips", "rate_per_minute"];

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list_page).post(create))
        .route(
            "/agent/admin/api-keys/{id}/revoke",
            get(confirm_page).post(revoke),
        )
}

/// One row of the list, ready to show.
struct Row {
    id: i64,
    name: String,
    scope: String,
    agent: String,
    allowed: String,
    rate: u32,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
struct KeysPage {
    p: Page,
    rows: Vec<Row>,
    form: Form,
    scopes: Vec<(&'static str, String)>,
    rate_hint: String,
    /// A key just made: (note, secret), shown this once.
    created: Option<(String, String)>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/api_key_revoke.html")]
struct RevokePage {
    p: Page,
    id: i64,
    title: String,
    /// Why the confirmation was refused (a stale form).
    error: Option<String>,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn row(p: &Page, k: &ApiKeySummary) -> Row {
    Row {
        id: k.id,
        name: k.name.clone(),
        scope: p.t(&format!("apikeys-scope-{}", k.scope.as_str())),
        agent: k.agent.clone().unwrap_or_else(|| "–".into()),
        allowed: if k.allowed_ips.is_empty() {
            p.t("apikeys-allowed-any")
        } else {
            k.allowed_ips.clone()
        },
        rate: k.rate_per_minute,
        created: p.datetime(&k.created_at),
        last_used: match (&k.last_used_at, &k.last_used_ip) {
            (Some(t), Some(ip)) => format!("{} · {ip}", p.datetime(t)),
            (Some(t), None) => p.datetime(t),
            _ => p.t("apikeys-never"),
        },
        revoked: k
            .revoked_at
            .map(|t| p.t1("apikeys-revoked", "when", &p.datetime(&t))),
    }
}

async fn render(
    s: &AppState,
    a: &AgentCtx,
    form: Option<Form>,
    created: Option<(String, String)>,
    done: Option<&str>,
) -> PageResult {
    let lang = a.ctx.lang;
    let keys = s
        .app
        .api_keys(Actor::Agent(&a.agent))
        .await
        .map_err(|e| admin_err(lang, e))?;
    let p = agent_page(s, a);
    let form = form.unwrap_or_else(|| {
        let mut f = Form::new();
        f.set("scope", ApiScope::Create.as_str().into());
        f
    });
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = KeysPage {
        rows: keys.iter().map(|k| row(&p, k)).collect(),
        form,
        scopes: ApiScope::ALL
            .iter()
            .map(|s| (s.as_str(), p.t(&format!("apikeys-scope-{}", s.as_str()))))
            .collect(),
        rate_hint: p.t1(
            "apikeys-rate-hint",
            "default",
            &DEFAULT_RATE_PER_MINUTE.to_string(),
        ),
        created,
        done: done
            .filter(|d| *d == "revoked")
            .map(|_| p.t("apikeys-done-revoked")),
        p,
    };
    html(&a.ctx, status, &page)
}

async fn list_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(&s, &a, None, None, q.done.as_deref()).await
}

async fn create(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    // Refuses others before reading anything they sent: to them the page does not exist.
    s.app
        .api_keys(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let fields = parse_form(&body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut form = Form::new();
    for f in FIELDS {
        form.set(f, get(f));
    }
    if !a.ctx.csrf_ok(&get("csrf")) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        return render(&s, &a, Some(form.with_problem(lang, &p)), None, None).await;
    }
    let input = ApiKeyForm {
        name: get("name"),
        scope: get("scope"),
        agent: get("agent"),
        allowed_ips: get("allowed_ips"),
        rate_per_minute: get("rate_per_minute"),
    };
    match s.app.create_api_key(actor, &input).await {
        Ok((_, token)) => {
            let note =
                tessera_i18n::t_args(lang, "apikeys-shown-once", &[("name", input.name.trim())]);
            render(&s, &a, None, Some((note, token)), None).await
        }
        Err(CoreError::Invalid(p)) => {
            render(&s, &a, Some(form.with_problem(lang, &p)), None, None).await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}

async fn confirm_page(State(s): State<AppState>, a: AgentCtx, Path(id): Path<i64>) -> PageResult {
    confirm(&s, &a, id, None).await
}

/// The confirmation form, with the problem it was refused for.
async fn confirm(s: &AppState, a: &AgentCtx, id: i64, problem: Option<Problem>) -> PageResult {
    let lang = a.ctx.lang;
    let keys = s
        .app
        .api_keys(Actor::Agent(&a.agent))
        .await
        .map_err(|e| admin_err(lang, e))?;
    let key = keys
        .iter()
        .find(|k| k.id == id && k.revoked_at.is_none())
        .ok_or_else(|| admin_err(lang, CoreError::NotFound))?;
    let p = agent_page(s, a);
    let error = problem
        .as_ref()
        .and_then(|pr| pr.errors.first())
        .map(|e| p.t(e.key));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RevokePage {
        id,
        title: p.t1("apikeys-revoke-title", "name", &key.name),
        error,
        p,
    };
    html(&a.ctx, status, &page)
}

async fn revoke(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    s.app
        .api_keys(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let fields = parse_form(&body);
    let csrf = fields
        .iter()
        .find(|(n, _)| n == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Err(CoreError::Invalid(p)) = a.ctx.check_csrf(csrf) {
        return confirm(&s, &a, id, Some(p)).await;
    }
    s.app
        .revoke_api_key(actor, id)
        .await
        .map_err(|e| admin_err(lang, e))?;
    Ok(a.ctx.finish(Redirect::to(&format!("{LIST}?done=revoked"))))
}
