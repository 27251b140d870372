//! Webhooks: `/agent/admin/webhooks` lists them and offers a form for a new one;
//! `/agent/admin/webhooks/{id}` edits one, shows its secret, sends a test event and shows
//! its delivery log (newest first, keyset-paged with `?before=`), where a failed delivery
//! can be queued again.

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    routing::get,
};
use tessera_core::{CoreError, DeliveryLog, DeliveryState, WebhookAdmin, WebhookForm};
use tessera_domain::{Problem, WebhookEvent};

use crate::{
    AppState,
    admin_form::{Admin, Posted, Shown, flag, notice},
    page::PageResult,
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
    secret: Option<String>,
    log: Vec<DeliveryView>,
    older: Option<String>,
    done: Option<String>,
}

/// What the form holds: its values and the ticked events.
type Values = (Form, Vec<String>);

fn values(w: Option<&WebhookAdmin>) -> Values {
    let mut f = Form::new();
    match w {
        Some(w) => {
            f.set("url", w.url.clone());
            f.set("description", w.description.clone());
            f.set("is_active", flag(w.is_active));
            f.set("allow_private", flag(w.allow_private));
            let events = w.events.iter().map(|e| e.as_str().to_owned()).collect();
            (f, events)
        }
        None => {
            f.set("is_active", flag(true));
            (f, Vec::new())
        }
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
    a: &Admin,
    id: Option<i64>,
    form: Option<Values>,
    q: &Shown,
) -> PageResult {
    let hooks = s
        .app
        .webhooks_admin(a.actor())
        .await
        .map_err(|e| a.err(e))?;
    let current = match id {
        Some(id) => Some(
            hooks
                .iter()
                .find(|w| w.webhook_id == id)
                .ok_or_else(|| a.err(CoreError::NotFound))?,
        ),
        None => None,
    };
    let log = match id {
        Some(id) => Some(
            s.app
                .webhook_log(a.actor(), id, q.before)
                .await
                .map_err(|e| a.err(e))?,
        ),
        None => None,
    };
    let p = a.page(s);
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
    let (form, ticked) = form.unwrap_or_else(|| values(current));
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
        secret: current.map(|w| w.secret.clone()),
        log: log.as_ref().map(|l| log_view(&p, l)).unwrap_or_default(),
        older: match (id, log.as_ref().and_then(|l| l.older)) {
            (Some(id), Some(o)) => Some(format!("{LIST}/{id}?before={o}#log")),
            _ => None,
        },
        done: notice(
            &p,
            q.done.as_deref(),
            &[
                ("created", "webhook-done-created"),
                ("saved", "webhook-done-saved"),
                ("test", "webhook-done-test"),
                ("retry", "webhook-done-retry"),
            ],
        ),
        form,
        p,
    };
    a.show(&page, page.form.has_errors())
}

async fn new_page(State(s): State<AppState>, a: Admin, Query(q): Query<Shown>) -> PageResult {
    render(&s, &a, None, None, &q).await
}

async fn edit_page(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> PageResult {
    render(&s, &a, Some(id), None, &q).await
}

async fn create(State(s): State<AppState>, a: Admin, body: Bytes) -> PageResult {
    submit(&s, &a, None, &body).await
}

async fn update(
    State(s): State<AppState>,
    a: Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    submit(&s, &a, Some(id), &body).await
}

async fn submit(s: &AppState, a: &Admin, id: Option<i64>, body: &[u8]) -> PageResult {
    let actor = a.actor();
    let f = Posted::read(a, body);
    let action = f.v("action");
    let no_query = Shown {
        done: None,
        before: None,
    };
    let back = |id: i64, done: &str| a.to(&format!("{LIST}/{id}?done={done}"));
    match (id, action.as_str()) {
        // A stale test or retry button shows the stored webhook, not what the form held.
        (Some(id), "test" | "retry") if !f.csrf_ok() => {
            let current = s.app.webhook_admin(actor, id).await.map_err(|e| a.err(e))?;
            let (form, ticked) = values(Some(&current));
            let form = form.with_problem(a.lang(), &crate::ctx::csrf_problem());
            return render(s, a, Some(id), Some((form, ticked)), &no_query).await;
        }
        (Some(id), "test") => {
            s.app
                .send_test_webhook(actor, id)
                .await
                .map_err(|e| a.err(e))?;
            return back(id, "test");
        }
        (Some(id), "retry") => {
            let delivery = f.v("delivery").trim().parse::<i64>().unwrap_or(0);
            return match s.app.retry_webhook_delivery(actor, id, delivery).await {
                Ok(()) => back(id, "retry"),
                // Queued already (a second click, another administrator): nothing to do.
                Err(CoreError::NotFound) => {
                    s.app.webhook_admin(actor, id).await.map_err(|e| a.err(e))?;
                    a.to(&format!("{LIST}/{id}#log"))
                }
                Err(e) => Err(a.err(e)),
            };
        }
        _ => {}
    }
    let form = f.form(&["url", "description", "is_active", "allow_private"]);
    let ticked = f.all("events");
    let input = WebhookForm {
        url: f.v("url"),
        description: f.v("description"),
        events: ticked.clone(),
        is_active: f.on("is_active"),
        allow_private: f.on("allow_private"),
    };
    let saved = f.then(s.app.save_webhook(actor, id, &input)).await;
    let done = if id.is_some() { "saved" } else { "created" };
    let saved = saved.map(|saved| format!("{LIST}/{saved}?done={done}"));
    a.answer(saved, |p: Problem| {
        let form = form.with_problem(a.lang(), &p);
        render(s, a, id, Some((form, ticked)), &no_query)
    })
    .await
}
