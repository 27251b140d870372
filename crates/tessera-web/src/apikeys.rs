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
    routing::get,
};
use tessera_core::{ApiKeyForm, ApiKeySummary, CoreError, DEFAULT_RATE_PER_MINUTE};
use tessera_domain::{ApiScope, Problem};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, notice},
    page::PageResult,
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
    a: &Admin,
    form: Option<Form>,
    created: Option<(String, String)>,
    done: Option<&str>,
) -> PageResult {
    let keys = s.app.api_keys(a.actor()).await.map_err(|e| a.err(e))?;
    let p = a.page(s);
    let form = form.unwrap_or_else(|| {
        let mut f = Form::new();
        f.set("scope", ApiScope::Create.as_str().into());
        f
    });
    let page = KeysPage {
        rows: keys.iter().map(|k| row(&p, k)).collect(),
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
        done: notice(&p, done, &[("revoked", "apikeys-done-revoked")]),
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn list_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render(&s, &a, None, None, q.done.as_deref()).await
}

async fn create(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    let f = Posted::read(&a, &body);
    let form = f.form(&FIELDS);
    let input = ApiKeyForm {
        name: f.v("name"),
        scope: f.v("scope"),
        agent: f.v("agent"),
        allowed_ips: f.v("allowed_ips"),
        rate_per_minute: f.v("rate_per_minute"),
    };
    // A new key is not redirected to: its secret is shown on this answer, once.
    match f.then(s.app.create_api_key(a.actor(), &input)).await {
        Ok((_, token)) => {
            let args = [("name", input.name.trim())];
            let note = tessera_i18n::t_args(a.lang(), "apikeys-shown-once", &args);
            render(&s, &a, None, Some((note, token)), None).await
        }
        Err(CoreError::Invalid(p)) => {
            render(&s, &a, Some(form.with_problem(a.lang(), &p)), None, None).await
        }
        Err(e) => Err(a.err(e)),
    }
}

async fn confirm_page(State(s): State<AppState>, a: Admin, Path(id): Path<i64>) -> PageResult {
    confirm(&s, &a, id, None).await
}

/// The confirmation form, with the problem it was refused for.
async fn confirm(s: &AppState, a: &Admin, id: i64, problem: Option<Problem>) -> PageResult {
    let keys = s.app.api_keys(a.actor()).await.map_err(|e| a.err(e))?;
    let key = keys
        .iter()
        .find(|k| k.id == id && k.revoked_at.is_none())
        .ok_or_else(|| a.err(CoreError::NotFound))?;
    let p = a.page(s);
    let error = problem
        .as_ref()
        .and_then(|pr| pr.errors.first())
        .map(|e| p.t(e.key));
    let page = RevokePage {
        id,
        title: p.t1("apikeys-revoke-title", "name", &key.name),
        error,
        p,
    };
    a.show(&page, page.error.is_some())
}

async fn revoke(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let f = Posted::read(&a, &body);
    let revoked = f.then(s.app.revoke_api_key(a.actor(), id)).await;
    let url = format!("{LIST}?done=revoked");
    a.answer(revoked.map(|()| url), |p| confirm(&s, &a, id, Some(p)))
        .await
}
