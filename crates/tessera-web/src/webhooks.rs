//! Webhooks: `/agent/admin/webhooks` lists them and offers a form for a new one;
//! `/agent/admin/webhooks/{id}` edits one, shows its secret, sends a test event and shows
//! its delivery log (newest first, keyset-paged with `?before=`), where a failed delivery
//! can be queued again.

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
use tessera_core::{Actor, CoreError, DeliveryLog, DeliveryState, WebhookAdmin, WebhookForm};
use tessera_domain::{Problem, WebhookEvent};

use crate::{
    AppState,
    agent_ctx::{AgentCtx, agent_page},
    error::admin_err,
    page::{PageResult, html, parse_form},
    render::{Form, Page},
};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/admin/webhooks", get(new_page).post(create))
        .route("/agent/admin/webhooks/{id}", get(edit_page).post(update))
}

const LIST: &str = "/agent/admin/webhooks";

/// One webhook in the list.
struct Row {
    link: String,
    url: String,
    description: String,
    events: String,
    active: String,
}

/// One attempt, as the log shows it.
struct AttemptView {
    at: String,
    outcome: String,
    duration_ms: i64,
}

/// One delivery of the log.
struct DeliveryView {
    id: i64,
    uuid: String,
    created: String,
    event: String,
    state: String,
    failed: bool,
    attempts: i64,
    last: String,
    next: String,
    tried: Vec<AttemptView>,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    p: Page,
    rows: Vec<Row>,
    form: Form,
    action: String,
    form_title: String,
    editing: bool,
    /// (value, label, ticked) per event.
    events: Vec<(&'static str, String, bool)>,
    active: bool,
    allow_private: bool,
    secret: Option<String>,
    log: Vec<DeliveryView>,
    older: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
    before: Option<i64>,
}

/// What the form holds: its values, the ticked events, active, allow private.
type Values = (Form, Vec<String>, bool, bool);

fn values(w: Option<&WebhookAdmin>) -> Values {
    let mut f = Form::new();
    match w {
        Some(w) => {
            f.set("url", w.url.clone());
            f.set("description", w.description.clone());
            let events = w.events.iter().map(|e| e.as_str().to_owned()).collect();
            (f, events, w.is_active, w.allow_private)
        }
        None => (f, Vec::new(), true, false),
    }
}

fn log_view(p: &Page, log: &DeliveryLog) -> Vec<DeliveryView> {
    log.deliveries
        .iter()
        .map(|d| {
            let last = match (&d.last_error, d.last_status) {
                (Some(e), _) => tessera_i18n::t_stored(p.lang, e),
                (None, Some(s)) => format!("HTTP {s}"),
                (None, None) => "–".into(),
            };
            DeliveryView {
                id: d.id,
                uuid: d.uuid.clone(),
                created: p.datetime(&d.created_at),
                event: d.event.clone(),
                state: p.t(match d.state {
                    DeliveryState::Delivered => "webhook-state-delivered",
                    DeliveryState::Failed => "webhook-state-failed",
                    DeliveryState::Pending => "webhook-state-pending",
                }),
                failed: d.state == DeliveryState::Failed,
                attempts: d.attempts,
                last,
                next: if d.state == DeliveryState::Pending {
                    p.datetime(&d.next_attempt_at)
                } else {
                    "–".into()
                },
                tried: log
                    .attempts
                    .iter()
                    .filter(|a| a.delivery == d.id)
                    .map(|a| AttemptView {
                        at: p.datetime(&a.at),
                        outcome: match (&a.error, a.status_code) {
                            (Some(e), _) => tessera_i18n::t_stored(p.lang, e),
                            (None, Some(s)) => format!("HTTP {s}"),
                            (None, None) => "–".into(),
                        },
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn render(
    s: &AppState,
    a: &AgentCtx,
    id: Option<i64>,
    form: Option<Values>,
    q: &PageQuery,
) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    let hooks = s
        .app
        .webhooks_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let current = match id {
        Some(id) => Some(
            hooks
                .iter()
                .find(|w| w.webhook_id == id)
                .ok_or_else(|| admin_err(lang, CoreError::NotFound))?,
        ),
        None => None,
    };
    let log = match id {
        Some(id) => Some(
            s.app
                .webhook_log(actor, id, q.before)
                .await
                .map_err(|e| admin_err(lang, e))?,
        ),
        None => None,
    };
    let p = agent_page(s, a);
    let rows = hooks
        .iter()
        .map(|w| Row {
            link: format!("{LIST}/{}", w.webhook_id),
            url: w.url.clone(),
            description: w.description.clone(),
            events: w
                .events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            active: p.t(if w.is_active { "yes" } else { "no" }),
        })
        .collect();
    let (form, ticked, active, allow_private) = form.unwrap_or_else(|| values(current));
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WebhooksPage {
        rows,
        action: match id {
            Some(id) => format!("{LIST}/{id}"),
            None => LIST.to_owned(),
        },
        form_title: p.t(if id.is_some() {
            "webhook-edit"
        } else {
            "webhook-new"
        }),
        editing: id.is_some(),
        events: WebhookEvent::SUBSCRIBABLE
            .iter()
            .map(|e| {
                let name = e.as_str();
                let key = format!("webhook-event-{}", name.replace('.', "-"));
                (name, p.t(&key), ticked.iter().any(|t| t == name))
            })
            .collect(),
        active,
        allow_private,
        secret: current.map(|w| w.secret.clone()),
        log: log.as_ref().map(|l| log_view(&p, l)).unwrap_or_default(),
        older: match (id, log.as_ref().and_then(|l| l.older)) {
            (Some(id), Some(o)) => Some(format!("{LIST}/{id}?before={o}#log")),
            _ => None,
        },
        done: q
            .done
            .as_deref()
            .filter(|d| matches!(*d, "created" | "saved" | "test" | "retry"))
            .map(|d| p.t(&format!("webhook-done-{d}"))),
        form,
        p,
    };
    html(&a.ctx, status, &page)
}

async fn new_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Query(q): Query<PageQuery>,
) -> PageResult {
    render(&s, &a, None, None, &q).await
}

async fn edit_page(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    render(&s, &a, Some(id), None, &q).await
}

async fn create(State(s): State<AppState>, a: AgentCtx, body: Bytes) -> PageResult {
    submit(&s, &a, None, &body).await
}

async fn update(
    State(s): State<AppState>,
    a: AgentCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(&s, &a, Some(id), &body).await
}

async fn submit(s: &AppState, a: &AgentCtx, id: Option<i64>, body: &[u8]) -> PageResult {
    let lang = a.ctx.lang;
    let actor = Actor::Agent(&a.agent);
    // Refuses others before reading anything they sent: to them the page does not exist.
    s.app
        .webhooks_admin(actor)
        .await
        .map_err(|e| admin_err(lang, e))?;
    let fields = parse_form(body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = get("action");
    let no_query = PageQuery {
        done: None,
        before: None,
    };
    if !a.ctx.csrf_ok(&get("csrf")) {
        let mut p = Problem::default();
        p.add("form", "error-csrf");
        let (form, ticked, active, private) = if action == "save" || id.is_none() {
            submitted(&fields, &get)
        } else {
            let current = match id {
                Some(id) => Some(
                    s.app
                        .webhook_admin(actor, id)
                        .await
                        .map_err(|e| admin_err(lang, e))?,
                ),
                None => None,
            };
            values(current.as_ref())
        };
        let form = form.with_problem(lang, &p);
        return render(s, a, id, Some((form, ticked, active, private)), &no_query).await;
    }
    let back = |id: i64, done: &str| {
        Ok(a.ctx
            .finish(Redirect::to(&format!("{LIST}/{id}?done={done}"))))
    };
    match (id, action.as_str()) {
        (Some(id), "test") => {
            s.app
                .send_test_webhook(actor, id)
                .await
                .map_err(|e| admin_err(lang, e))?;
            return back(id, "test");
        }
        (Some(id), "retry") => {
            let delivery = get("delivery").trim().parse::<i64>().unwrap_or(0);
            return match s.app.retry_webhook_delivery(actor, id, delivery).await {
                Ok(()) => back(id, "retry"),
                // Queued already (a second click, another administrator): nothing to do.
                Err(CoreError::NotFound) => {
                    s.app
                        .webhook_admin(actor, id)
                        .await
                        .map_err(|e| admin_err(lang, e))?;
                    Ok(a.ctx.finish(Redirect::to(&format!("{LIST}/{id}#log"))))
                }
                Err(e) => Err(admin_err(lang, e)),
            };
        }
        _ => {}
    }
    let (form, ticked, active, allow_private) = submitted(&fields, &get);
    let input = WebhookForm {
        url: get("url"),
        description: get("description"),
        events: ticked.clone(),
        is_active: active,
        allow_private,
    };
    match s.app.save_webhook(actor, id, &input).await {
        Ok(saved) => back(saved, if id.is_some() { "saved" } else { "created" }),
        Err(CoreError::Invalid(p)) => {
            let form = form.with_problem(lang, &p);
            render(
                s,
                a,
                id,
                Some((form, ticked, active, allow_private)),
                &no_query,
            )
            .await
        }
        Err(e) => Err(admin_err(lang, e)),
    }
}

/// The form as it was sent.
fn submitted(fields: &[(String, String)], get: &impl Fn(&str) -> String) -> Values {
    let mut form = Form::new();
    form.set("url", get("url"));
    form.set("description", get("description"));
    let ticked = fields
        .iter()
        .filter(|(n, _)| n == "events")
        .map(|(_, v)| v.clone())
        .collect();
    (
        form,
        ticked,
        get("is_active") == "1",
        get("allow_private") == "1",
    )
}
